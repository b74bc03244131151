"""The embedded default catalog and the Catalog API."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from translator.storeinfo import PathInfo
from translator.universe.catalog import (Catalog, UnknownPathError, catalog_from_paths, dump_catalog, is_store_path,
                                         load_default, parse_catalog, parse_drv_name, split_output)
from translator.universe import catalog_gen

NIX32 = set("0123456789abcdfghijklmnpqrsvwxyz")

# every package nixpkgs' pkgs/build-support/docker/examples.nix uses
DOCKER_EXAMPLES = ["bashInteractive", "redis", "nginx", "coreutils", "bash", "emacs", "vim", "nano", "nix",
                   "hello", "pkgsStatic.busybox", "pkgsCross.aarch64-multiplatform.hello"]
REQUIRED = ["glibc", "bash", "bashInteractive", "coreutils", "busybox", "pkgsStatic.busybox", "cacert", "tzdata",
            "iana-etc", "openssl", "zlib", "curl", "git", "jq", "python3", "python3Packages.flask", "nodejs",
            "redis", "nginx", "postgresql", "hello", "emacs", "vim", "nano", "nix", "gnused", "gnugrep", "gawk",
            "findutils", "gnutar", "gzip", "xz", "bzip2", "less", "which", "file", "procps", "util-linux",
            "shadow", "su-exec", "gosu", "tini", "dumb-init", "openssh", "rsync", "wget", "htop", "strace",
            "sqlite", "go", "rustc", "jre", "openjdk"]


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_default()


def test_default_catalog_is_large_and_closed(cat):
    assert len(cat.packages) >= 150
    assert cat.missing_references() == []
    for p in cat.paths.values():
        assert is_store_path(p.path), p.path
        base = p.path.split("/")[3]
        assert set(base[:32]) <= NIX32 and base[32] == "-"
        assert p.nar_size > 0
        assert p.nar_hash and p.nar_hash.startswith("sha256:") and len(p.nar_hash) == 7 + 52


@pytest.mark.parametrize("attr", sorted(set(REQUIRED + DOCKER_EXAMPLES)))
def test_required_packages_present(cat, attr):
    pkg = cat.package(attr)
    assert pkg is not None, attr
    assert pkg.name.endswith(f"{pkg.pname}-{pkg.version}")
    assert pkg.default_output.path.endswith(pkg.name if next(iter(pkg.outputs)) == "out" else f"{pkg.name}-{next(iter(pkg.outputs))}")
    # the whole closure is known
    assert cat.closure([o.path for o in pkg.outputs.values()])


def test_realistic_shapes(cat):
    glibc = cat.package("glibc")
    assert 20_000_000 < glibc.outputs["out"].nar_size < 40_000_000
    py = cat.package("python3")
    assert 80_000_000 < py.outputs["out"].nar_size < 130_000_000
    refs = {cat.owner(r)[0].attr for r in py.outputs["out"].references}
    assert {"openssl", "zlib", "libffi", "ncurses", "readline", "sqlite", "expat", "bzip2", "xz", "glibc"} <= refs
    # most packages link against glibc
    dynamic = [p for p in cat if p.system == "x86_64-linux" and "glibc" in {
        cat.owner(q.path)[0].attr for q in cat.closure([p.out_path])}]
    assert len(dynamic) > 0.8 * len(cat.packages)
    assert cat.package("pkgsStatic.busybox").default_output.references == ()
    assert cat.package("pkgsCross.aarch64-multiplatform.hello").system == "aarch64-linux"
    # nixpkgs' output splits: default output first
    assert list(cat.package("curl").outputs)[:3] == ["bin", "dev", "out"]
    assert list(cat.package("openssl").outputs)[0] == "bin"
    assert set(cat.package("util-linux").outputs) >= {"bin", "out", "lib", "dev", "man"}
    assert cat.package("jq").main_program == "jq"
    assert cat.package("coreutils").meta["license"] == "GPL-3.0-or-later"
    assert cat.package("python3Packages.flask").name == "python3.11-flask-3.0.3"


def test_aliases_and_attrsets(cat):
    assert cat.package("jre") is cat.package("openjdk")
    assert cat.package("python311Packages.requests") is cat.package("python3Packages.requests")
    assert "flask" in cat.names_under("python3Packages")
    assert cat.is_attrset("python3Packages") and cat.is_attrset("pkgsStatic")
    assert not cat.is_attrset("hello")
    assert cat.package("no-such-package") is None


def test_closure_is_sorted_and_complete(cat):
    nginx = cat.package("nginx").out_path
    closure = cat.closure([nginx])
    paths = [p.path for p in closure]
    assert paths == sorted(paths)
    assert nginx in paths and cat.package("glibc").outputs["out"].path in paths
    for p in closure:
        assert set(p.references) <= set(paths)
    with pytest.raises(UnknownPathError) as err:
        cat.closure(["/nix/store/" + "0" * 32 + "-missing"])
    assert "missing" in str(err.value)


def test_merged_adds_and_replaces(cat):
    extra = parse_catalog(json.dumps({
        "paths": {"/nix/store/" + "1" * 32 + "-hello-9.9": {"narSize": 5, "references": [cat.package("glibc").out_path]}},
        "packages": {"hello": {"pname": "hello", "version": "9.9", "outputs": {"out": "/nix/store/" + "1" * 32 + "-hello-9.9"}},
                     "myapp": {"pname": "myapp", "version": "1", "outputs": {"out": "/nix/store/" + "1" * 32 + "-hello-9.9"}}},
    }), base=cat)
    m = cat.merged(extra)
    assert m.package("hello").version == "9.9" and m.package("myapp") is not None
    assert cat.package("hello").version == "2.12.1"  # the original is untouched
    assert m.missing_references() == []


def test_generator_is_deterministic_and_file_up_to_date():
    # the shipped file is what the generator produces, whatever the hash seed
    outs = set()
    for seed in ("0", "123"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-c", "from translator.universe.catalog_gen import render; import sys; sys.stdout.write(render())"],
                              cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        outs.add(proc.stdout)
    assert len(outs) == 1
    assert outs.pop() == (ROOT / "translator" / "data" / "catalog.json").read_text()
    assert catalog_gen.main(["--check"]) == 0


def test_dump_roundtrip(cat):
    text = dump_catalog(cat)
    again = parse_catalog(text)
    assert dump_catalog(again) == text
    assert again.packages.keys() == cat.packages.keys()


@pytest.mark.parametrize("name,expected", [
    ("hello-2.12.1", ("hello", "2.12.1")),
    ("python3.11-flask-3.0.3", ("python3.11-flask", "3.0.3")),
    ("bash-interactive-5.2p26", ("bash-interactive", "5.2p26")),
    ("glibc-2.39-52", ("glibc", "2.39-52")),
    ("n2i-root", ("n2i-root", "")),
    ("nss-cacert-3.98", ("nss-cacert", "3.98")),
])
def test_parse_drv_name(name, expected):
    assert parse_drv_name(name) == expected


def test_parse_drv_name_matches_nix(nix):
    names = ["hello-2.12.1", "python3.11-flask-3.0.3", "bash-interactive-5.2p26", "n2i-root", "a-b-c-1-d", "x--1", "foo-"]
    expr = "map builtins.parseDrvName [" + " ".join(json.dumps(n) for n in names) + "]"
    out = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expr], env=nix,
                         capture_output=True, text=True, check=True).stdout
    assert [(d["name"], d["version"]) for d in json.loads(out)] == [parse_drv_name(n) for n in names]


def test_split_output():
    assert split_output("curl-8.7.1-bin") == ("curl-8.7.1", "bin")
    assert split_output("n2i-tool-2.0-lib") == ("n2i-tool-2.0", "lib")
    assert split_output("foo-bin") == ("foo-bin", "out")
    assert split_output("hello-2.12.1") == ("hello-2.12.1", "out")


def test_catalog_from_paths_groups_outputs_and_versions():
    h = lambda c: "/nix/store/" + c * 32  # noqa: E731
    infos = [PathInfo(h("a") + "-tool-2.0", 10, (h("b") + "-tool-2.0-lib",)),
             PathInfo(h("b") + "-tool-2.0-lib", 20),
             PathInfo(h("c") + "-tool-2.0-bin", 30, (h("a") + "-tool-2.0",)),
             PathInfo(h("d") + "-tool-1.0", 5),
             PathInfo(h("f") + "-x.drv", 1)]
    cat = catalog_from_paths(infos, roots=[h("d") + "-tool-1.0"])
    assert cat.package("tool").version == "1.0"  # the root keeps the plain name
    two = cat.package("tool_2_0")
    assert list(two.outputs) == ["out", "bin", "lib"] and two.outputs["lib"].nar_size == 20
    assert len(cat.paths) == 5 and cat.closure([two.outputs["bin"].path])


def test_cli_list_shows_default_and_user_packages(cli, tmp_path):
    cat = load_default()
    f = tmp_path / "mine.json"
    mine = "/nix/store/" + "3" * 32 + "-myapp-0.1"
    f.write_text(json.dumps({"paths": {mine: {"narSize": 1000, "references": [cat.package("python3").out_path]}},
                             "packages": {"myapp": {"pname": "myapp", "version": "0.1", "outputs": {"out": mine}}}}))
    proc = cli("catalog", "--list", str(f))
    assert proc.returncode == 0, proc.stderr
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in proc.stdout.splitlines()}
    assert rows["hello"][:2] == ["hello-2.12.1", "out"]
    assert rows["myapp"][0] == "myapp-0.1"
    py_closure = sum(p.nar_size for p in cat.closure([cat.package("python3").out_path]))
    assert rows["myapp"][2] == f"{(py_closure + 1000) / 1e6:.1f} MB"
    assert rows["jre"] == ["-> openjdk"]
    assert len([r for r in rows if not rows[r][0].startswith("->")]) == len(cat.packages) + 1


def test_closure_files_are_accepted_as_catalogs(tmp_path):
    """--catalog closure.json works with `nix path-info --json -r` output directly (both forms)."""
    from translator.errors import UserError
    from translator.universe.catalog import load_catalog

    a, b = "/nix/store/" + "4" * 32 + "-lib-1.0", "/nix/store/" + "5" * 32 + "-app-2.1-bin"
    glibc = load_default().package("glibc").out_path
    forms = {
        "list": [{"path": a, "narSize": 10, "references": [glibc]}, {"path": b, "narSize": 20, "references": [a, b]}],
        "object": {a: {"narSize": 10, "references": [glibc]}, b: {"narSize": 20, "references": [a, b]}},
    }
    for form, data in forms.items():
        f = tmp_path / f"{form}.json"
        f.write_text(json.dumps(data, indent=1))
        cat = load_catalog(str(f))
        assert cat.package("app").outputs["bin"].path == b and cat.package("lib").version == "1.0"
        merged = load_default().merged(cat)
        assert {p.path for p in merged.closure([b])} >= {a, b, glibc}
    bad = tmp_path / "open.json"
    bad.write_text(json.dumps([{"path": a, "narSize": 1, "references": ["/nix/store/" + "6" * 32 + "-gone"]}], indent=1))
    with pytest.raises(UserError, match="not listed") as err:
        load_catalog(str(bad))
    assert err.value.pos is not None and err.value.pos.line == 3


def test_default_catalog_references_have_no_cycles():
    """Nix cannot make a reference cycle between store paths (a path's hash would depend on
    itself): the embedded catalog must not describe one either."""
    import networkx as nx

    from translator.universe.catalog import load_default

    graph = nx.DiGraph()
    for path, info in load_default().paths.items():
        graph.add_node(path)
        graph.add_edges_from((path, ref) for ref in info.references if ref != path)
    assert nx.is_directed_acyclic_graph(graph), next(nx.simple_cycles(graph))
