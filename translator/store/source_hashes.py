"""Content hashes of local sources kept across runs, keyed by their metadata.

Coercing a local path to a string (``"${./builder.sh}"``, ``"${./by-name/te/texlive}"``) names
the store path Nix would copy it to, which takes the hash of its NAR: every file read. A real
nixpkgs' stdenv bootstrap does this for 212 sources in every evaluation (43 ms, most of it in a
few directories of ``pkgs/by-name``). Nix does it again in every process too; nix2image keeps
the hashes, as Python keeps bytecode, in one file of the user's cache directory
(``sources.marshal``): the evaluator names it (:func:`configure`), since the store layer knows
nothing of nix2image's directories; without it nothing is kept.

An entry's key is what changes when anything under the path changes: for a file its device,
inode, size, mode, mtime and ctime; for a directory the same of every entry below it, walked
without reading a byte (:func:`.fsstate.tree_state`). A path changed less than two seconds ago
is not kept (the rules of :mod:`.fsstate`).

The file is read on the first lookup and, when new hashes were found, rewritten at exit (merged
with what another process wrote meanwhile; a temporary file renamed into place). A file that
does not load is ignored; at most :data:`MAX_ENTRIES` are kept, the ones used last.
"""

from __future__ import annotations

import atexit
import marshal
import os
import stat

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Callable

from .fsstate import last_change, settled, tree_state

MAX_ENTRIES = 20_000
_FORMAT = 1

#: key -> (algorithm, digest, NAR size), as loaded (None until the first lookup)
_known: dict | None = None
#: keys looked up or added in this process (kept first when the file is bounded), and added ones
_used: set = set()
_added: dict = {}
_exit_registered = False
#: the cache file and a maker of temporary names beside it (see :func:`configure`)
_file: str | None = None
_temp_name: Callable[[str, str], str] | None = None


def configure(cache_file: str | None, temp_name: Callable[[str, str], str] | None = None) -> None:
    """Keep hashes in ``cache_file`` (None: keep none), writing it through a temporary file named
    by ``temp_name(directory, name)`` (default: ``.NAME.PID.tmp``). A new file is read anew."""
    global _file, _temp_name, _known
    if cache_file != _file:
        _known = None
    _file, _temp_name = cache_file, temp_name


def key_of(path: str, st: os.stat_result, recursive: bool) -> tuple[tuple, int]:
    """(cache key, newest change in ns) of source ``path`` whose ``lstat`` (``stat`` when
    flat) is ``st``."""
    if stat.S_ISDIR(st.st_mode):
        fingerprint, newest = tree_state(path)
        return (path, recursive, "tree", fingerprint), newest
    ident = (st.st_dev, st.st_ino, st.st_size, st.st_mode, st.st_mtime_ns, st.st_ctime_ns)
    return (path, recursive, "file", ident), last_change(st)


def active() -> bool:
    """Whether hashes are kept at all (a cache file is configured)."""
    return _file is not None


def _read() -> dict:
    """The entries of the cache file as it is now; empty when absent, unreadable or malformed."""
    try:
        with open(_file, "rb") as fh:  # type: ignore[arg-type]
            fmt, entries = marshal.loads(fh.read())
    except Exception:  # noqa: BLE001 - any unreadable file: start empty
        return {}
    return entries if fmt == _FORMAT and isinstance(entries, dict) else {}


def _load() -> dict:
    global _known
    if _known is None:
        if _file is None:
            return {}
        _known = _read()
    return _known


def lookup(key: tuple) -> tuple[str, bytes, int] | None:
    """The (algorithm, digest, NAR size) kept for ``key``, or None."""
    hit = _load().get(key)
    if hit is not None:
        _used.add(key)
    return hit


def remember(key: tuple, newest_ns: int, value: tuple[str, bytes, int]) -> None:
    """Keep ``value`` for ``key`` (unless the source changed within the last two seconds)."""
    global _exit_registered
    if _file is None or not settled(newest_ns):
        return
    _load()[key] = value
    _added[key] = value
    _used.add(key)
    if not _exit_registered:
        _exit_registered = True
        atexit.register(save)


def save() -> None:
    """Write the kept hashes, merged with the file as it is now (another process may have added
    some), bounded to :data:`MAX_ENTRIES`; a failure to write loses nothing but time."""
    if not _added or _file is None:
        return
    merged = _read()  # (another process may have written it since it was loaded)
    merged.update(_added)
    if len(merged) > MAX_ENTRIES:  # keep this process's first, then the others as they come
        keep = {k: merged[k] for k in _used if k in merged}
        for k, v in merged.items():
            if len(keep) >= MAX_ENTRIES:
                break
            keep.setdefault(k, v)
        merged = keep
    try:
        path = _file
        folder, name = os.path.split(path)
        os.makedirs(folder, exist_ok=True)
        tmp = _temp_name(folder, name) if _temp_name else os.path.join(folder, f".{name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            marshal.dump((_FORMAT, merged), fh)
        os.replace(tmp, path)
        _added.clear()
    except (OSError, ValueError):
        pass
