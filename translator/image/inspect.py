"""``nix2image inspect``: what an image archive or layout holds.

For each image: tags, config (the ``config`` object, created, architecture, os), and each layer's
digest, size and contents summary (the store paths it holds, or its top-level directories).
For the archive: how layers are linked - ``manifest`` (manifest.json), ``parents`` (legacy
``repositories`` + ``json.parent`` chain), ``both`` - or ``oci`` for an OCI layout.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
from typing import Any

from ..errors import UserError
from . import safety
from .docker_archive import _from_manifest, _from_parents, _json
from .model import ImageData
from .subfile import SubFile


def layer_summary(path: str, offset: int, size: int) -> dict[str, Any]:
    """Store paths (``/nix/store/<name>``) and top-level directories of one layer tar."""
    store: list[str] = []
    top: list[str] = []
    entries = 0
    with SubFile(path, offset, size) as f:
        try:
            with tarfile.open(fileobj=f, mode="r:") as tf:
                for ti in tf:
                    entries += 1
                    n = ti.name
                    while n.startswith("./"):
                        n = n[2:]
                    n = n.lstrip("/")
                    parts = [p for p in n.split("/") if p]
                    if not parts:
                        continue
                    if len(parts) >= 3 and parts[0] == "nix" and parts[1] == "store":
                        sp = "/nix/store/" + parts[2]
                        if not store or store[-1] != sp:
                            if sp not in store:
                                store.append(sp)
                    elif parts[0] not in top and not (parts[0] == "nix" and len(parts) <= 2):
                        top.append(parts[0])
        except tarfile.TarError as err:
            return {"error": f"not a readable tar: {err}"}
    return {"store_paths": store, "top_dirs": top, "entries": entries}


def _image_dict(img: ImageData) -> dict[str, Any]:
    cfg = img.config
    return {
        "tags": img.repo_tags,
        "config_digest": "sha256:" + img.config_digest,
        "created": cfg.get("created"),
        "architecture": cfg.get("architecture"),
        "os": cfg.get("os"),
        "config": cfg.get("config") or {},
        "layers": [dict({"digest": "sha256:" + l.blob.digest, "size": l.blob.size, "member": l.member},
                        **layer_summary(l.blob.path, l.blob.offset, l.blob.size))
                   for l in img.layers],
    }


def inspect_image(path: str) -> dict[str, Any]:
    """A JSON-able description of every image in ``path`` (docker-archive, OCI archive or layout)."""
    workdir = tempfile.mkdtemp(prefix="nix2image-inspect-")
    try:
        if os.path.isdir(path):
            from .oci_layout import read_oci_dir

            return {"path": path, "format": "oci", "linking": "oci",
                    "images": [_image_dict(read_oci_dir(path, workdir))]}
        plain = safety.plain_tar(path, workdir)
        tf, members = safety.open_members(plain, path)
        with tf:
            if "oci-layout" in members:
                from .oci_layout import read_oci_tar

                return {"path": path, "format": "oci-archive", "linking": "oci",
                        "images": [_image_dict(read_oci_tar(plain, tf, members, path, workdir))]}
            manifest = (_json(safety.read_member(tf, members["manifest.json"], path), path, "manifest.json")
                        if "manifest.json" in members else None)
            repositories = (_json(safety.read_member(tf, members["repositories"], path), path, "repositories")
                            if "repositories" in members else None)
            has_parents = bool(repositories) and any(
                n.endswith("/json") and "/" not in n[:-5] for n in members)
            if manifest is None and not repositories:
                raise UserError(f"{path} is not a docker-archive or OCI image: no manifest.json, repositories or oci-layout")
            linking = "both" if manifest is not None and has_parents else ("manifest" if manifest is not None else "parents")
            images = []
            seen_tags: set[str] = set()
            if manifest is not None and not isinstance(manifest, list):
                raise UserError(f"image archive {path}: manifest.json is not a list")
            if repositories is not None and not isinstance(repositories, dict):
                raise UserError(f"image archive {path}: repositories is not an object")
            for entry in manifest or []:
                img = _from_manifest(plain, tf, members, entry, path, verify=False)
                images.append(_image_dict(img))
                seen_tags.update(img.repo_tags)
            for repo, tagmap in (repositories or {}).items():
                for t in (tagmap if isinstance(tagmap, dict) else {}):
                    if f"{repo}:{t}" in seen_tags:
                        continue
                    img = _from_parents(plain, tf, members, repositories, path, repo, t)
                    d = _image_dict(img)
                    d["linked_by"] = "parents"
                    images.append(d)
            return {"path": path, "format": "docker-archive", "linking": linking, "images": images}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def render(info: dict[str, Any]) -> str:
    """Human-readable text for :func:`inspect_image`'s result."""
    lines = [f"{info['path']}: {info['format']}, layers linked by {info['linking']}"]
    for img in info["images"]:
        lines.append(f"image {', '.join(img['tags']) or '(untagged)'}")
        lines.append(f"  config {img['config_digest']}  created {img['created']}  {img['os']}/{img['architecture']}")
        lines.append("  config: " + json.dumps(img["config"], sort_keys=True))
        for i, l in enumerate(img["layers"], 1):
            lines.append(f"  layer {i}: {l['digest']}  {l['size']} bytes  ({l.get('member')})")
            if l.get("error"):
                lines.append(f"    {l['error']}")
                continue
            for p in l["store_paths"]:
                lines.append(f"    {p}")
            if l["top_dirs"]:
                lines.append(f"    top: {' '.join('/' + d for d in l['top_dirs'])}")
    return "\n".join(lines)
