"""A cache of parsed Nix files, so that the modelled nixpkgs is not parsed again on every run.

An entry is the AST of one file, keyed by the file's path (positions name it), its content and
the parser's own fingerprint (its source files and the grammar), stored in the user's cache
directory (``$XDG_CACHE_HOME/nix2image/ast``, default ``~/.cache/nix2image/ast``). Entries are
written to a temporary file and renamed into place, so two processes racing on one entry both
end with a whole file; an unreadable or malformed entry is ignored and the file parsed again.

The AST is stored with :mod:`marshal` as nested tuples (class index, fields...), which loads
several times faster than :mod:`pickle` of slotted dataclasses; nodes shared in the tree (the
``e`` of ``inherit (e) a b;``) stay shared. Every parsed file is cached (nix2image's modelled nixpkgs,
a real nixpkgs tree, users' files), as Python caches bytecode: a file edited since gets a new
key. The cache is bounded (``NIX2IMAGE_AST_CACHE_MB``, default 512 MB): an entry's mtime is
refreshed when it is used (at most once a day), and a process that wrote new entries removes
the least recently used ones beyond the bound at exit (at most one such sweep an hour, marked by
the mtime of ``.swept``, so that short runs do not rescan a large cache).
"""

from __future__ import annotations

import dataclasses
import hashlib
import atexit
import marshal
import os
import time
from typing import Any, Callable

from ..errors import Pos
from . import ast

_FORMAT = 1
_CLASSES: list[type] = sorted((c for c in vars(ast).values()
                               if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == ast.__name__),
                              key=lambda c: c.__name__)
_INDEX = {c: i for i, c in enumerate(_CLASSES)}
_FIELDS = [tuple(f.name for f in dataclasses.fields(c)) for c in _CLASSES]
_fingerprint: str | None = None
_sweep_registered = False
_TOUCH_AFTER = 86_400  # seconds: refresh a used entry's mtime (its recency) at most this often
_SWEEP_EVERY = 3_600  # seconds between sweeps of the cache (any process)

# tags of the encoding (node tags are class indexes >= 0)
_POS, _LIST, _DICT, _REF = -1, -2, -3, -4


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nix2image", "ast")


def parser_fingerprint() -> str:
    """A hash of the code that decides what an AST looks like (any change invalidates entries)."""
    global _fingerprint
    if _fingerprint is None:
        h = hashlib.sha256(f"{_FORMAT}:{marshal.version}".encode())
        here = os.path.dirname(os.path.abspath(__file__))
        for name in ("parser.py", "lexer.py", "ast.py", "paths.py", "parse_cache.py",
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
    key = hashlib.sha256(f"{parser_fingerprint()}\0{path}\0".encode() + text.encode("utf-8", "surrogateescape")).hexdigest()
    entry = os.path.join(cache_dir(), key[:2], key[2:] + ".ast")
    try:
        with open(entry, "rb") as fh:
            node = decode(marshal.loads(fh.read()))  # marshal.load(fh) reads the file in tiny pieces
            mtime = os.fstat(fh.fileno()).st_mtime
        if time.time() - mtime > _TOUCH_AFTER:
            os.utime(entry)
        return node
    except Exception:  # noqa: BLE001 - absent, unreadable or malformed: parse again
        pass
    node = parse()
    try:
        data = encode(node)
        os.makedirs(os.path.dirname(entry), exist_ok=True)
        tmp = f"{entry}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            marshal.dump(data, fh)
        os.replace(tmp, entry)
        _register_sweep()
    except (OSError, ValueError):
        pass
    return node


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


def encode(root: Any) -> Any:
    """The AST as nested tuples of plain values (for :mod:`marshal`)."""
    seen: dict[int, int] = {}
    count = [0]

    def enc(v: Any) -> Any:
        t = type(v)
        if t is str or t is int or t is float or t is bool or v is None:
            return v
        if t is Pos:
            return (_POS, v.file, v.line, v.col)
        if t is list:
            return (_LIST, tuple(enc(x) for x in v))
        if t is dict:
            return (_DICT, tuple((k, enc(x)) for k, x in v.items()))
        idx = _INDEX.get(t)
        if idx is None:
            raise ValueError(f"cannot cache a {t.__name__} in an AST")
        ref = seen.get(id(v))
        if ref is not None:
            return (_REF, ref)
        n = count[0]
        count[0] += 1
        seen[id(v)] = n
        return (idx, n) + tuple(enc(getattr(v, f)) for f in _FIELDS[idx])

    return enc(root)


def decode(data: Any) -> Any:
    """The AST back from :func:`encode`'s tuples (shared nodes shared again)."""
    made: dict[int, Any] = {}
    positions: dict[tuple, Pos] = {}  # Pos is immutable: equal positions share one object
    classes = _CLASSES

    def dec(v: Any) -> Any:
        if type(v) is not tuple:
            return v
        tag = v[0]
        if tag >= 0:
            # children first: a shared node is only referred to after its whole first copy
            obj = classes[tag](*[dec(x) for x in v[2:]])
            made[v[1]] = obj
            return obj
        if tag == _POS:
            p = positions.get(v)
            if p is None:
                p = positions[v] = Pos(v[1], v[2], v[3])
            return p
        if tag == _LIST:
            return [dec(x) for x in v[1]]
        if tag == _DICT:
            return {k: dec(x) for k, x in v[1]}
        if tag == _REF:
            return made[v[1]]
        raise ValueError("malformed AST cache entry")

    return dec(data)
