"""Local caches of the registry side.

* :class:`BlobMap`: for each layer (by its uncompressed ``diff_id``) and compression, the digest
  and size of the compressed blob, so that a later push can ``HEAD`` the registry without
  compressing anything again; also which repositories of which registry hold a blob (for
  cross-repository mounts). One JSON file, rewritten through a temporary file and a rename.
* :class:`PullCache`: the offline base-image cache, content-addressed by manifest digest:
  ``DIR/sha256/<hex>/image.tar`` (an uncompressed docker-archive) plus ``meta.json``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .. import scratch
from ..cachedir import cache_home


def default_cache_dir() -> Path:
    return Path(cache_home())


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = scratch.temp_name(str(path.parent), path.name)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@dataclass(frozen=True, slots=True)
class CompressedBlob:
    digest: str
    size: int


class BlobMap:
    """diff_id + compression -> compressed blob; registry -> digest -> repositories holding it;
    layer inputs -> diff_id (see :mod:`.build_push`)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_dir() / "blobmap.json"
        try:
            self.data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.data = {}
        self.data.setdefault("compressed", {})
        self.data.setdefault("repos", {})
        self.data.setdefault("layers", {})

    def layer(self, key: str) -> tuple[str, int] | None:
        """``(diff_id, size)`` of a layer built before from the inputs ``key`` stands for."""
        entry = self.data["layers"].get(key)
        return (entry["diff_id"], entry["size"]) if entry else None

    def remember_layer(self, key: str, diff_id: str, size: int) -> None:
        self.data["layers"][key] = {"diff_id": diff_id, "size": size}

    def compressed(self, diff_id: str, compression: str) -> CompressedBlob | None:
        entry = self.data["compressed"].get(f"{compression}:{diff_id}")
        return CompressedBlob(entry["digest"], entry["size"]) if entry else None

    def remember_compressed(self, diff_id: str, compression: str, blob: CompressedBlob) -> None:
        self.data["compressed"][f"{compression}:{diff_id}"] = {"digest": blob.digest, "size": blob.size}

    def repos_with(self, registry: str, digest: str) -> list[str]:
        return list(self.data["repos"].get(registry, {}).get(digest, []))

    def remember_repo(self, registry: str, digest: str, repo: str) -> None:
        repos = self.data["repos"].setdefault(registry, {}).setdefault(digest, [])
        if repo not in repos:
            repos.append(repo)

    def save(self) -> None:
        write_atomic(self.path, json.dumps(self.data, indent=1, sort_keys=True).encode())


class PullCache:
    """Base images by manifest digest, as uncompressed docker-archives (what pullImage yields)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def entry_dir(self, digest: str) -> Path:
        algo, _, hexpart = digest.partition(":")
        return self.root / algo / hexpart

    def archive(self, digest: str) -> Path | None:
        path = self.entry_dir(digest) / "image.tar"
        return path if path.is_file() else None

    def meta(self, digest: str) -> dict:
        try:
            return json.loads((self.entry_dir(digest) / "meta.json").read_text())
        except (OSError, ValueError):
            return {}
