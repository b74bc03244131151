"""Read a real Nix store's database (``/nix/var/nix/db/db.sqlite``) without ever writing it.

The database is opened with SQLite's ``mode=ro`` (and ``immutable=1`` when the database or its
directory is not writable, so that SQLite does not try to create WAL/SHM files). A *chroot
store* (``--store DIR``, Nix's ``local?root=DIR``) keeps its database at
``DIR/nix/var/nix/db/db.sqlite`` and its contents at ``DIR/nix/store``; store paths are still
named ``/nix/store/...``.

Only the two tables that describe the store graph are read: ``ValidPaths`` (path, narHash,
narSize, deriver) and ``Refs`` (referrer -> reference). Hashes are reported as
``sha256:<nix base32>``, the form exportReferencesGraph and closureInfo use.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import UserError
from ..storeinfo import PathInfo
from .catalog import UnknownPathError

DEFAULT_DB = "/nix/var/nix/db/db.sqlite"


def normalise_hash(text: str | None) -> str | None:
    """``sha256:<hex|base32|base64>`` or SRI -> ``sha256:<nix base32>`` (unparseable text as is)."""
    if not text:
        return None
    try:
        from ..store.hashing import parse_hash

        return str(parse_hash(text))
    except Exception:  # noqa: BLE001 - an odd hash is kept verbatim rather than failing the read
        return text


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """Where a store lives: its database file and the directory that holds ``/nix/store``."""

    db_path: str
    root: str = ""  # "" for the real store; DIR for a chroot store

    def physical(self, store_path: str) -> str:
        """The on-disk location of ``store_path`` (or of a path inside it)."""
        return self.root + store_path if self.root else store_path


def empty_store_root(store: str) -> str | None:
    """The absolute root of ``--store DIR`` when DIR is missing or empty (no local store at all:
    contents then come from binary caches, ``--bind`` or placeholders), else None."""
    spec = store
    if spec.startswith("local?") or spec.startswith("local://"):
        query = urllib.parse.parse_qs(spec.split("?", 1)[1] if "?" in spec else "")
        spec = query.get("root", [""])[0]
    if spec in ("", "/", "auto", "local", "daemon"):
        return None
    root = os.path.abspath(spec).rstrip("/")
    if not os.path.exists(root) or (os.path.isdir(root) and not os.listdir(root)):
        return root
    return None


def locate(db: str | None = None, store: str | None = None) -> StoreLocation:
    """The store described by ``--db PATH`` / ``--store DIR`` (default: the system store).

    ``store`` may also be a ``local?root=DIR`` URL. A missing database is a :class:`UserError`.
    """
    root = ""
    if store:
        spec = store
        if spec.startswith("local?") or spec.startswith("local://"):
            query = urllib.parse.parse_qs(spec.split("?", 1)[1] if "?" in spec else "")
            spec = query.get("root", [""])[0]
        if spec in ("", "/", "auto", "local", "daemon"):
            root = ""
        else:
            root = os.path.abspath(spec).rstrip("/")
            if not os.path.isdir(root):
                raise UserError(f"--store {store}: no such directory")
    db_path = db or (root + DEFAULT_DB if root else DEFAULT_DB)
    if not os.path.isfile(db_path):
        where = f"--db {db}" if db else (f"--store {store}" if store else "the system Nix store")
        raise UserError(f"no Nix database at {db_path} ({where})",
                        hint="give a store's database with --db PATH or a chroot store with --store DIR")
    return StoreLocation(db_path=db_path, root=root)


class NixDb:
    """A read-only view of one Nix store database."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self._conn = _connect(location.db_path)
        self._ids: dict[str, int | None] = {}
        self._infos: dict[str, PathInfo] = {}
        self._derivers: dict[str, str | None] = {}

    @classmethod
    def open(cls, db: str | None = None, store: str | None = None) -> "NixDb":
        return cls(locate(db, store))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "NixDb":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- single paths ----------------------------------------------------------------------
    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as err:
            raise UserError(f"cannot read the Nix database {self.location.db_path}: {err}",
                            hint="is it a Nix store database (db.sqlite)?") from None

    def is_valid(self, path: str) -> bool:
        """True when ``path`` is registered as valid in the store."""
        return self._id(path) is not None

    def _id(self, path: str) -> int | None:
        if path not in self._ids:
            rows = self._query("SELECT id FROM ValidPaths WHERE path = ?", (path,))
            self._ids[path] = rows[0][0] if rows else None
        return self._ids[path]

    def path_info(self, path: str) -> PathInfo:
        """narSize, narHash and references of a valid path; :class:`UnknownPathError` otherwise."""
        info = self._infos.get(path)
        if info is not None:
            return info
        rows = self._query("SELECT id, hash, narSize, deriver FROM ValidPaths WHERE path = ?", (path,))
        if not rows:
            raise UnknownPathError(f"store path {path} is not valid in the Nix store ({self.location.db_path})",
                                   hint="build it first (nix-build), or give the store it lives in with --store DIR")
        pid, nar_hash, nar_size, deriver = rows[0]
        refs = self._query("SELECT v.path FROM Refs r JOIN ValidPaths v ON r.reference = v.id WHERE r.referrer = ?", (pid,))
        info = PathInfo(path=path, nar_size=int(nar_size or 0), references=tuple(sorted(r[0] for r in refs)),
                        nar_hash=normalise_hash(nar_hash))
        self._infos[path] = info
        self._derivers[path] = deriver
        return info

    def deriver(self, path: str) -> str | None:
        self.path_info(path)
        return self._derivers.get(path)

    # -- closures --------------------------------------------------------------------------
    def closure(self, roots: Iterable[str]) -> list[PathInfo]:
        """Every path reachable from ``roots`` (as ``nix-store -qR``), sorted by path."""
        seen: dict[str, PathInfo] = {}
        stack = list(roots)
        while stack:
            path = stack.pop()
            if path in seen:
                continue
            info = self.path_info(path)
            seen[path] = info
            stack.extend(r for r in info.references if r not in seen)
        return [seen[p] for p in sorted(seen)]

    def all_paths(self) -> list[str]:
        """Every valid path in the store, sorted."""
        return sorted(r[0] for r in self._query("SELECT path FROM ValidPaths"))

    def all_infos(self) -> list[PathInfo]:
        """Every valid path with its info, read with two queries (for whole-store catalogs)."""
        rows = self._query("SELECT id, path, hash, narSize FROM ValidPaths")
        by_id = {r[0]: r[1] for r in rows}
        refs: dict[int, list[str]] = {}
        for referrer, reference in self._query("SELECT referrer, reference FROM Refs"):
            if reference in by_id:
                refs.setdefault(referrer, []).append(by_id[reference])
        out = [PathInfo(path=path, nar_size=int(size or 0), references=tuple(sorted(refs.get(pid, ()))),
                        nar_hash=normalise_hash(h)) for pid, path, h, size in rows]
        return sorted(out, key=lambda i: i.path)

    def physical(self, store_path: str) -> str:
        return self.location.physical(store_path)


def _connect(db_path: str) -> sqlite3.Connection:
    """Open ``db_path`` read-only; immutable when SQLite could not create its side files."""
    uri = "file:" + urllib.parse.quote(os.path.abspath(db_path)) + "?mode=ro"
    writable = os.access(db_path, os.W_OK) and os.access(os.path.dirname(os.path.abspath(db_path)), os.W_OK)
    if not writable:
        uri += "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as err:
        raise UserError(f"cannot open the Nix database {db_path}: {err}",
                        hint="is it a Nix store database (db.sqlite)?") from None
    if not {"ValidPaths", "Refs"} <= tables:
        conn.close()
        raise UserError(f"{db_path} is not a Nix store database (no ValidPaths/Refs tables)")
    return conn


def open_store(db: str | None = None, store: str | None = None) -> NixDb | None:
    """The store named by ``--db``/``--store`` (which must exist), else the system store when it
    has a database, else None (a machine without Nix)."""
    if db or store:
        return NixDb.open(db, store)
    if os.path.isfile(DEFAULT_DB):
        return NixDb(StoreLocation(DEFAULT_DB))
    return None
