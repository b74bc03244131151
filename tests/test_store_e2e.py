"""End to end with a real Nix store: build samples/store/store.nix with nix-build, then find the
same closures as ``nix-store -qR`` through the database reader, ``--bind`` and ``nix2image catalog``
(system store, ``--db``, chroot ``--store`` filled by ``nix copy``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, need_tool, nix_env
from translator.universe.bind import resolve_binds
from translator.universe.catalog import load_catalog, parse_catalog
from translator.universe.contents import StoreContents
from translator.universe.nixdb import NixDb, open_store

STORE_NIX = ROOT / "samples" / "store" / "store.nix"


def nix_build(attr: str, env: dict[str, str], out_link: Path | None = None) -> list[str]:
    """Build ``attr`` of samples/store/store.nix; its output paths."""
    args = ["nix-build", str(STORE_NIX), "-A", attr]
    args += ["-o", str(out_link)] if out_link else ["--no-out-link"]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def nix_store(*args: str, env: dict[str, str]) -> str:
    proc = subprocess.run(["nix-store", *args], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def qR(path: str, env: dict[str, str], store: str | None = None) -> list[str]:
    extra = ["--store", store] if store else []
    return sorted(nix_store(*extra, "-qR", path, env=env).split())


@pytest.fixture(scope="module")
def built():
    """{attr: store path} of the sample store, built for real."""
    need_tool("nix-build", "nix-store")
    env = nix_env()
    out = {}
    for attr in ("busybox", "tzinfo", "libgreet", "app", "root"):
        (out[attr],) = nix_build(attr, env)
    bin_, out_, lib = nix_build("tool", env)[0], None, None
    for p in nix_build("all", env):
        if p.endswith("-n2i-tool-2.0"):
            out_ = p
        elif p.endswith("-n2i-tool-2.0-lib"):
            lib = p
    out.update({"tool.bin": bin_, "tool.out": out_, "tool.lib": lib})
    return out


def test_database_closure_matches_nix_store_qR(built):
    env = nix_env()
    with NixDb.open() as db:
        for attr, path in built.items():
            assert [p.path for p in db.closure([path])] == qR(path, env), attr
        # narSize/narHash/references as nix path-info reports them
        info = json.loads(subprocess.run(["nix", "path-info", "--json", built["root"]], env=env,
                                         capture_output=True, text=True, check=True).stdout)[0]
        mine = db.path_info(built["root"])
        assert mine.nar_size == info["narSize"]
        assert sorted(mine.references) == sorted(info["references"])
        from translator.store.hashing import parse_hash
        assert parse_hash(mine.nar_hash) == parse_hash(info["narHash"])


def test_static_busybox_is_a_real_leaf(built):
    env = nix_env()
    bb = built["busybox"]
    assert qR(bb, env) == [bb]
    exe = Path(bb) / "bin" / "busybox"
    assert exe.read_bytes() == Path("/bin/busybox").read_bytes()
    out = subprocess.run([str(Path(bb) / "bin" / "sh"), "-c", "echo ok"], capture_output=True, text=True)
    assert out.stdout == "ok\n"


def test_bind_existing_store_path_through_result_link(built, tmp_path):
    env = nix_env()
    link = tmp_path / "result"
    nix_build("app", env, out_link=link)
    (b,) = resolve_binds([f"app={link}"], {}, open_store())
    assert b.kind == "store" and b.store_path == built["app"]
    assert [p.path for p in b.closure] == qR(built["app"], env)
    assert isinstance(b.content, StoreContents)
    assert b.content.location(built["busybox"]).endswith("-n2i-busybox-1.36.1")


def test_bind_imported_copy_scans_references(built, tmp_path):
    """A copy of a build output is imported as nix-store --add names it; the hashes in its bytes
    give the same references Nix registered for the original."""
    env = nix_env()
    for attr in ("app", "tool.bin", "libgreet"):
        copy = tmp_path / attr.replace(".", "-") / "myapp"
        shutil.copytree(built[attr], copy, symlinks=True)
        (b,) = resolve_binds([f"x={copy}"], {}, open_store())
        added = nix_store("--add", str(copy), env=env).strip()
        assert b.kind == "import" and b.store_path == added
        original_refs = sorted(set(nix_store("-q", "--references", built[attr], env=env).split()) - {built[attr]})
        assert list(b.info.references) == original_refs
        expected = sorted({added} | {p for r in original_refs for p in qR(r, env)})
        assert [p.path for p in b.closure] == expected
        assert b.info.nar_size == json.loads(subprocess.run(["nix", "path-info", "--json", added], env=env,
                                                            capture_output=True, text=True, check=True).stdout)[0]["narSize"]


def test_cli_catalog_from_roots_and_closure_formats(built, cli, tmp_path):
    env = nix_env()
    root = built["root"]
    expected = qR(root, env)
    outs = {}
    # the database, through --roots (system store) and --db
    cli("catalog", "--roots", root, "-o", str(tmp_path / "roots.json"), check=True)
    cli("catalog", "--db", "/nix/var/nix/db/db.sqlite", "--roots", root, "-o", str(tmp_path / "db.json"), check=True)
    # nix path-info --json -r, nix-store -q --graph, nix-store --dump-db
    (tmp_path / "pi.json").write_text(subprocess.run(["nix", "path-info", "--json", "-r", root], env=env,
                                                     capture_output=True, text=True, check=True).stdout)
    (tmp_path / "g.dot").write_text(nix_store("-q", "--graph", root, env=env))
    (tmp_path / "reg").write_text(nix_store("--dump-db", *expected, env=env))
    for src in ("pi.json", "g.dot", "reg"):
        cli("catalog", str(tmp_path / src), "-o", str(tmp_path / f"{src}.cat"), check=True)
    for name in ("roots.json", "db.json", "pi.json.cat", "g.dot.cat", "reg.cat"):
        text = (tmp_path / name).read_text()
        outs[name] = text
        cat = parse_catalog(text, name)
        assert sorted(cat.paths) == expected, name
        assert [p.path for p in cat.closure([root])] == expected
    assert len(set(outs.values())) == 1, "every input form gives the same catalog"
    cat = load_catalog(str(tmp_path / "roots.json"))
    tool = cat.package("n2i-tool")
    assert tool.version == "2.0" and set(tool.outputs) == {"out", "bin", "lib"}
    assert cat.package("n2i-busybox").version == "1.36.1"
    assert cat.package("n2i-busybox").outputs["out"].references == ()


def test_chroot_store(built, cli, tmp_path):
    """nix copy into a chroot store; --store DIR reads its database and its contents."""
    env = nix_env()
    chroot = tmp_path / "chroot"
    proc = subprocess.run(["nix", "copy", "--no-check-sigs", "--to", str(chroot), built["root"]], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    expected = qR(built["root"], env, store=str(chroot))
    assert expected == qR(built["root"], env)
    db_file = chroot / "nix/var/nix/db/db.sqlite"
    before = db_file.read_bytes()
    with NixDb.open(store=str(chroot)) as db:
        assert [p.path for p in db.closure([built["root"]])] == expected
        assert db.physical(built["app"]) == str(chroot) + built["app"]
    assert db_file.read_bytes() == before
    out = tmp_path / "c.json"
    cli("catalog", "--store", str(chroot), "-o", str(out), check=True)
    assert sorted(load_catalog(str(out)).paths) == expected
    (b,) = resolve_binds([f"app={chroot}{built['app']}"], {}, NixDb.open(store=str(chroot)), store_root=str(chroot))
    assert b.kind == "store" and [p.path for p in b.closure] == qR(built["app"], env)
    assert os.path.isfile(os.path.join(b.content.location(built["app"]), "bin", "app"))


IMAGE_WITH_APP = """{ pkgs ? import <nixpkgs> { }, app }:
pkgs.dockerTools.buildLayeredImage { name = "app"; contents = [ app ]; config.Cmd = [ "${app}/bin/app" ]; }
"""


def closure_paths(cli, *args) -> list[str]:
    proc = cli("closure", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return sorted(p["path"] for p in json.loads(proc.stdout))


def test_cli_closure_through_bind_and_database(built, cli, tmp_path):
    """What a user runs: `nix2image closure FILE --bind app=./result` and a file whose
    builtins.derivation outputs were built: the closure is nix-store -qR's."""
    env = nix_env()
    image = tmp_path / "image.nix"
    image.write_text(IMAGE_WITH_APP)
    link = tmp_path / "result"
    nix_build("app", env, out_link=link)
    assert closure_paths(cli, str(image), "--bind", f"app={link}") == qR(built["app"], env)
    # an imported copy of the build output: named as nix-store --add, references scanned
    copy = tmp_path / "out" / "app"
    shutil.copytree(built["app"], copy, symlinks=True)
    added = nix_store("--add", str(copy), env=env).strip()
    got = closure_paths(cli, str(image), "--bind", f"app={copy}")
    assert got == sorted({added} | set(qR(built["app"], env)) - {built["app"]})
    # derivations evaluated by nix2image have Nix's exact output paths, found in the database
    direct = tmp_path / "direct.nix"
    direct.write_text(f"""let pkgs = import <nixpkgs> {{ }}; s = import {STORE_NIX} {{ }}; in
pkgs.dockerTools.buildLayeredImage {{ name = "app"; contents = [ s.app s.tool.bin ]; }}
""")
    want = sorted(set(qR(built["app"], env)) | set(qR(built["tool.bin"], env)))
    assert closure_paths(cli, str(direct)) == want
