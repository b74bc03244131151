"""What a build is asked to do and what it made: plain data shared by the image writers.

Kept apart from :mod:`.build` so that the writers it dispatches to (:mod:`.export`,
:mod:`.merge`) can return results without importing the orchestrator back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any


@dataclass(slots=True)
class BuildOptions:
    format: str = "docker-archive"
    compress: str = "none"
    progress: bool = False  # show a progress bar on stderr
    strategy: str | None = None  # layering strategy when no plan is given (None: nixpkgs' default)
    run_timeout: float | None = None  # runAsRoot's time limit in seconds (None: the default)
    cache: Any = None  # a layercache.LayerCache to reuse and keep finished store layers (None: no cache)
    layer_names: str | None = None  # docker-archive layer members: "digest" | "position" (None: build digest, stream position)
    # the fingerprint of the docker-archive already at the output (see layercache.LayerCache.output_fingerprint):
    # a layered build that would write exactly that archive writes nothing and reports ``unchanged``
    unchanged_if: str | None = None


@dataclass(slots=True)
class BuiltLayer:
    digest: str  # diff_id hex
    size: int
    paths: tuple[str, ...]
    kind: str
    blob_digest: str | None = None  # OCI: digest of the (compressed) blob


@dataclass(slots=True)
class BuildResult:
    output: str
    format: str
    repo_tag: str
    config_digest: str
    layers: list[BuiltLayer] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reused: int = 0  # store layers taken from the layer cache
    fingerprint: str = ""  # docker-archive of a layered build: ArchiveWriter.fingerprint of what was written
    unchanged: bool = False  # the output already held this image (BuildOptions.unchanged_if): left in place
