"""Image specs: what a ``dockerTools.*`` call was given, with nixpkgs' defaults filled in.

The universe stage (``translator.universe``) produces an :class:`ImageSpec` from an evaluated
file; the layering stage turns its closure into a :class:`~translator.storeinfo.LayerPlan`; the
image backends (``translator.image``) write it. Plain data flowing one way: later stages never
go back to the evaluator.

Store path *contents* are not here: a :class:`ContentSource` maps a store path to a directory
or file on disk (a real Nix store, a ``--bind`` import, or synthetic placeholder content).
"""

from __future__ import annotations

from dataclasses import dataclass, field

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from .storeinfo import PathInfo

#: nixpkgs' default for ``created`` and ``mtime``.
EPOCH_PLUS_ONE = "1970-01-01T00:00:01Z"


if TYPE_CHECKING:  # (a protocol for type checkers: the content sources are plain classes)
    from typing import Protocol

    class ContentSource(Protocol):
        """Where the bytes of store paths live."""

        def location(self, store_path: str) -> str:
            """A filesystem path whose tree is the content of ``store_path`` (lstat-able)."""
            ...


@dataclass(frozen=True, slots=True)
class CallArg:
    """One argument of the dockerTools call as evaluated: ``given`` when the caller wrote it
    (``file``/``line``/``column`` say where, when the evaluator knows), else nixpkgs' default.
    ``value`` is plain JSON-able data; functions, unevaluated and failing values are shown as
    ``«function»``, ``«not evaluated»`` and ``«error: ...»``."""

    name: str
    value: Any
    given: bool
    file: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass(slots=True)
class BaseImageRef:
    """``fromImage``: either another spec (an image built in the same evaluation), a local archive
    or OCI layout on disk, or a ``pullImage`` to resolve from the pull cache or a registry."""

    kind: str  # "spec" | "archive" | "pull"
    spec: "ImageSpec | None" = None
    path: str | None = None  # archive / OCI layout (dir or tar)
    image_name: str | None = None  # fromImageName / pullImage imageName
    image_tag: str | None = None  # fromImageTag / finalImageTag
    pull: dict[str, Any] | None = None  # pullImage arguments (imageName, imageDigest, sha256, os, arch, ...)


@dataclass(slots=True)
class ImageSpec:
    """One image call with every argument nixpkgs knows, defaults applied.

    ``builder`` is the dockerTools function: ``buildImage``, ``buildLayeredImage``,
    ``streamLayeredImage``, ``buildImageWithNixDb``, ``buildLayeredImageWithNixDb``,
    ``pullImage``, ``mergeImages``, ``exportImage``.
    """

    builder: str
    name: str
    tag: str | None = None
    from_image: BaseImageRef | None = None
    from_image_name: str | None = None
    from_image_tag: str | None = None
    # what goes into the image
    contents: list[str] = field(default_factory=list)  # store paths (buildLayeredImage contents / buildImage contents)
    copy_to_root: list[str] = field(default_factory=list)  # buildImage copyToRoot store paths
    keep_contents_dirlinks: bool = False
    include_store_paths: bool = True
    # config (passed through as written) and metadata
    config: dict[str, Any] | None = None
    architecture: str = "amd64"
    os: str = "linux"
    created: str = EPOCH_PLUS_ONE
    mtime: str = EPOCH_PLUS_ONE
    uid: int = 0
    gid: int = 0
    uname: str = "root"
    gname: str = "root"
    max_layers: int = 100
    layering_pipeline: Any = None  # Nix value of layeringPipeline, as plain JSON-able data
    # commands kept for the backend
    extra_commands: str = ""
    fake_root_commands: str = ""
    run_as_root: str | None = None
    enable_fakechroot: bool = False
    disk_size: int | None = None
    build_vm_memory_size: int | None = None
    # closure: every store path the image needs (contents + config references), with references
    closure: list[PathInfo] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # top-level store paths of the closure
    # mergeImages / exportImage
    images: list["ImageSpec"] = field(default_factory=list)
    # where the call was made (for messages), and warnings raised while building the spec
    origin: str | None = None
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # any other argument, as given
    call: list[CallArg] = field(default_factory=list)  # every argument of the call, in source order
