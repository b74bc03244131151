"""A real nixpkgs (../shared/nixpkgs-core/tree) evaluated by nix2image, against Nix 2.8.

* drvPaths of the tree's top-level attributes equal Nix's (all of Nix's in CI, a fixed sample by
  default), and outPaths of a handful; Nix's answers are computed here once and cached under
  pytest's cache, keyed by the tree's content.
* The tree found where users have it: ``-I nixpkgs=``, ``--nixpkgs``, a flake.lock narHash whose
  store path is in the local Nix store (added by the test with ``nix-store --add-fixed``),
  ``--override-input``, and ``--allow-fetch`` from a loopback HTTP server (hash checked, cached,
  offline afterwards); ``--debug`` says where nixpkgs came from, and the model stands in (with one
  warning naming the input and the store path) when nothing is found.
* dockerTools comes from nix2image over the real tree: the image's store paths are the tree's
  exact ones, and ``build --placeholders`` makes an image skopeo and podman accept.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from test_image_support import podman  # noqa: F401 - the shared podman fixture
from conftest import ROOT, SHARED, in_ci, need_conformance, need_tool, nix_env, nix2image_exe, run_cli

sys.path.insert(0, str(Path(__file__).parent))
from nixpkgs_sweep import command_runner, names_expr, sweep, tree_key  # noqa: E402

TREE = SHARED / "nixpkgs-core" / "tree"
#: A fixed sample checked by default (all of Nix's drvPaths in CI): the bootstrap-heavy core and a
#: spread over the alphabet.
SAMPLE = ["coreutils", "bash", "gnumake", "openssl", "curl", "busybox", "python3", "perl", "zlib", "xz",
          "acl", "aalib", "abseil-cpp", "gettext", "libffi", "ncurses", "readline", "sqlite", "tzdata", "which"]
OUTPATH_SAMPLE = ["coreutils", "bash", "openssl", "zlib", "gnumake"]


def _nix_runner(store: Path):
    argv = ["nix-instantiate", "--store", str(store), "--read-write-mode", "--eval", "--strict", "--json"]
    return command_runner(argv, env=nix_env())


def _ours_runner():
    return command_runner([nix2image_exe(), "eval", "--strict", "--json"])


@pytest.fixture(scope="module")
def tree() -> str:
    need_conformance(TREE)
    return str(TREE)


@pytest.fixture(scope="module")
def nix_store(tmp_path_factory) -> Path:
    """A private chroot store for Nix's evaluations (they copy sources into it)."""
    need_tool("nix-instantiate", "nix-store")
    return tmp_path_factory.mktemp("nixstore") / "store"


def _cached(request, key: str, compute):
    cache = request.config.cache
    hit = cache.get(key, None)
    if hit is None:
        hit = compute()
        cache.set(key, hit)
    return hit


@pytest.fixture(scope="module")
def nix_answers(request, tree, nix_store):
    """Nix's drvPath for every attribute checked here (all in CI), cached by the tree's content."""
    key = tree_key(tree)
    run = _nix_runner(nix_store)

    def compute_names():
        code, out, err = run(names_expr(tree))
        assert code == 0, err
        return json.loads(out)

    names = _cached(request, f"nix2image/real-nixpkgs/{key}/names", compute_names)
    wanted = names if in_ci() else [n for n in SAMPLE if n in names]
    suffix = "all" if in_ci() else "sample"
    return _cached(request, f"nix2image/real-nixpkgs/{key}/drvpaths-{suffix}",
                   lambda: sweep(run, tree, wanted, chunk=60, jobs=2))


@pytest.mark.nix
@pytest.mark.slow
def test_drvpaths_equal_nix(tree, nix_answers):
    """Every drvPath Nix 2.8 gives (520 of the 1,004 attributes; a fixed sample outside CI) is
    given identically; evaluated as a user could, many attributes per `nix2image eval`."""
    given = sorted(n for n, v in nix_answers.items() if v)
    if in_ci():
        assert len(given) == 520, len(given)
    else:
        assert len(given) >= 15
    ours = sweep(_ours_runner(), tree, given, chunk=max(1, (len(given) + 1) // 2), jobs=2)
    differ = {n: (nix_answers[n], ours.get(n)) for n in given if ours.get(n) != nix_answers[n]}
    assert not differ, f"{len(differ)} of {len(given)} differ: {dict(list(differ.items())[:10])}"


@pytest.mark.nix
@pytest.mark.slow
def test_outpaths_equal_nix(tree, nix_store):
    nix = sweep(_nix_runner(nix_store), tree, OUTPATH_SAMPLE, chunk=len(OUTPATH_SAMPLE), field="outPath")
    ours = sweep(_ours_runner(), tree, OUTPATH_SAMPLE, chunk=len(OUTPATH_SAMPLE), field="outPath")
    assert all(nix.values()) and ours == nix


# --- where the tree is found ------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _nix_outpaths(tree: str, store: str) -> dict[str, str]:
    return sweep(_nix_runner(Path(store)), tree, ["coreutils", "bash"], chunk=2, field="outPath")


@pytest.fixture(scope="module")
def outpaths(tree, nix_store) -> dict[str, str]:
    got = _nix_outpaths(tree, str(nix_store))
    assert all(got.values()), got
    return got


@pytest.fixture(scope="module")
def narhash(tree, tmp_path_factory) -> str:
    need_tool("nix")
    proc = subprocess.run(["nix", "hash", "path", "--sri", tree], capture_output=True, text=True, env=nix_env())
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


FLAKE = """{
  inputs.nixpkgs.url = "github:auxolotl/core";
  outputs = { self, nixpkgs }:
    let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
      packages.x86_64-linux.default = pkgs.dockerTools.buildLayeredImage {
        name = "pinned";
        contents = [ pkgs.coreutils pkgs.bash ];
        config.Cmd = [ "${pkgs.bash}/bin/bash" ];
      };
    };
}
"""


def _flake(dir: Path, locked: dict) -> Path:
    dir.mkdir(parents=True, exist_ok=True)
    (dir / "flake.nix").write_text(FLAKE)
    lock = {"nodes": {"nixpkgs": {"locked": locked, "original": {"owner": "auxolotl", "repo": "core", "type": "github"}},
                      "root": {"inputs": {"nixpkgs": "nixpkgs"}}}, "root": "root", "version": 7}
    (dir / "flake.lock").write_text(json.dumps(lock, indent=2))
    return dir


def _github_lock(nar: str) -> dict:
    return {"lastModified": 1719273600, "narHash": nar, "owner": "auxolotl", "repo": "core",
            "rev": "fe3e015b6b9f8ea4149423d0178cb05e6029fed1", "type": "github"}


def _spec(*args: str, cwd=None, env=None) -> tuple[dict, str]:
    proc = run_cli("--debug", "spec", "--json", *args, cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout), proc.stderr


def _paths(spec: dict) -> set[str]:
    return {e["path"] for e in spec["closure"]}


@pytest.fixture(scope="module")
def in_store(tree, narhash, tmp_path_factory) -> str:
    """The tree added to the local Nix store as Nix adds a fetched input: a copy named `source`."""
    need_tool("nix-store")
    src = tmp_path_factory.mktemp("add") / "source"
    shutil.copytree(tree, src, symlinks=True)
    proc = subprocess.run(["nix-store", "--add-fixed", "--recursive", "sha256", str(src)],
                          capture_output=True, text=True, env=nix_env())
    if proc.returncode != 0 and not in_ci():
        pytest.skip(f"cannot add to the local Nix store here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.nix
@pytest.mark.slow
def test_flake_lock_narhash_in_store(in_store, narhash, outpaths, tmp_path):
    flake = _flake(tmp_path / "app", _github_lock(narhash))
    spec, err = _spec(str(flake), "--placeholders")
    paths = _paths(spec)
    assert outpaths["coreutils"] in paths and outpaths["bash"] in paths, sorted(paths)
    assert set(spec["contents"]) == {outpaths["coreutils"], outpaths["bash"]}
    assert f"flake input 'nixpkgs' is {in_store}, found in the local Nix store" in err
    assert "modelled nixpkgs stands in" not in err
    assert "estimates from their derivations' runtime inputs" in err  # not built: labelled estimates


@pytest.mark.nix
@pytest.mark.slow
def test_flake_falls_back_to_model_once(tmp_path):
    missing = "sha256-" + "B" * 43 + "="
    flake = _flake(tmp_path / "app", _github_lock(missing))
    spec, err = _spec(str(flake), "--placeholders")
    assert err.count("modelled nixpkgs stands in") == 1
    line = next(l for l in err.splitlines() if "modelled nixpkgs stands in" in l)
    assert "flake input 'nixpkgs'" in line and "/nix/store/" in line and "-source was looked for" in line
    assert any(p.endswith("-coreutils-9.5") for p in _paths(spec))  # the model's coreutils


@pytest.mark.nix
@pytest.mark.slow
def test_override_input_and_nixpkgs_option(tree, outpaths, tmp_path):
    flake = _flake(tmp_path / "app", _github_lock("sha256-" + "C" * 43 + "="))
    spec, err = _spec(str(flake), "--placeholders", "--override-input", "nixpkgs", tree)
    assert {outpaths["coreutils"], outpaths["bash"]} <= _paths(spec)
    assert "(--override-input)" in err and "stands in" not in err
    spec2, err2 = _spec(str(flake), "--placeholders", "--nixpkgs", tree)
    assert _paths(spec2) == _paths(spec) and "(--nixpkgs)" in err2


IMAGE_NIX = """{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildLayeredImage {
  name = "real-tree";
  tag = "1";
  contents = [ pkgs.coreutils pkgs.bash ];
  config.Cmd = [ "${pkgs.bash}/bin/bash" "-c" "echo hello from the real tree" ];
}
"""


@pytest.mark.nix
@pytest.mark.slow
def test_search_path_nixpkgs_image(tree, outpaths, tmp_path):
    (tmp_path / "image.nix").write_text(IMAGE_NIX)
    spec, err = _spec(str(tmp_path / "image.nix"), "-I", f"nixpkgs={tree}", "--placeholders")
    assert {outpaths["coreutils"], outpaths["bash"]} <= _paths(spec)
    assert spec["config"]["Cmd"][0] == outpaths["bash"] + "/bin/bash"
    assert f"<nixpkgs> is {tree} (-I nixpkgs={tree}; a real nixpkgs tree)" in err
    assert "nix2image's dockerTools is added as an overlay" in err
    # unbuilt real packages without --placeholders: one clear error naming the path
    proc = run_cli("spec", str(tmp_path / "image.nix"), "-I", f"nixpkgs={tree}", "--store", str(tmp_path / "none"))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "is not built: no Nix store, catalog or binary cache has it" in proc.stderr and "--placeholders" in proc.stderr
    # without -I the model answers: other store paths
    model, err = _spec(str(tmp_path / "image.nix"), "--placeholders")
    assert outpaths["coreutils"] not in _paths(model) and "modelled nixpkgs" in err


@pytest.mark.nix
@pytest.mark.tools
@pytest.mark.slow
def test_build_placeholders_loads_in_skopeo_and_podman(tree, outpaths, tmp_path, podman):
    need_tool("skopeo")
    (tmp_path / "image.nix").write_text(IMAGE_NIX)
    out = tmp_path / "image.tar"
    proc = run_cli("build", str(tmp_path / "image.nix"), "-I", f"nixpkgs={tree}", "--placeholders", "-o", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    inspect = subprocess.run(["skopeo", "inspect", f"docker-archive:{out}"], capture_output=True, text=True)
    assert inspect.returncode == 0, inspect.stderr
    assert json.loads(inspect.stdout)["Labels"]["org.nix2image.placeholders"]
    podman.load(out)
    listed = subprocess.run(podman.base + ["image", "inspect", "real-tree:1"], capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["Config"]["Cmd"][0] == outpaths["bash"] + "/bin/bash"


# --- --allow-fetch ------------------------------------------------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D102 - no request log on stderr
        pass


@pytest.fixture
def tarball_server(tree, tmp_path):
    """A loopback HTTP server serving a tarball of the tree (one top-level directory, as GitHub's)."""
    served = tmp_path / "served"
    served.mkdir()
    with tarfile.open(served / "core.tar.gz", "w:gz") as tf:
        tf.add(tree, arcname="core-fe3e015")
    handler = functools.partial(_Quiet, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/core.tar.gz", httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.nix
@pytest.mark.slow
def test_allow_fetch_checks_caches_and_works_offline(tarball_server, narhash, outpaths, tmp_path):
    url, httpd = tarball_server
    env = dict(os.environ, NIX2IMAGE_CACHE=str(tmp_path / "cache"))
    locked = {"lastModified": 1719273600, "narHash": narhash, "type": "tarball", "url": url}
    flake = _flake(tmp_path / "app", locked)
    # an empty --store: no local store has the tree (another test may have added it to /nix/store)
    nostore = ["--store", str(tmp_path / "empty-store")]
    # a wrong hash is refused with Nix's wording, nothing cached
    bad = _flake(tmp_path / "bad", dict(locked, narHash="sha256-" + "D" * 43 + "="))
    proc = run_cli("spec", str(bad), "--placeholders", "--allow-fetch", *nostore, env=env)
    assert proc.returncode != 0 and "NAR hash mismatch in input" in proc.stderr, proc.stderr[-2000:]
    assert f"got '{narhash}'" in proc.stderr and "Traceback" not in proc.stderr
    assert not list((tmp_path / "cache" / "sources").glob("*-source"))
    # not fetched by default: the model stands in, saying what was looked for
    _, err = _spec(str(flake), "--placeholders", *nostore, env=env)
    assert "--allow-fetch downloads it" in err
    spec, err = _spec(str(flake), "--placeholders", "--allow-fetch", *nostore, env=env)
    assert f"fetching {url} (--allow-fetch)" in err
    assert {outpaths["coreutils"], outpaths["bash"]} <= _paths(spec)
    cached = list((tmp_path / "cache" / "sources").glob("*-source"))
    assert [p.name for p in cached] == [os.path.basename(_store_path_of(narhash))]
    httpd.shutdown()  # offline from now on: the cache answers
    spec2, err = _spec(str(flake), "--placeholders", *nostore, env=env)
    assert "found in nix2image's fetch cache" in err and _paths(spec2) == _paths(spec)


def _store_path_of(nar: str) -> str:
    from translator.universe.real_nixpkgs import source_store_path

    return source_store_path(nar)


NIV_NIX = """let
  # as niv's sources.nix fetches a pinned nixpkgs: a tarball with its NAR hash
  src = builtins.fetchTarball {
    url = "https://github.com/auxolotl/core/archive/fe3e015b6b9f8ea4149423d0178cb05e6029fed1.tar.gz";
    sha256 = "@HASH@";
  };
  pkgs = import src { };
in
pkgs.dockerTools.buildImage {
  name = "niv-real";
  copyToRoot = [ pkgs.coreutils ];
}
"""


@pytest.mark.nix
@pytest.mark.slow
def test_fetch_tarball_with_hash_found_in_store(in_store, narhash, outpaths, tmp_path):
    (tmp_path / "image.nix").write_text(NIV_NIX.replace("@HASH@", narhash))
    spec, err = _spec(str(tmp_path / "image.nix"), "--placeholders")
    assert outpaths["coreutils"] in _paths(spec)
    assert f"builtins.fetchTarball of https://github.com/auxolotl/core/archive/" in err and in_store in err


def test_missing_nixpkgs_directories_are_refused(tmp_path):
    """A --nixpkgs or --override-input path that is not a directory names the argument at fault
    (it used to be ignored silently, and the model stood in)."""
    sample = str(ROOT / "samples" / "hello-layered.nix")
    missing = str(tmp_path / "no-such-tree")
    proc = run_cli("spec", sample, "--nixpkgs", missing)
    assert proc.returncode != 0 and "--nixpkgs" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("spec", sample, "--override-input", "nixpkgs", missing)
    assert proc.returncode != 0 and f"--override-input nixpkgs {missing}" in proc.stderr
    assert "Traceback" not in proc.stderr
