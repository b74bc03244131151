"""A cache of parsed Nix files, so that the modelled nixpkgs is not parsed again on every run.

An entry is the AST of one file, keyed by the file's path (positions name it), its content and
the parser's own fingerprint (its source files and the grammar), stored in the user's cache
directory (``$XDG_CACHE_HOME/nix2image/ast``, default ``~/.cache/nix2image/ast``). Entries are
written to a temporary file and renamed into place, so two processes racing on one entry both
end with a whole file; an unreadable or malformed entry is ignored and the file parsed again.

The AST is stored with :mod:`marshal` as flat tuples (:mod:`.ast_codec`: one record per node,
children by index), which loads faster than :mod:`pickle` of slotted dataclasses; nodes shared
in the tree (the ``e`` of ``inherit (e) a b;``) stay shared. Every parsed file is cached
(nix2image's modelled nixpkgs, a real nixpkgs tree, users' files), as Python caches bytecode: a
file edited since gets a new key. The cache is bounded (``NIX2IMAGE_AST_CACHE_MB``, default 512 MB): an entry's mtime is
refreshed when it is used (at most once a day), and a process that wrote new entries removes
the least recently used ones beyond the bound at exit (at most one such sweep an hour, marked by
the mtime of ``.swept``, so that short runs do not rescan a large cache).

An entry also records the global scopes (by :func:`scope_key`) in which the file's variables were
found bound (Nix's parse-time ``undefined variable`` check, :mod:`.bind_check`): a file read
from the cache again in such a scope is not walked a second time (:func:`bound_in`,
:func:`mark_bound`).
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import time
from stat import S_ISREG

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Callable

from . import ast
from .ast_codec import decode, encode
from ..cachedir import cache_home
from ..store.fsstate import last_change, settled

_FORMAT = 3
_fingerprint: str | None = None
_sweep_registered = False
_TOUCH_AFTER = 86_400  # seconds: refresh a used entry's mtime (its recency) at most this often
_SWEEP_EVERY = 3_600  # seconds between sweeps of the cache (any process)
#: id(root node) -> (root node, entry file, scope keys it was checked in), for roots read or
#: written this process (the node is held, so its id cannot be reused by another object)
_origin: dict[int, tuple[ast.Expr, str, tuple]] = {}


def cache_dir() -> str:
    return cache_home("ast")


def parser_fingerprint() -> str:
    """A hash of the code that decides what an AST looks like (any change invalidates entries)."""
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.sha256(f"{_FORMAT}:{marshal.version}".encode())
        here = os.path.dirname(os.path.abspath(__file__))
        for name in ("parser.py", "lexer.py", "ast.py", "paths.py", "parse_cache.py", "ast_codec.py",
                     os.path.join("..", "grammar", "nix.lark")):
            try:
                with open(os.path.join(here, name), "rb") as fh:
                    h.update(fh.read())
            except OSError:
                h.update(name.encode())
        _fingerprint = h.hexdigest()[:16]
    return _fingerprint


def cache_bound() -> int:
    """The cache's size bound in bytes (``NIX2IMAGE_AST_CACHE_MB``; 0 turns the cache off)."""
    try:
        return int(float(os.environ.get("NIX2IMAGE_AST_CACHE_MB", "512")) * 1024 * 1024)
    except ValueError:
        return 512 * 1024 * 1024


def parse_cached(path: str, text: str, parse: Callable[[], ast.Expr]) -> ast.Expr:
    """The AST of ``path`` (content ``text``) from the cache, or ``parse()`` stored there."""
    if cache_bound() <= 0:
        return parse()
    return _cached(_content_key(path, text), parse)


def parse_cached_file(path: str, st: os.stat_result, read: Callable[[], str],
                      parse: Callable[[str], ast.Expr]) -> ast.Expr:
    """The AST of the file ``path`` whose ``stat`` is ``st``. Entries are keyed by content (as
    :func:`parse_cached`); a settled regular file is first looked up by its identity (device,
    inode, size, mtime, ctime) in a small reference naming its content's entry, so that a hit
    neither reads nor hashes the file (4 MB for a real nixpkgs' bootstrap), while a file whose
    identity changed but not its content (touched, checked out again) is read and hashed, not
    parsed. Any write moves the ctime, which nobody can set back; a file changed within the last
    two seconds, or one that is not a regular file (a pipe), is not looked up by identity (see
    :mod:`translator.store.fsstate`)."""
    if cache_bound() <= 0:
        return parse(read())
    if not S_ISREG(st.st_mode) or not settled(last_change(st)):
        text = read()
        return parse_cached(path, text, lambda: parse(text))
    ident = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
    ref = _entry_file(hashlib.sha256(f"{parser_fingerprint()}\0{path}\0file\0{ident}".encode()).hexdigest(), ".ref")
    try:
        with open(ref, "rb") as fh:
            key = fh.read().decode("ascii")
            mtime = os.fstat(fh.fileno()).st_mtime
        node = _load(_entry_file(key, ".ast"))
        if node is not None:
            if time.time() - mtime > _TOUCH_AFTER:
                os.utime(ref)
            return node
    except (OSError, ValueError):
        pass
    text = read()
    key = _content_key(path, text)
    node = _cached(key, lambda: parse(text))
    try:
        _write_file(ref, key.encode("ascii"))
    except OSError:
        pass
    return node


def _content_key(path: str, text: str) -> str:
    return hashlib.sha256(f"{parser_fingerprint()}\0{path}\0".encode() + text.encode("utf-8", "surrogateescape")).hexdigest()


def _entry_file(key: str, suffix: str) -> str:
    return os.path.join(cache_dir(), key[:2], key[2:] + suffix)


def _load(entry: str) -> ast.Expr | None:
    """The AST stored in ``entry``, or None when it is absent, unreadable or malformed."""
    try:
        with open(entry, "rb") as fh:
            data, scopes = marshal.loads(fh.read())  # marshal.load(fh) reads the file in tiny pieces
            mtime = os.fstat(fh.fileno()).st_mtime
        node = decode(data)
    except Exception:  # noqa: BLE001 - absent, unreadable or malformed: parse again
        return None
    _origin[id(node)] = (node, entry, scopes)
    if time.time() - mtime > _TOUCH_AFTER:
        try:
            os.utime(entry)
        except OSError:
            pass
    return node


def _cached(key: str, parse: Callable[[], ast.Expr]) -> ast.Expr:
    entry = _entry_file(key, ".ast")
    node = _load(entry)
    if node is not None:
        return node
    node = parse()
    try:
        _write_entry(entry, encode(node), ())
        _origin[id(node)] = (node, entry, ())
    except (OSError, ValueError):
        pass
    return node


def _write_entry(entry: str, data: object, scopes: tuple) -> None:
    _write_file(entry, marshal.dumps((data, scopes)))


def _write_file(path: str, data: bytes) -> None:
    from .. import scratch  # (only when writing: not on the start-up path of a cache hit)

    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = scratch.temp_name(os.path.dirname(path), os.path.basename(path))  # swept if we die
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    _register_sweep()


def scope_key(names: object) -> str:
    """A short key of a global scope: the hash of its sorted names."""
    return hashlib.sha256("\0".join(sorted(names)).encode()).hexdigest()[:16]


def bound_in(node: ast.Expr, key: str) -> bool:
    """Whether ``node`` is a file's AST from the cache whose variables were found bound in the
    global scope ``key`` (so the check need not run again)."""
    origin = _origin.get(id(node))
    return origin is not None and origin[0] is node and key in origin[2]


def mark_bound(node: ast.Expr, key: str) -> None:
    """Record in ``node``'s cache entry (if it has one) that its variables are bound in scope
    ``key``. The entry is rewritten (to a temporary file, renamed into place) once per file and
    scope, from its stored data rather than by encoding the tree again (a file's first run had
    encoded it twice); failing to read or write it only means the check runs again next time."""
    origin = _origin.get(id(node))
    if origin is None or origin[0] is not node or key in origin[2]:
        return
    scopes = origin[2] + (key,)
    _origin[id(node)] = (node, origin[1], scopes)
    try:
        with open(origin[1], "rb") as fh:
            data, _scopes = marshal.loads(fh.read())
        _write_entry(origin[1], data, scopes)
    except Exception:  # noqa: BLE001 - gone, unreadable or malformed: left as it is
        pass


def _register_sweep() -> None:
    global _sweep_registered
    if not _sweep_registered:
        _sweep_registered = True
        atexit.register(_sweep_if_due, cache_dir(), cache_bound())


def _sweep_if_due(root: str, bound: int) -> None:
    stamp = os.path.join(root, ".swept")
    try:
        if time.time() - os.stat(stamp).st_mtime < _SWEEP_EVERY:
            return
    except OSError:
        pass
    try:
        with open(stamp, "ab"):
            pass
        os.utime(stamp)
    except OSError:
        return
    sweep(root, bound)


def sweep(root: str, bound: int) -> None:
    """Remove the least recently used entries under ``root`` until their total size is within
    ``bound`` bytes (a racing process's removal of the same entry is not an error)."""
    entries = []
    total = 0
    try:
        for sub in os.scandir(root):
            if not sub.is_dir(follow_symlinks=False):
                continue
            for ent in os.scandir(sub.path):
                try:
                    st = ent.stat(follow_symlinks=False)
                except OSError:
                    continue
                entries.append((st.st_mtime, st.st_size, ent.path))
                total += st.st_size
    except OSError:
        return
    if total <= bound:
        return
    for _mtime, size, path in sorted(entries):
        try:
            os.unlink(path)
        except OSError:
            pass
        total -= size
        if total <= bound:
            break
