"""The package universe: the modelled nixpkgs against real Nix 2.8, real store closures through
nix-build, and the spec/closure/images commands through the installed CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import need_tool

ROOT = Path(__file__).resolve().parent.parent
NIXPKGS = ROOT / "translator" / "universe" / "nixpkgs"
E2E = Path(__file__).parent / "universe_e2e"
SAMPLES = ROOT / "samples"


def nix_eval(expr: str, env: dict) -> object:
    proc = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-I", f"nixpkgs={NIXPKGS}", "-E", expr],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def our_eval(cli, expr: str, env: dict) -> object:
    proc = cli("eval", "--strict", "--json", "-I", f"nixpkgs={NIXPKGS}", "-E", expr, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


LIB_EXPRS = [
    'lib.escapeShellArg "it\'s a test"', 'lib.escapeShellArgs [ "a" "b c" ]',
    'lib.makeBinPath [ { bin = "/x"; } { out = "/y"; } "/z" ]', 'lib.makeLibraryPath [ { lib = "/l"; } ]',
    'lib.makeSearchPath "share" [ "/a" "/b" ]', 'lib.optional true 1 ++ lib.optional false 2 ++ lib.optionals true [ 3 4 ]',
    'lib.optionalString false "x" + lib.optionalString true "y"', 'lib.optionalAttrs true { a = 1; }',
    'lib.attrByPath [ "a" "b" ] 0 { a.b = 5; }', 'lib.attrByPath [ "a" "c" ] 0 { a.b = 5; }',
    'lib.recursiveUpdate { a = { b = 1; c = 2; }; d = 1; } { a.b = 3; e = 4; }',
    'lib.listToAttrs [ (lib.nameValuePair "x" 1) ]', 'lib.mapAttrs\' (n: v: lib.nameValuePair "p-${n}" (v * 2)) { a = 1; b = 2; }',
    'lib.foldl (a: b: a + b) "" [ "x" "y" "z" ]', 'lib.foldr (a: b: [ a ] ++ b) [ ] [ 1 2 3 ]',
    'lib.concatMapStrings (x: "<${x}>") [ "a" "b" ]', 'lib.concatMapStringsSep "," toString [ 1 2 ]',
    'lib.strings.splitString "/" "a/b//c"', 'lib.strings.hasPrefix "ab" "abc"', 'lib.strings.removeSuffix ".nix" "x.nix"',
    'lib.strings.toUpper "mixed Case"', 'lib.strings.versionAtLeast "1.10" "1.9"', 'lib.lists.unique [ 3 1 3 2 1 ]',
    'lib.lists.flatten [ 1 [ 2 [ 3 ] ] ]', 'lib.lists.take 2 [ 1 2 3 ]', 'lib.lists.drop 2 [ 1 2 3 ]', 'lib.lists.last [ 1 2 3 ]',
    'lib.lists.range 2 5', 'lib.lists.zipListsWith (a: b: a * b) [ 1 2 ] [ 3 4 ]', 'lib.lists.reverseList [ 1 2 3 ]',
    'lib.attrsets.filterAttrs (n: v: v > 1) { a = 1; b = 2; }', 'lib.attrsets.mapAttrsToList (n: v: n) { b = 1; a = 2; }',
    'lib.attrsets.genAttrs [ "x" "y" ] (n: n + n)', 'lib.attrsets.collect builtins.isInt { a = 1; b = { c = 2; }; }',
    'lib.versions.major "3.11.9"', 'lib.versions.minor "3.11.9"', 'lib.versions.majorMinor "3.11.9"', 'lib.versions.pad 3 "1.2"',
    'lib.fix (self: { a = 1; b = self.a + 1; })', 'lib.composeManyExtensions [ (f: p: { x = 1; }) (f: p: { y = p.x + 1; }) ] { } { }',
    '((lib.makeOverridable ({ a, b ? 2 }: { s = a + b; }) { a = 1; }).override { b = 10; }).s',
    'lib.callPackageWith { a = 1; b = 2; } ({ a, c ? 3 }: a + c) { }', 'lib.getName "hello-2.12.1"', 'lib.getVersion "hello-2.12.1"',
    'lib.toInt "42"', 'lib.toIntBase10 "007"', 'lib.trim "  x y  "', 'lib.sanitizeDerivationName "a b/c"',
    'lib.generators.toKeyValue { } { a = 1; b = "x"; }', 'lib.generators.toINI { } { s = { k = "v"; }; }',
    'lib.subtractLists [ 1 ] [ 1 2 ]', 'lib.intersectLists [ 1 2 ] [ 2 3 ]', 'lib.count (x: x > 1) [ 1 2 3 ]',
    'lib.zipAttrsWith (n: vs: vs) [ { a = 1; } { a = 2; b = 3; } ]', 'lib.cartesianProduct { a = [ 1 2 ]; b = [ 3 ]; }',
    'lib.concatLines [ "a" "b" ]', 'lib.hasInfix "b.c" "ab.cd"', 'lib.escapeRegex "a.b*"', 'lib.toShellVar "x" [ "a" "b" ]',
    '(lib.systems.elaborate "aarch64-linux").dockerArch', 'lib.fixedWidthNumber 4 7', 'lib.replicate 2 "x"',
    'lib.sortOn (x: x.k) [ { k = 2; } { k = 1; } ]', 'lib.groupBy (x: if x > 1 then "big" else "small") [ 1 2 3 ]',
    f'lib.fileset.toSource {{ root = {ROOT}/samples; fileset = lib.fileset.unions [ {ROOT}/samples/files/start.sh {ROOT}/samples/hello-layered.nix ]; }}',
    f'(lib.cleanSourceWith {{ src = {ROOT}/samples/files; filter = p: t: lib.hasSuffix ".sh" p; }}).outPath',
]


@pytest.mark.nix
def test_lib_matches_real_nix(cli, nix):
    expr = "let lib = import <nixpkgs/lib>; in [ " + " ".join(f"({e})" for e in LIB_EXPRS) + " ]"
    want = nix_eval(expr, nix)
    got = our_eval(cli, expr, nix)
    for e, w, g in zip(LIB_EXPRS, want, got):
        assert g == w, f"{e}: nix2image {g!r} != nix {w!r}"


def catalog_json(path: Path) -> None:
    """The default catalog as the Nix-side fallback hook reads it (attr -> package info)."""
    from translator.universe.catalog import load_default

    cat = load_default()
    out = {}
    for attr in cat.attrs():
        pkg = cat.package(attr)
        if pkg is None:
            continue
        out[attr] = {"attr": attr, "pname": pkg.pname, "version": pkg.version, "name": pkg.name,
                     "outputs": {o: v.path for o, v in pkg.outputs.items()}, "outputNames": list(pkg.outputs),
                     "mainProgram": pkg.main_program, "meta": pkg.meta or {}, "system": pkg.system}
    path.write_text(json.dumps(out))


MODEL_EXPR = r'''
let pkgs = import <nixpkgs> { overlays = [ (f: p: { tool = f.writeShellScriptBin "tool" "${f.jq}/bin/jq ."; }) ]; };
    dt = pkgs.dockerTools;
    img = dt.buildLayeredImage { name = "Org/App"; contents = [ pkgs.hello pkgs.tool dt.binSh ];
      config = { Cmd = [ (pkgs.lib.getExe pkgs.hello) ]; Env = [ "PATH=${pkgs.lib.makeBinPath [ pkgs.coreutils pkgs.jq ]}" ]; }; };
in [
  img.__nix2image.args img.imageName img.imageTag img.outPath
  (dt.buildImage { name = "b"; copyToRoot = pkgs.buildEnv { name = "r"; paths = [ pkgs.redis ]; pathsToLink = [ "/bin" ]; }; }).__nix2image.args
  (dt.streamLayeredImage { name = "s"; fromImage = img; maxLayers = 5; }).__nix2image.args
  (dt.pullImage { imageName = "alpine"; imageDigest = "sha256:00"; sha256 = ""; }).__nix2image.args
  pkgs.pkgsStatic.busybox.outPath pkgs.pkgsCross.aarch64-multiplatform.hello.name pkgs.python3Packages.flask.name
  (pkgs.lib.getExe pkgs.redis) pkgs.runtimeShell pkgs.jq.outPath pkgs.jq.bin.outPath pkgs.jq.lib.outPath
  (pkgs.writeShellApplication { name = "a"; runtimeInputs = [ pkgs.curl ]; text = "curl x"; }).outPath
  (dt.fakeNss.override { extraPasswdLines = [ "a:x:1:1::/:/bin/sh" ]; }).outPath
  dt.shadowSetup (pkgs.rustPlatform.buildRustPackage { pname = "r"; version = "1"; cargoHash = ""; }).name
  (pkgs.callPackage ({ hello, lib }: lib.getExe hello) { })
]
'''


@pytest.mark.nix
def test_modelled_nixpkgs_matches_real_nix(cli, nix, tmp_path):
    """The modelled nixpkgs is plain Nix: real Nix and nix2image's evaluator give the same values
    (both through the Nix-side fallback hooks, so even builder output paths must agree)."""
    cat = tmp_path / "catalog.json"
    catalog_json(cat)
    env = dict(nix, NIX2IMAGE_CATALOG_JSON=str(cat))
    want = nix_eval(MODEL_EXPR, env)
    got = our_eval(cli, MODEL_EXPR, env)
    assert got == want


@pytest.mark.nix
def test_end_to_end_real_store(cli, nix, tmp_path):
    """Real store paths built with nix-build (a static busybox copied from Debian's busybox-static
    and an app referring to it): found through the Nix database, through --bind of the result
    link and through --bind of a copy; each closure agrees with nix-store -qR."""
    need_tool("busybox")
    work = tmp_path / "e2e"
    shutil.copytree(E2E, work)
    result = work / "result"
    proc = subprocess.run(["nix-build", str(work / "drvs.nix"), "-A", "app", "-o", str(result)],
                          capture_output=True, text=True, env=nix, timeout=600)
    assert proc.returncode == 0, proc.stderr
    app_path = os.path.realpath(result)
    qr = subprocess.run(["nix-store", "-qR", app_path], capture_output=True, text=True, env=nix, check=True)
    want = sorted(qr.stdout.split())
    assert len(want) == 2

    # 1. the derivation evaluated by nix2image: exact outPath, closure from the database
    proc = cli("closure", "--json", str(work / "image.nix"))
    assert proc.returncode == 0, proc.stderr
    graph = json.loads(proc.stdout)
    assert sorted(e["path"] for e in graph) == want
    by = {e["path"]: e for e in graph}
    info = json.loads(subprocess.run(["nix", "path-info", "--json", "-r", app_path], capture_output=True,
                                     text=True, env=nix, check=True).stdout)
    for entry in info:
        assert by[entry["path"]]["narSize"] == entry["narSize"]
        assert sorted(by[entry["path"]]["references"]) == sorted(entry["references"])

    # 2. --bind app=./result (a store path): same closure
    proc = cli("closure", "--json", str(work / "bound.nix"), "--bind", f"app={result}")
    assert proc.returncode == 0, proc.stderr
    assert sorted(e["path"] for e in json.loads(proc.stdout)) == want

    # 3. --bind of a copied build output: imported as nix-store --add names it, references scanned
    copy = tmp_path / "n2i-e2e-app-1.0"
    shutil.copytree(app_path, copy, symlinks=True)
    added = subprocess.run(["nix-store", "--add", str(copy)], capture_output=True, text=True, env=nix, check=True).stdout.strip()
    proc = cli("closure", "--json", str(work / "bound.nix"), "--bind", f"app={copy}")
    assert proc.returncode == 0, proc.stderr
    paths = sorted(e["path"] for e in json.loads(proc.stdout))
    busybox = [p for p in want if p != app_path]
    assert paths == sorted([added] + busybox)
    spec = json.loads(cli("spec", "--json", str(work / "bound.nix"), "--bind", f"app={copy}").stdout)
    assert spec["config"]["Cmd"] == [f"{added}/bin/app"]


def test_closure_json_is_export_references_graph(cli):
    proc = cli("closure", "--json", str(SAMPLES / "hello-layered.nix"))
    assert proc.returncode == 0, proc.stderr
    graph = json.loads(proc.stdout)
    assert [sorted(e) for e in graph] == [["closureSize", "narHash", "narSize", "path", "references"]] * len(graph)
    by = {e["path"]: e for e in graph}
    hello = next(p for p in by if p.endswith("-hello-2.12.1"))
    assert by[hello]["closureSize"] == sum(e["narSize"] for e in graph)
    for e in graph:
        assert all(r in by for r in e["references"])
    # byte-identical across runs and hash seeds
    again = cli("closure", "--json", str(SAMPLES / "hello-layered.nix"), env=dict(os.environ, PYTHONHASHSEED="123"))
    assert again.stdout == proc.stdout


def test_closure_dot_renders(cli, tmp_path):
    need_tool("dot")
    out = tmp_path / "g.dot"
    proc = cli("closure", "--dot", str(SAMPLES / "hello-layered.nix"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert text.startswith("digraph closure {") and "-hello-2.12.1\" -> \"" in text
    svg = subprocess.run(["dot", "-Tsvg", str(out)], capture_output=True, text=True)
    assert svg.returncode == 0 and "<svg" in svg.stdout


def test_images_and_single_image_default(cli):
    proc = cli("images", str(SAMPLES / "multi-image.nix"))
    assert proc.returncode == 0, proc.stderr
    assert [l.split("\t")[0] for l in proc.stdout.splitlines()] == ["backend", "frontend", "merged"]
    proc = cli("spec", str(SAMPLES / "multi-image.nix"))
    assert proc.returncode != 0 and "defines 3 images" in proc.stderr and "frontend" in proc.stderr
    proc = cli("spec", "--json", str(SAMPLES / "multi-image.nix"), "-A", "frontend")
    assert json.loads(proc.stdout)["name"] == "frontend"
    proc = cli("images", str(SAMPLES / "hello-layered.nix"))
    assert proc.stdout.startswith("(the file itself)\tbuildLayeredImage\thello")


def test_bad_inputs_are_clear_errors(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "nix2image-catalog/1", "packages": {"x": 1}}')
    proc = cli("spec", str(SAMPLES / "hello-layered.nix"), "--catalog", str(bad))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and str(bad) in proc.stderr
    missing = tmp_path / "m.nix"
    missing.write_text("let pkgs = import <nixpkgs> { }; in\npkgs.dockerTools.buildImage { name = \"x\"; copyToRoot = [ pkgs.noSuchThing ]; }\n")
    proc = cli("spec", str(missing))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    # the open world: one error listing the missing package with its position (test_openworld.py)
    assert "pkgs.noSuchThing  at " in proc.stderr and f"{missing}:2:" in proc.stderr
    assert "--catalog FILE" in proc.stderr and "--bind noSuchThing=./result" in proc.stderr
    proc = cli("spec", str(tmp_path / "nope.nix"))
    assert proc.returncode != 0 and "no such file" in proc.stderr
    proc = cli("spec", str(SAMPLES / "hello-layered.nix"), "--bind", "nonsense")
    assert proc.returncode != 0 and "NAME=PATH" in proc.stderr and "Traceback" not in proc.stderr


def test_catalog_option_adds_packages(cli, tmp_path):
    cat = tmp_path / "extra.json"
    path = "/nix/store/" + "a" * 32 + "-mytool-1.0"
    cat.write_text(json.dumps({
        "format": "nix2image-catalog/1",
        "paths": {path: {"narSize": 1234, "references": []}},
        "packages": {"mytool": {"pname": "mytool", "version": "1.0", "outputs": {"out": path}, "mainProgram": "mytool"}},
    }))
    f = tmp_path / "t.nix"
    f.write_text("{ pkgs ? import <nixpkgs> { } }:\npkgs.dockerTools.buildLayeredImage { name = \"t\"; config.Cmd = [ (pkgs.lib.getExe pkgs.mytool) ]; }\n")
    proc = cli("closure", "--json", str(f), "--catalog", str(cat))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"closureSize": 1234, "narHash": "", "narSize": 1234, "path": path, "references": []}]


def test_spec_options_shared(cli):
    """The options other commands get from spec_options behave the same through load_spec."""
    from translator.commands.spec_options import OPTION_NAMES, load_spec

    spec, source = load_spec(str(SAMPLES / "hello-layered.nix"), **{k: None for k in OPTION_NAMES})
    assert spec.name == "hello" and spec.closure
    loc = source.location(spec.roots[0]) if source.has(spec.roots[0]) else None
    assert loc is None or os.path.exists(loc)


@pytest.mark.nix
@pytest.mark.tools
def test_end_to_end_image_runs_in_podman(cli, nix, tmp_path):
    """The whole way: nix-build real store paths, evaluate the image file with nix2image (closure
    from the Nix database), build it and run it with podman."""
    need_tool("podman", "runc")
    work = tmp_path / "e2e"
    shutil.copytree(E2E, work)
    proc = subprocess.run(["nix-build", str(work / "drvs.nix"), "-A", "app", "-o", str(work / "result")],
                          capture_output=True, text=True, env=nix, timeout=600)
    assert proc.returncode == 0, proc.stderr
    tar = tmp_path / "img.tar"
    proc = cli("build", str(work / "image.nix"), "-o", str(tar))
    assert proc.returncode == 0, proc.stderr
    import tempfile

    short = tempfile.mkdtemp(prefix="n2i-pod-")  # podman wants a short runroot
    pod = ["podman", "--root", str(tmp_path / "root"), "--runroot", short, "--storage-driver", "vfs"]
    try:
        subprocess.run(pod + ["load", "-i", str(tar)], check=True, capture_output=True, timeout=300)
        run = subprocess.run(pod + ["run", "--rm", "--runtime", "runc", "--network", "none", "--ulimit", "nofile=1024:1024",
                                    "--ulimit", "nproc=1024:1024", "e2e:latest"], capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(short, ignore_errors=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "hello from the e2e app"


def test_spec_json_deterministic_across_hash_seeds(cli):
    """Same inputs, byte-identical spec (realised builders, placeholders, warnings included)."""
    outs = []
    for seed in ("0", "4242"):
        proc = cli("spec", "--json", "--placeholders", str(SAMPLES / "with-pkgs.nix"),
                   env=dict(os.environ, PYTHONHASHSEED=seed))
        assert proc.returncode == 0, proc.stderr
        outs.append((proc.stdout, proc.stderr))
    assert outs[0] == outs[1]


@pytest.mark.nix
def test_chroot_store_option(cli, nix, tmp_path):
    """--store DIR reads a chroot store (database and contents under DIR)."""
    work = tmp_path / "e2e"
    shutil.copytree(E2E, work)
    proc = subprocess.run(["nix-build", str(work / "drvs.nix"), "-A", "app", "--no-out-link"],
                          capture_output=True, text=True, env=nix, timeout=600)
    assert proc.returncode == 0, proc.stderr
    app_path = proc.stdout.strip()
    chroot = tmp_path / "chroot"
    cp = subprocess.run(["nix", "copy", "--no-check-sigs", "--to", f"local?root={chroot}", app_path],
                        capture_output=True, text=True, env=nix, timeout=600)
    assert cp.returncode == 0, cp.stderr
    want = sorted(subprocess.run(["nix-store", "-qR", app_path], capture_output=True, text=True, env=nix,
                                 check=True).stdout.split())
    proc = cli("closure", "--json", str(work / "image.nix"), "--store", str(chroot))
    assert proc.returncode == 0, proc.stderr
    assert sorted(e["path"] for e in json.loads(proc.stdout)) == want
    from translator.commands.spec_options import OPTION_NAMES, load_spec

    opts = {k: None for k in OPTION_NAMES}
    opts["store"] = str(chroot)
    spec, source = load_spec(str(work / "image.nix"), **opts)
    loc = source.location(app_path)
    assert loc == str(chroot) + app_path and os.path.isfile(loc + "/bin/app")
