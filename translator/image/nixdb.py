"""The Nix database of ``build(Layered)ImageWithNixDb``: the image's store paths registered as
valid, so that ``nix`` works inside the container.

nixpkgs runs ``nix-store --load-db`` on the ``closureInfo`` registration of ``contents`` in the
layer directory, resets every ``registrationTime`` for reproducibility and adds a GC root per
``contents`` path under ``nix/var/nix/gcroots/docker/``. This writes the same result directly:
``nix/var/nix/db/db.sqlite`` with Nix's schema version 10 tables (``ValidPaths``, ``Refs``,
``DerivationOutputs``), the ``schema`` file, and the GC roots. NAR hashes and sizes are computed
from the content (not trusted from the spec); registration times are the image's ``mtime``.
"""

from __future__ import annotations

import os
import sqlite3

from ..errors import UserError
from ..storeinfo import PathInfo

SCHEMA_VERSION = "10"

_TABLES = """
CREATE TABLE ValidPaths (
    id               integer primary key autoincrement not null,
    path             text unique not null,
    hash             text not null,
    registrationTime integer not null,
    deriver          text,
    narSize          integer,
    ultimate         integer,
    sigs             text,
    ca               text
);
CREATE TABLE Refs (
    referrer  integer not null,
    reference integer not null,
    primary key (referrer, reference),
    foreign key (referrer) references ValidPaths(id) on delete cascade,
    foreign key (reference) references ValidPaths(id) on delete restrict
);
CREATE INDEX IndexReferrer on Refs(referrer);
CREATE INDEX IndexReference on Refs(reference);
CREATE TRIGGER DeleteSelfRefs before delete on ValidPaths
  begin
    delete from Refs where referrer = old.id and reference = old.id;
  end;
CREATE TABLE DerivationOutputs (
    drv  integer not null,
    id   text not null,
    path text not null,
    primary key (drv, id),
    foreign key (drv) references ValidPaths(id) on delete cascade
);
CREATE INDEX IndexDerivationOutputs on DerivationOutputs(path);
"""


def closure_of(roots: list[str], infos: list[PathInfo]) -> list[PathInfo]:
    """The runtime closure of ``roots`` within ``infos`` (what ``closureInfo`` registers), sorted."""
    by_path = {i.path: i for i in infos}
    seen: dict[str, PathInfo] = {}
    todo = list(roots)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        info = by_path.get(p)
        if info is None:
            raise UserError(f"the Nix database needs {p}, which is not in the image's closure")
        seen[p] = info
        todo.extend(r for r in info.references if r not in seen)
    return [seen[p] for p in sorted(seen)]


def write_nix_db(root: str, roots: list[str], infos: list[PathInfo], content, registration_time: int) -> None:
    """Create ``root/nix/var/nix/db`` registering the closure of ``roots``, and the GC roots."""
    from ..store.nar import nar_hash

    paths = closure_of(roots, infos)
    dbdir = os.path.join(root, "nix", "var", "nix", "db")
    os.makedirs(dbdir, exist_ok=True)
    with open(os.path.join(dbdir, "schema"), "w") as f:
        f.write(SCHEMA_VERSION)
    open(os.path.join(dbdir, "big-lock"), "w").close()
    dbfile = os.path.join(dbdir, "db.sqlite")
    if os.path.exists(dbfile):
        raise UserError(f"{dbfile} already exists in the layer; cannot register the Nix database twice")
    conn = sqlite3.connect(dbfile, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("BEGIN")
        for stmt in _statements(_TABLES):
            conn.execute(stmt)
        ids: dict[str, int] = {}
        for info in paths:
            h, size = nar_hash(content.location(info.path))
            cur = conn.execute(
                "INSERT INTO ValidPaths (path, hash, registrationTime, deriver, narSize) VALUES (?, ?, ?, NULL, ?)",
                (info.path, "sha256:" + h.base16(), registration_time, size))
            ids[info.path] = cur.lastrowid
        for info in paths:
            for ref in sorted(set(info.references)):
                if ref in ids:
                    conn.execute("INSERT INTO Refs (referrer, reference) VALUES (?, ?)", (ids[info.path], ids[ref]))
        conn.execute("COMMIT")
    finally:
        conn.close()
    gc = os.path.join(root, "nix", "var", "nix", "gcroots", "docker")
    os.makedirs(gc, exist_ok=True)
    for p in roots:
        link = os.path.join(gc, os.path.basename(p))
        if not os.path.lexists(link):
            os.symlink(p, link)


def _statements(script: str) -> list[str]:
    """Split the schema into statements (the trigger body holds a ';')."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        if text.endswith(";") and (not text.upper().startswith("CREATE TRIGGER") or text.endswith("end;")):
            out.append(text)
            buf = []
    return out
