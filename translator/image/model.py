"""Plain data passed between the image modules: finished layers and images read from disk."""

from __future__ import annotations

import os
import tarfile
from dataclasses import dataclass, field

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, BinaryIO


@dataclass(slots=True)
class Blob:
    """A finished, uncompressed layer tar somewhere on disk: ``size`` bytes of ``path`` at ``offset``.

    ``digest`` is the hex SHA-256 of those bytes (the layer's diff_id).
    """

    digest: str
    size: int
    path: str
    offset: int = 0

    def open(self) -> BinaryIO:
        """A file positioned at the blob's first byte (read at most ``size`` bytes)."""
        f = open(self.path, "rb")
        f.seek(self.offset)
        return f

    def window(self):
        """The blob as a file of its own (reads stop at its end; seekable), for tar readers and uploads."""
        from .subfile import SubFile

        return SubFile(self.path, self.offset, self.size)

    def read_all(self) -> bytes:
        with self.open() as f:
            return f.read(self.size)


@dataclass(slots=True)
class Layer:
    """One layer of an image being written, bottom first.

    ``comment`` is its history comment; ``paths`` the store paths it holds (new layers).
    For layers copied from a base, ``member`` is the base archive's member name, ``header`` its
    outer tar header (kept verbatim as nixpkgs does) and ``extra`` the other files of its legacy
    directory (``json``, ``VERSION``) if any.
    """

    blob: Blob
    comment: str = ""
    paths: tuple[str, ...] = ()
    member: str | None = None
    header: tarfile.TarInfo | None = None
    extra: dict[str, bytes] = field(default_factory=dict)
    created: str | None = None
    kind: str = "store"  # store | customisation | root | base


@dataclass(slots=True)
class ImageData:
    """An image read from a docker-archive or OCI layout.

    ``linking`` says how the archive tied its layers together: ``manifest``, ``parents`` (legacy
    ``json.parent`` chain with ``repositories``), ``both`` or ``oci``.
    """

    config: dict[str, Any]
    config_bytes: bytes
    config_digest: str
    layers: list[Layer]
    repo_tags: list[str]
    linking: str
    source: str = ""
    top_layer_id: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def diff_ids(self) -> list[str]:
        return ["sha256:" + layer.blob.digest for layer in self.layers]


def file_size(path: str) -> int:
    return os.stat(path).st_size
