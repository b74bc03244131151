"""What ``nix2image push`` can push: a docker-archive (either form), an OCI layout (dir or tar),
or a Nix file (built first). Each becomes a :class:`~.push.PushImage` whose layers are read in
place (by offset inside the archive), never extracted by name.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import BinaryIO, Iterator

from ..errors import UserError
from .push import PushImage, PushLayer


class _Slice:
    """A read-only window of ``size`` bytes at ``offset`` of ``path`` (a layer inside an archive)."""

    def __init__(self, path: str, offset: int, size: int) -> None:
        self.f = open(path, "rb")
        self.f.seek(offset)
        self.left = size
        self.size = size
        self.offset = offset

    def read(self, n: int = -1) -> bytes:
        if n < 0 or n > self.left:
            n = self.left
        data = self.f.read(n)
        self.left -= len(data)
        return data

    def seek(self, pos: int, whence: int = 0) -> int:
        if whence == os.SEEK_END:
            target = self.size + pos
        elif whence == os.SEEK_CUR:
            target = self.size - self.left + pos
        else:
            target = pos
        self.f.seek(self.offset + target)
        self.left = self.size - target
        return target

    def __enter__(self) -> "_Slice":
        return self

    def __exit__(self, *exc) -> None:
        self.f.close()


def _opener(path: str, offset: int, size: int):
    return lambda: _Slice(path, offset, size)


def _from_image_data(image) -> PushImage:
    layers = [PushLayer("sha256:" + layer.blob.digest, _opener(layer.blob.path, layer.blob.offset, layer.blob.size),
                        annotation=(layer.comment or "")[:60]) for layer in image.layers]
    return PushImage(image.config_bytes, layers)


@contextlib.contextmanager
def open_push_source(source: str) -> Iterator[PushImage]:
    """Open SOURCE for pushing; temporary files live until the context ends."""
    if not os.path.exists(source):
        raise UserError(f"SOURCE '{source}' does not exist")
    with tempfile.TemporaryDirectory(prefix="nix2image-push-") as work:
        from ..image.docker_archive import read_docker_archive
        from ..image.oci_layout import read_oci_dir

        # Layers are checked against their diff_ids while they are compressed for upload; layers
        # the registry already has are not read at all.
        image = read_oci_dir(source, work) if os.path.isdir(source) else read_docker_archive(source, work, verify=False)
        yield _from_image_data(image)
