"""The read-only Nix database reader on a database that real Nix wrote."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import pytest

from conftest import nix_env
from test_store_e2e import built, qR  # noqa: F401 - fixture
from translator.errors import UserError
from translator.universe.catalog import UnknownPathError
from translator.universe.nixdb import NixDb, _connect, locate, normalise_hash, open_store


@pytest.fixture
def db_copy(built, tmp_path):  # noqa: F811
    """A copy of the system database (Nix keeps it in WAL mode: checkpoint into the copy)."""
    dest = tmp_path / "db" / "db.sqlite"
    dest.parent.mkdir()
    src = sqlite3.connect("file:/nix/var/nix/db/db.sqlite?mode=ro", uri=True)
    out = sqlite3.connect(dest)
    src.backup(out)
    out.close()
    src.close()
    return dest


def test_reads_without_writing(built, db_copy):  # noqa: F811
    # SQLite may create the -shm index of a WAL database next to it (as Nix itself does), but the
    # database file is never written
    before = db_copy.read_bytes()
    with NixDb.open(db=str(db_copy)) as db:
        assert [p.path for p in db.closure([built["root"]])] == qR(built["root"], nix_env())
        with pytest.raises(sqlite3.OperationalError):
            db._conn.execute("DELETE FROM Refs")
    assert db_copy.read_bytes() == before


def test_read_only_directory_uses_immutable_mode(built, db_copy, monkeypatch):  # noqa: F811
    # as root every file is writable, so pretend it is not: the URI must then say immutable
    seen = []
    real_connect = sqlite3.connect
    monkeypatch.setattr(os, "access", lambda p, mode: False)
    monkeypatch.setattr(sqlite3, "connect", lambda target, **kw: seen.append(target) or real_connect(target, **kw))
    conn = _connect(str(db_copy))
    assert "mode=ro" in seen[0] and "immutable=1" in seen[0]
    assert conn.execute("SELECT count(*) FROM ValidPaths").fetchone()[0] > 0
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM Refs")


def test_path_info_and_errors(built):  # noqa: F811
    db = open_store()
    assert db is not None
    info = db.path_info(built["tool.bin"])
    assert info.nar_hash.startswith("sha256:") and len(info.nar_hash) == 59
    assert built["busybox"] in info.references and built["tool.out"] in info.references
    assert db.deriver(built["tool.bin"]).endswith("-n2i-tool-2.0.drv")
    assert db.is_valid(built["app"]) and not db.is_valid("/nix/store/" + "0" * 32 + "-nope")
    with pytest.raises(UnknownPathError) as err:
        db.closure(["/nix/store/" + "0" * 32 + "-nope"])
    assert "not valid" in str(err.value)
    assert built["root"] in db.all_paths()


def test_locate_errors(tmp_path):
    with pytest.raises(UserError, match="no such directory"):
        locate(store=str(tmp_path / "missing"))
    with pytest.raises(UserError, match="no Nix database"):
        locate(store=str(tmp_path))
    (tmp_path / "x.sqlite").write_bytes(b"garbage" * 100)
    with pytest.raises(UserError, match="Nix store database"):
        NixDb.open(db=str(tmp_path / "x.sqlite"))
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(UserError, match="no ValidPaths/Refs"):
        NixDb.open(db=str(empty))
    assert locate(store="local?root=/").root == ""


def test_normalise_hash():
    hexa = "d950f7e51fb37b6a12db0a1de4c6cf7bd7249fdcc722208b09bfd0761cd747de"
    want = normalise_hash("sha256:" + hexa)
    assert want.startswith("sha256:") and len(want) == 59
    assert normalise_hash("sha256-2VD35R+ze2oS2wod5MbPe9ckn9zHIiCLCb/QdhzXR94=") == want
    assert normalise_hash(want) == want
    assert normalise_hash(None) is None


def test_all_infos_equals_per_path_reads(db_copy):
    # a snapshot: other processes may be building into the system store meanwhile
    with NixDb.open(db=str(db_copy)) as db:
        infos = db.all_infos()
        assert infos and infos == [db.path_info(p) for p in db.all_paths()]
