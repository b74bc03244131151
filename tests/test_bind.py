"""``--bind NAME=PATH``: imports named as ``nix-store --add`` names them, references by scanning."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import nix_env
from translator.errors import UsageError, UserError
from translator.universe.bind import PathLookup, parse_bind, resolve_binds, scan_references
from translator.universe.catalog import load_default
from translator.universe.contents import BoundContents


def nix_add(path, env) -> str:
    proc = subprocess.run(["nix-store", "--add", str(path)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.fixture
def project(tmp_path):
    """A typical build output: a directory with an executable, a symlink and a file referencing
    catalog paths (glibc through an interpreter string, cacert through a symlink)."""
    cat = load_default()
    glibc = cat.package("glibc").out_path
    cacert = cat.package("cacert").out_path
    out = tmp_path / "app-1.0"
    (out / "bin").mkdir(parents=True)
    (out / "bin" / "app").write_bytes(b"\x7fELF fake " + f"{glibc}/lib/ld-linux-x86-64.so.2".encode() + b"\0" * 100)
    os.chmod(out / "bin" / "app", 0o755)
    (out / "etc").mkdir()
    os.symlink(f"{cacert}/etc/ssl/certs/ca-bundle.crt", out / "etc" / "ca.crt")
    (out / "share").mkdir()
    (out / "share" / "empty").write_bytes(b"")
    return out, glibc, cacert


def test_import_directory(project, nix):
    out, glibc, cacert = project
    cat = load_default()
    (b,) = resolve_binds([f"app={out}"], cat.paths, None)
    assert b.name == "app" and b.kind == "import"
    assert b.store_path == nix_add(out, nix)
    assert b.store_path.endswith("-app-1.0")
    assert set(b.info.references) == {glibc, cacert}
    assert {p.path for p in b.closure} == {b.store_path} | {p.path for p in cat.closure([glibc, cacert])}
    assert isinstance(b.content, BoundContents) and b.content.location(b.store_path) == str(out)
    assert b.info.nar_hash.startswith("sha256:")


def test_import_single_file(tmp_path, nix):
    f = tmp_path / "config.json"
    f.write_text('{"x": 1}\n')
    (b,) = resolve_binds([f"cfg={f}"], {}, None)
    assert b.store_path == nix_add(f, nix)
    assert b.info.references == () and [p.path for p in b.closure] == [b.store_path]


def test_scan_finds_hashes_across_chunk_boundaries(tmp_path):
    cat = load_default()
    target = cat.package("zlib").out_path
    f = tmp_path / "big"
    pad = (1 << 20) - 10  # the hash straddles the 1 MiB read boundary
    f.write_bytes(b"x" * pad + target.encode() + b"y" * 50)
    assert scan_references(str(f), PathLookup(cat.paths).candidates()) == {target}


def test_parse_bind_errors():
    assert parse_bind("app=./result") == ("app", "./result")
    assert parse_bind("self.packages.x86_64-linux.default=/x=y") == ("self.packages.x86_64-linux.default", "/x=y")
    for bad in ("app", "=path", "app="):
        with pytest.raises(UsageError, match="expected NAME=PATH"):
            parse_bind(bad)


def test_resolve_errors(tmp_path):
    with pytest.raises(UsageError, match="no such file or directory"):
        resolve_binds([f"app={tmp_path}/missing"], {}, None)
    (tmp_path / "a").write_text("x")
    with pytest.raises(UsageError, match="bound twice"):
        resolve_binds([f"app={tmp_path}/a", f"app={tmp_path}/a"], {}, None)
    bad_name = tmp_path / "has space"
    bad_name.write_text("x")
    with pytest.raises(UsageError, match="rename it"):
        resolve_binds([f"app={bad_name}"], {}, None)
    with pytest.raises(UserError, match="does not exist on disk"):
        resolve_binds(["app=/nix/store/" + "0" * 32 + "-nothing-here"], {}, None)


def test_cli_reports_bind_errors_without_traceback(cli, tmp_path):
    """The catalog command shares the store options; a bad --store is a clean error."""
    proc = cli("catalog", "--store", str(tmp_path / "nope"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
