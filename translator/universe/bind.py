"""``--bind NAME=PATH``: the project's own build output as a store path with a known closure.

Two cases:

* ``PATH`` is an existing store path (``/nix/store/...``, also through a ``./result`` symlink, or
  under ``DIR/nix/store`` for a chroot store): it is used as is; its closure comes from the Nix
  database.
* ``PATH`` is any other file or directory: it is imported as ``nix-store --add PATH`` would name
  it (NAR hash, name = last path component); its references are found by scanning its bytes,
  file names and symlink targets for the hash parts of known store paths, as Nix scans build
  outputs. (``nix-store --add`` itself registers no references; scanning is what makes an
  image built from a copied build output complete.)

NAME is whatever the caller binds (a function argument, an attribute path, a local import); it
is carried through untouched.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import UsageError, UserError
from ..storeinfo import PathInfo
from .catalog import STORE_DIR, UnknownPathError, is_store_path
from .contents import BoundContents, StoreContents
from .nixdb import NixDb

_HASH_RE = re.compile(rb"[0-9a-df-np-sv-z]{32}")
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Binding:
    """A resolved ``--bind``: the store path, its closure (itself included) and its content."""

    name: str
    store_path: str
    closure: tuple[PathInfo, ...]
    source_path: str  # the local file/directory (import) or physical store location
    kind: str  # "import" | "store"
    content: object  # a ContentSource (BoundContents or StoreContents)

    @property
    def info(self) -> PathInfo:
        return next(i for i in self.closure if i.path == self.store_path)


def parse_bind(text: str) -> tuple[str, str]:
    """Split ``NAME=PATH``; a missing ``=`` or empty side is a :class:`UsageError`."""
    name, eq, path = text.partition("=")
    if not eq or not name.strip() or not path:
        raise UsageError(f"--bind {text!r}: expected NAME=PATH (e.g. --bind app=./result)")
    return name.strip(), path


def scan_references(root: str, candidates: Mapping[bytes, str]) -> set[str]:
    """Store paths from ``candidates`` (hash part -> store path) whose hash occurs in ``root``.

    Looks into regular file contents, symlink targets and entry names, never following links.
    """
    found: set[str] = set()

    def check(blob: bytes) -> None:
        for m in _HASH_RE.finditer(blob):
            p = candidates.get(m.group())
            if p is not None:
                found.add(p)

    def scan_file(path: str) -> None:
        with open(path, "rb") as f:
            tail = b""
            while True:
                chunk = f.read(_CHUNK)
                if not chunk:
                    break
                check(tail + chunk)
                tail = chunk[-31:]

    if os.path.islink(root):
        check(os.fsencode(os.readlink(root)))
    elif os.path.isfile(root):
        scan_file(root)
    elif os.path.isdir(root):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(dirnames + filenames):
                full = os.path.join(dirpath, name)
                check(os.fsencode(name))
                if os.path.islink(full):
                    check(os.fsencode(os.readlink(full)))
                elif name in filenames and os.path.isfile(full):
                    scan_file(full)
            # symlinks to directories appear in dirnames; os.walk does not descend into them
    return found


class PathLookup:
    """narSize/references of store paths from a catalog's paths and, failing that, a Nix db."""

    def __init__(self, known: Mapping[str, PathInfo] | None = None, db: NixDb | None = None) -> None:
        self.known = dict(known or {})
        self.db = db
        self._candidates: dict[bytes, str] | None = None

    def info(self, path: str) -> PathInfo:
        hit = self.known.get(path)
        if hit is not None:
            return hit
        if self.db is not None:
            return self.db.path_info(path)
        raise UnknownPathError(f"store path {path} is not known (no catalog entry, no Nix database)",
                               hint="give the store with --store DIR or describe the path with --catalog FILE")

    def closure(self, roots: Iterable[str]) -> list[PathInfo]:
        seen: dict[str, PathInfo] = {}
        stack = list(roots)
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            info = self.info(p)
            seen[p] = info
            stack.extend(r for r in info.references if r not in seen)
        return [seen[p] for p in sorted(seen)]

    def candidates(self) -> dict[bytes, str]:
        """Hash part -> store path of every path that references may point at (computed once)."""
        if self._candidates is not None:
            return self._candidates
        paths = set(self.known)
        if self.db is not None:
            paths.update(self.db.all_paths())
        self._candidates = {p[len(STORE_DIR) + 1:len(STORE_DIR) + 33].encode(): p for p in sorted(paths) if is_store_path(p)}
        return self._candidates


def _as_store_path(path: str, store_root: str) -> str | None:
    """The store path ``path`` denotes when it is (or links to) a top-level store path."""
    if is_store_path(path.rstrip("/")):
        return path.rstrip("/")
    if store_root:
        prefix = store_root + STORE_DIR + "/"
        if path.startswith(prefix):
            cand = STORE_DIR + "/" + path[len(prefix):].rstrip("/")
            if is_store_path(cand):
                return cand
    if os.path.islink(path):
        target = os.path.realpath(path)
        if is_store_path(target):
            return target
        if store_root and target.startswith(store_root + STORE_DIR + "/"):
            cand = target[len(store_root):]
            if is_store_path(cand):
                return cand
    return None


def resolve_bind(name: str, path: str, lookup: PathLookup, store_root: str = "") -> Binding:
    """Resolve one ``--bind NAME=PATH`` (see the module docstring)."""
    store_path = _as_store_path(path, store_root)
    if store_path is not None:
        physical = (store_root + store_path) if store_root else store_path
        if not os.path.lexists(physical):
            raise UserError(f"--bind {name}={path}: store path {store_path} does not exist on disk ({physical})")
        closure = lookup.closure([store_path])
        return Binding(name, store_path, tuple(closure), physical, "store", StoreContents(store_root))
    if not os.path.lexists(path):
        raise UsageError(f"--bind {name}={path}: no such file or directory")
    abs_path = os.path.abspath(path)
    from ..store.add import path_info as add_path_info
    from ..store.storepath import BadStorePath

    try:
        store_path, nar_hash, nar_size = add_path_info(abs_path)
    except BadStorePath as err:
        raise UsageError(f"--bind {name}={path}: {err}",
                         hint="the last component of PATH becomes the store path name; rename it") from None
    except OSError as err:
        raise UsageError(f"--bind {name}={path}: cannot read {err.filename or abs_path}: {err.strerror}") from None
    refs = scan_references(abs_path, lookup.candidates())
    refs.discard(store_path)
    info = PathInfo(path=store_path, nar_size=nar_size, references=tuple(sorted(refs)), nar_hash=str(nar_hash))
    closure = {store_path: info}
    for dep in lookup.closure(sorted(refs)):
        closure[dep.path] = dep
    content = BoundContents({store_path: abs_path})
    return Binding(name, store_path, tuple(closure[p] for p in sorted(closure)), abs_path, "import", content)


def resolve_binds(args: Iterable[str], known: Mapping[str, PathInfo] | None = None, db: NixDb | None = None,
                  store_root: str = "") -> list[Binding]:
    """Resolve every ``--bind`` argument; a NAME given twice is a :class:`UsageError`."""
    lookup = PathLookup(known, db)
    out: list[Binding] = []
    names: set[str] = set()
    for text in args:
        name, path = parse_bind(text)
        if name in names:
            raise UsageError(f"--bind {text!r}: {name} is bound twice")
        names.add(name)
        out.append(resolve_bind(name, path, lookup, store_root))
    return out
