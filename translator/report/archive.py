"""What a report can read back from an image archive: manifest, config, layers and their links.

Used for both kinds of report: ``report FILE`` builds its image into a scratch docker-archive and
reads it back here (so the digests shown are those of the real bytes), ``report IMAGE.tar``
reads an archive made elsewhere. Layer contents come from :func:`~translator.image.inspect.inspect_image`
(store paths and top-level directories per layer); the raw ``manifest.json``, config and the
legacy ``repositories`` + ``<id>/json`` parent chain are read from the tar as they are.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any

from ..errors import UserError
from ..image import safety
from ..image.inspect import inspect_image


@dataclass(frozen=True, slots=True)
class ArchiveLayer:
    """One layer as the archive stores it (bottom first)."""

    digest: str  # "sha256:<diff id>"
    size: int  # bytes of the layer tar
    member: str | None
    store_paths: tuple[str, ...]
    top_dirs: tuple[str, ...]
    comment: str = ""  # the config history entry's comment (nix2image says what the layer holds)


@dataclass(frozen=True, slots=True)
class LegacyLayer:
    """A ``<id>/json`` entry of the legacy (``docker save`` v1) form: id and parent id."""

    id: str
    parent: str | None


@dataclass(slots=True)
class ArchiveFacts:
    """Everything the report shows about a written image."""

    format: str  # docker-archive | oci-archive | oci
    linking: str  # manifest | parents | both | oci
    repo_tags: list[str]
    config_digest: str
    config: dict[str, Any]  # the whole image config document
    layers: list[ArchiveLayer]
    manifest_json: str | None = None  # as stored
    repositories_json: str | None = None
    legacy_chain: list[LegacyLayer] = field(default_factory=list)  # top first, as the repositories entry names it

    @property
    def total_size(self) -> int:
        return sum(layer.size for layer in self.layers)


def _raw_members(path: str, workdir: str) -> dict[str, bytes]:
    """manifest.json, repositories, the config and the ``<id>/json`` files of a docker-archive."""
    plain = safety.plain_tar(path, workdir)
    tf, members = safety.open_members(plain, path)
    out: dict[str, bytes] = {}
    with tf:
        for name, ti in members.items():
            if ti.isreg() and (name in ("manifest.json", "repositories") or name.endswith(".json")
                               or (name.endswith("/json") and name.count("/") == 1)):
                out[name] = safety.read_member(tf, ti, path)
    return out


def _legacy_chain(raw: dict[str, bytes], repositories: dict[str, Any] | None) -> list[LegacyLayer]:
    if not repositories:
        return []
    parents: dict[str, str | None] = {}
    for name, data in raw.items():
        if name.endswith("/json") and name.count("/") == 1:
            try:
                doc = json.loads(data)
            except ValueError:
                continue
            parents[name[:-5]] = doc.get("parent")
    chain: list[LegacyLayer] = []
    top = next((i for tags in repositories.values() for i in (tags or {}).values()), None)
    seen: set[str] = set()
    while top and top not in seen and top in parents:
        seen.add(top)
        chain.append(LegacyLayer(top, parents[top]))
        top = parents[top]
    return chain


def read_archive(path: str) -> ArchiveFacts:
    """Facts about the first image of ``path`` (docker-archive, OCI archive or OCI layout)."""
    info = inspect_image(path)
    if not info.get("images"):
        raise UserError(f"{path} holds no image")
    img = info["images"][0]
    raw: dict[str, bytes] = {}
    if info["format"] == "docker-archive":
        workdir = tempfile.mkdtemp(prefix="nix2image-report-")
        try:
            raw = _raw_members(path, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    config_name = img["config_digest"].split(":", 1)[1] + ".json"
    config: dict[str, Any] = {}
    if config_name in raw:
        config = json.loads(raw[config_name])
    else:  # OCI forms: what inspect read
        config = {"architecture": img.get("architecture"), "os": img.get("os"), "created": img.get("created"),
                  "config": img.get("config") or {}}
    history = [h for h in config.get("history", []) if not h.get("empty_layer")]
    layers = []
    for i, layer in enumerate(img["layers"]):
        comment = history[i].get("comment", "") if i < len(history) else ""
        layers.append(ArchiveLayer(layer["digest"], layer["size"], layer.get("member"),
                                   tuple(layer.get("store_paths", ())), tuple(layer.get("top_dirs", ())), comment))
    repositories = json.loads(raw["repositories"]) if "repositories" in raw else None
    return ArchiveFacts(
        format=info["format"], linking=info["linking"], repo_tags=list(img["tags"]),
        config_digest=img["config_digest"], config=config, layers=layers,
        manifest_json=raw["manifest.json"].decode() if "manifest.json" in raw else None,
        repositories_json=raw["repositories"].decode() if "repositories" in raw else None,
        legacy_chain=_legacy_chain(raw, repositories))
