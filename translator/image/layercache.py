"""A content-addressed cache of finished store layers, so that a rebuild re-tars only what changed.

A store layer's bytes are a function of its store paths (in order), their contents and the tar
options (forced mtime/uid/gid/uname/gname, the writer's format, the compression). Store path
contents never change, so :func:`layer_key` hashes exactly those inputs: each path's
``narHash`` when the spec knows it (plus where the content is read from and that directory's
identity, so a placeholder and the real package never share an entry), else a fingerprint of
its tree's metadata (names, types, modes, sizes, mtimes, ctimes, inodes: the walk a build does
anyway, without reading a byte of content).

Layout under :func:`default_dir` (``$XDG_CACHE_HOME/nix2image/layers``)::

    v1/<key[:2]>/<key>.blob   the layer as written (plain tar, or gzip/zstd for OCI output)
    v1/<key[:2]>/<key>.json   its digest, diff_id, sizes and the blob file's identity
    outputs/<hash>.output     per docker-archive output path: the fingerprint of the archive a
                              build wrote there and that file's identity (JSON), so that a
                              rebuild of the same image leaves it in place

Both are written through a temporary file put into place (blob first - linked, so a blob another
build just stored is kept - then the record), so a reader sees a whole entry or none, and two
builds making the same layer end with one blob and a record describing it. An entry is *corrupt* when its record does not parse, or the blob's
size, inode or mtime differ from what the record saw when it was stored (any write to the blob
moves its mtime), or a sample of its bytes (start, end and 14 blocks between) no longer hashes as
recorded: it is then ignored and the layer rebuilt and stored again. (The ctime is not used: an
OCI layout's blob may be a hard link to the entry, and linking or unlinking moves the ctime.) Use refreshes the
record's mtime (never the blob's), and when the cache grows past its bound the least recently
used entries are removed under an exclusive ``flock``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Mapping

from .. import scratch
from ..cachedir import cache_home

#: Bump when the bytes the tar writer produces for the same inputs change.
WRITER_VERSION = "pax-v1"
#: Bump when what a key covers changes (v2: tree fingerprints in directory order).
KEY_VERSION = 2
#: Default bound of the cache (bytes); ``NIX2IMAGE_LAYER_CACHE_SIZE`` overrides it (``10G``, ``500M``).
DEFAULT_MAX_BYTES = 10 << 30
SAMPLE_BLOCK = 4096
SAMPLE_BLOCKS = 16


def default_dir() -> Path:
    """``layers`` in the cache directory (:func:`translator.cachedir.cache_home`)."""
    return Path(cache_home("layers"))


def parse_size(text: str) -> int:
    """``"10G"``, ``"500M"``, ``"64K"`` or plain bytes."""
    t = text.strip().upper().removesuffix("B")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(t[-1:], 1)
    num = t[:-1] if mult != 1 else t
    return int(float(num) * mult)


def default_max_bytes() -> int:
    env = os.environ.get("NIX2IMAGE_LAYER_CACHE_SIZE")
    if env:
        try:
            return max(0, parse_size(env))
        except ValueError:
            pass
    return DEFAULT_MAX_BYTES


# --- keys ------------------------------------------------------------------------------------

def tree_fingerprint(location: str) -> str:
    """A hash of the metadata of everything under ``location`` (not following symlinks): any
    file added, removed, renamed, rewritten or re-moded changes it; no content is read (see
    :func:`translator.store.fsstate.tree_state`)."""
    from ..store.fsstate import tree_state

    return tree_state(location)[0]


def tree_fingerprints(locations: list[str]) -> dict[str, str]:
    """:func:`tree_fingerprint` of each location, the walks shared by two processes when there
    are many (:func:`translator.store.fsstate.tree_states`)."""
    from ..store.fsstate import tree_states

    unique = list(dict.fromkeys(locations))
    return {loc: state[0] for loc, state in zip(unique, tree_states(unique))}


def layer_key(paths: tuple[str, ...] | list[str], nar_hashes: Mapping[str, str | None], content: Any,
              owner: Any, compression: str = "none", fingerprints: Mapping[str, str] | None = None) -> str:
    """The cache key of a store layer: its paths in order, each path's narHash (or tree
    fingerprint) and content location, the forced tar metadata, the writer and the compression.
    ``fingerprints`` may hold the tree fingerprints already taken (by location)."""
    items = []
    for p in paths:
        loc = content.location(p)
        nh = nar_hashes.get(p)
        if nh:
            st = os.lstat(loc)
            items.append([p, nh, loc, st.st_ino, st.st_ctime_ns])
        else:
            fp = fingerprints.get(loc) if fingerprints is not None else None
            items.append([p, None, loc, fp if fp is not None else tree_fingerprint(loc)])
    doc = {"key": KEY_VERSION, "writer": WRITER_VERSION, "compression": compression,
           "owner": [owner.mtime, owner.uid, owner.gid, owner.uname, owner.gname], "paths": items}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode("utf-8", "surrogateescape")).hexdigest()


def copy_range(src: int, dst: int, size: int, src_offset: int = 0) -> None:
    """Copy ``size`` bytes of ``src`` from ``src_offset`` to the start of ``dst`` (in the kernel
    with ``copy_file_range`` when the filesystems allow, else read/write)."""
    done = 0
    while done < size:
        try:
            n = os.copy_file_range(src, dst, size - done, src_offset + done, done)
        except OSError:
            n = 0
        if n <= 0:
            break
        done += n
    while done < size:
        b = os.pread(src, min(1 << 20, size - done), src_offset + done)
        if not b:
            raise OSError("the source ended early")
        os.pwrite(dst, b, done)
        done += len(b)


# --- entries ---------------------------------------------------------------------------------

@dataclass(slots=True)
class CachedLayer:
    """A cache hit: ``size`` bytes of the open file ``fd`` (the blob), with its digests."""

    key: str
    path: str
    fd: int
    digest: str  # hex sha256 of the blob as stored (compressed for gzip/zstd)
    diff_id: str  # hex sha256 of the uncompressed tar
    size: int
    raw_size: int  # uncompressed tar size

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _sample(fd: int, size: int) -> str:
    """SHA-256 of a fixed sample of the file's blocks (cheap, catches overwritten bytes)."""
    h = hashlib.sha256()
    if size <= SAMPLE_BLOCK * SAMPLE_BLOCKS:
        offsets = [0]
        n = size
    else:
        n = SAMPLE_BLOCK
        step = (size - SAMPLE_BLOCK) // (SAMPLE_BLOCKS - 1)
        offsets = [i * step for i in range(SAMPLE_BLOCKS)]
    for off in offsets:
        h.update(os.pread(fd, n, off))
    return h.hexdigest()


class LayerCache:
    """The cache directory (see the module docstring). ``max_bytes`` bounds its size."""

    def __init__(self, root: str | Path | None = None, max_bytes: int | None = None) -> None:
        self.root = Path(root) if root is not None else default_dir()
        self.dir = self.root / "v1"
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes
        self.hits = 0
        self.misses = 0
        self.corrupt = 0
        self._total: int | None = None  # bytes in the cache as last counted, plus what this process added

    def _paths(self, key: str) -> tuple[Path, Path]:
        d = self.dir / key[:2]
        return d / f"{key}.blob", d / f"{key}.json"

    def recorded_size(self, key: str) -> int | None:
        """The uncompressed size the record of ``key`` states (unchecked; None without one)."""
        try:
            size = json.loads(self._paths(key)[1].read_bytes()).get("raw_size")
        except (OSError, ValueError, AttributeError):
            return None
        return size if type(size) is int else None

    def get(self, key: str) -> CachedLayer | None:
        """The entry for ``key``, opened and checked, or None (missing or corrupt)."""
        blob, rec = self._paths(key)
        try:
            meta = json.loads(rec.read_bytes())
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError):
            self.corrupt += 1
            return None
        try:
            fd = os.open(blob, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self.misses += 1
            return None
        try:
            st = os.fstat(fd)
            ok = (isinstance(meta, dict) and meta.get("stat") == [st.st_size, st.st_ino, st.st_mtime_ns]
                  and meta.get("size") == st.st_size and meta.get("sample") == _sample(fd, st.st_size))
            if not ok:
                os.close(fd)
                self.corrupt += 1
                return None
            hit = CachedLayer(key, str(blob), fd, meta["digest"], meta["diff_id"], meta["size"], meta["raw_size"])
        except (OSError, KeyError, TypeError):
            os.close(fd)
            self.corrupt += 1
            return None
        try:
            os.utime(rec)  # least-recently-used order lives in the records' mtimes
        except OSError:
            pass
        self.hits += 1
        return hit

    def new_file(self, key: str) -> "PendingEntry":
        """A temporary file in the cache to write a layer into; :meth:`PendingEntry.commit` stores it."""
        blob, _ = self._paths(key)
        scratch.sweep_subdirs_once(str(self.dir))  # temporary files of killed builds
        blob.parent.mkdir(parents=True, exist_ok=True)
        tmp = scratch.temp_name(str(blob.parent), blob.name)  # named for its owner: swept if killed
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        return PendingEntry(self, key, fd, tmp)

    def put_range(self, key: str, src_fd: int, offset: int, size: int, *, digest: str, diff_id: str | None = None,
                  raw_size: int | None = None) -> None:
        """Store ``size`` bytes of ``src_fd`` from ``offset`` (in-kernel copy) as the entry ``key``."""
        pending = self.new_file(key)
        try:
            copy_range(src_fd, pending.fd, size, offset)
            pending.commit(digest, diff_id or digest, size, raw_size if raw_size is not None else size)
        except BaseException:
            pending.discard()
            raise

    def put_file(self, key: str, path: str, fd: int, size: int, *, digest: str, diff_id: str, raw_size: int) -> None:
        """Store the finished, read-only file ``path`` (open as ``fd``, ``size`` bytes: an OCI
        layout's blob) as the entry ``key`` by hard-linking it: no bytes copied. The layout and the
        cache then share the file, as a warm build's layout shares the cache's (a write to it moves
        its mtime, and the cache then rebuilds the entry). Across filesystems it is copied."""
        blob, _ = self._paths(key)
        scratch.sweep_subdirs_once(str(self.dir))
        blob.parent.mkdir(parents=True, exist_ok=True)
        tmp = scratch.temp_name(str(blob.parent), blob.name)
        try:
            os.link(path, tmp)
        except OSError:
            self.put_range(key, fd, 0, size, digest=digest, diff_id=diff_id, raw_size=raw_size)
            return
        try:
            self._commit(key, tmp, fd, digest, diff_id, size, raw_size)
        finally:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass

    def _commit(self, key: str, tmp: str, fd: int, digest: str, diff_id: str, size: int, raw_size: int) -> None:
        """Install the finished temporary file ``tmp`` (open as ``fd``) as the entry ``key``.

        The blob is hard-linked into place, which fails if another build stored the same layer
        meanwhile: its file then stays (it holds the same bytes - checked by size and sample) and
        both records describe it, so concurrent builds never leave a record naming another file.
        A stale or damaged blob is replaced.
        """
        blob, rec = self._paths(key)
        os.fchmod(fd, 0o444)
        if os.fstat(fd).st_size != size:
            raise OSError(f"layer cache: wrote {os.fstat(fd).st_size} bytes, expected {size}")
        ours = _sample(fd, size)
        try:
            os.link(tmp, blob)
        except FileExistsError:
            try:
                with open(blob, "rb") as f:
                    same = os.fstat(f.fileno()).st_size == size and _sample(f.fileno(), size) == ours
            except OSError:
                same = False
            if not same:
                os.replace(tmp, blob)
        finally:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        st = os.stat(blob)
        meta = {"digest": digest, "diff_id": diff_id, "size": size, "raw_size": raw_size,
                "stat": [st.st_size, st.st_ino, st.st_mtime_ns], "sample": ours}
        rtmp = scratch.temp_name(str(rec.parent), rec.name)
        rfd = os.open(rtmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(rfd, "w") as f:
            json.dump(meta, f)
        os.replace(rtmp, rec)
        # count the cache once per process, then add what is stored; recount (and evict) only when
        # the estimate passes the bound (other processes' additions are seen at that recount)
        if self._total is None:
            self._total = self.size()
        else:
            self._total += size
        if self._total > self.max_bytes:
            self.evict(keep=key)

    # --- outputs ---------------------------------------------------------------------------

    def _output_record(self, output: str) -> Path:
        return self.root / "outputs" / (hashlib.sha256(os.path.abspath(output).encode("utf-8", "surrogateescape"))
                                        .hexdigest()[:40] + ".output")

    @staticmethod
    def _output_identity(output: str) -> list | None:
        """``[dev, ino, size, mtime_ns, ctime_ns, sample]`` of the file at ``output`` (None: none).
        Any write, truncation, chmod or replacement of the file changes its ctime."""
        try:
            fd = os.open(output, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None
            return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, _sample(fd, st.st_size)]
        except OSError:
            return None
        finally:
            os.close(fd)

    def output_fingerprint(self, output: str) -> str | None:
        """The fingerprint of the archive a build wrote to ``output`` (see
        :meth:`remember_output`), if the file there is still that very file, untouched since."""
        try:
            meta = json.loads(self._output_record(output).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("path") != os.path.abspath(output):
            return None
        ident = self._output_identity(output)
        if ident is None or meta.get("identity") != ident or not isinstance(meta.get("fingerprint"), str):
            return None
        return meta["fingerprint"]

    def remember_output(self, output: str, fingerprint: str) -> None:
        """Note that the file now at ``output`` holds the archive with ``fingerprint`` (its identity:
        device, inode, size, times and a sample of its bytes), so that a rebuild of the same image
        can leave it in place. Best effort: a record that cannot be written is skipped."""
        ident = self._output_identity(output)
        if ident is None:
            return
        rec = self._output_record(output)
        try:
            rec.parent.mkdir(parents=True, exist_ok=True)
            tmp = scratch.temp_name(str(rec.parent), rec.name)
            with open(tmp, "x") as f:
                json.dump({"path": os.path.abspath(output), "identity": ident, "fingerprint": fingerprint}, f)
            os.replace(tmp, rec)
        except OSError:
            pass

    # --- eviction --------------------------------------------------------------------------

    def entries(self) -> list[tuple[float, int, str]]:
        """``(last use, blob bytes, key)`` of every entry."""
        out = []
        if not self.dir.is_dir():
            return out
        for sub in self.dir.iterdir():
            if not sub.is_dir():
                continue
            for rec in sub.glob("*.json"):
                key = rec.name[:-5]
                try:
                    used = rec.stat().st_mtime
                    size = (sub / f"{key}.blob").stat().st_size
                except OSError:
                    continue
                out.append((used, size, key))
        return out

    def size(self) -> int:
        return sum(s for _, s, _ in self.entries())

    def evict(self, keep: str | None = None) -> list[str]:
        """Remove least recently used entries until the cache fits ``max_bytes``; returns their keys."""
        self.dir.mkdir(parents=True, exist_ok=True)
        removed = []
        with open(self.dir / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            entries = sorted(self.entries())
            total = sum(s for _, s, _ in entries)
            for _used, size, key in entries:
                if total <= self.max_bytes:
                    break
                if key == keep:
                    continue
                self.remove(key)
                removed.append(key)
                total -= size
            self._total = total
        return removed

    def remove(self, key: str) -> None:
        blob, rec = self._paths(key)
        for p in (rec, blob):  # record first: a reader never trusts a blob without its record
            try:
                p.unlink()
            except FileNotFoundError:
                pass


class PendingEntry:
    """A layer being written into the cache (a temporary file); commit or discard it."""

    def __init__(self, cache: LayerCache, key: str, fd: int, tmp: str) -> None:
        self.cache, self.key, self.fd, self.tmp = cache, key, fd, tmp
        self.file = os.fdopen(fd, "wb", buffering=0, closefd=False)

    def write(self, b) -> int:
        return self.file.write(b)

    def commit(self, digest: str, diff_id: str, size: int, raw_size: int) -> None:
        try:
            self.cache._commit(self.key, self.tmp, self.fd, digest, diff_id, size, raw_size)
        finally:
            self.close()

    def discard(self) -> None:
        self.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass

    def close(self) -> None:
        if self.fd >= 0:
            self.file.close()
            os.close(self.fd)
            self.fd = -1
