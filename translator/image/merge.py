"""``mergeImages``: one docker-archive holding several images.

As nixpkgs: every input's files go into one archive (identical layers once), the
``manifest.json`` entries are concatenated in input order and the ``repositories`` objects are
merged (same repository name: tags joined). ``docker load``/``podman load`` then load them all.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

from ..errors import UsageError, UserError
from . import config as cfgmod
from . import safety
from .docker_archive import ArchiveWriter, _json
from .model import Blob
from .outcome import BuildResult
from .tarwriter import file_info


def merge_images(spec, out, opts, workdir, build_one):
    """Build each image of ``spec.images`` with ``build_one(sub_spec, stream, scratch_dir)`` and
    merge the archives into ``out``."""
    if opts.format != "docker-archive":
        raise UsageError("error: mergeImages writes a docker-archive; --format oci/oci-archive hold one image")
    if not spec.images:
        raise UserError(f"mergeImages of {spec.name!r} has no images")
    parts = []
    for i, sub in enumerate(spec.images):
        d = tempfile.mkdtemp(prefix=f"merge-{i}-", dir=workdir)
        p = os.path.join(d, "image.tar")
        with open(p, "wb") as f:
            build_one(sub, f, d)
        parts.append(p)
    return merge_archives(parts, out, cfgmod.epoch(spec.mtime), workdir)


def merge_archives(paths: list[str], out, mtime: int, workdir: str):
    """Merge docker-archives ``paths`` (manifest form) into the stream ``out``."""
    w = ArchiveWriter(out, mtime=mtime, spool_dir=workdir)
    manifest: list = []
    repositories: dict = {}
    for path in paths:
        plain = safety.plain_tar(path, workdir)
        tf, members = safety.open_members(plain, path)
        with tf:
            for name, ti in members.items():
                if name in ("manifest.json", "repositories"):
                    continue
                if ti.isdir():
                    if name not in w.names:
                        w.add_dir(name)
                    continue
                if not ti.isreg():
                    raise UserError(f"mergeImages: {path} member {name} is not a regular file")
                hdr = file_info(name, ti.size, mode=ti.mode, mtime=ti.mtime, uid=ti.uid, gid=ti.gid,
                                uname=ti.uname, gname=ti.gname)
                w.add_member(hdr, blob=Blob("", ti.size, plain, ti.offset_data))
            if "manifest.json" in members:
                manifest.extend(_json(safety.read_member(tf, members["manifest.json"], path), path, "manifest.json"))
            if "repositories" in members:
                for repo, tags in _json(safety.read_member(tf, members["repositories"], path), path, "repositories").items():
                    repositories.setdefault(repo, {}).update(tags)
    w.add_bytes("manifest.json", json.dumps(manifest, separators=(",", ":")).encode())
    if repositories:
        w.add_bytes("repositories", json.dumps(repositories, separators=(",", ":")).encode())
    w.close()
    tags = [t for e in manifest for t in (e.get("RepoTags") or [])]
    return BuildResult(output="", format="docker-archive", repo_tag=" ".join(tags),
                       config_digest=hashlib.sha256(json.dumps(manifest).encode()).hexdigest())
