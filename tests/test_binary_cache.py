"""Images from binary caches with no local store: caches made by Nix itself from the conformance
store paths, served over loopback HTTP (and read as file://), checked and unpacked by nix2image.

Every failure case must give one clear error naming the store path and the cache, no traceback,
no output file and no half-written entry in the content cache.
"""

from __future__ import annotations

import json
import lzma
import subprocess
from pathlib import Path

import pytest

from cache_support import (CacheServer, cached_hashes, copy_cache, env_with, leftovers, make_key, nix_copy)
from conftest import need_tool, nix_env, run_cli
from test_image_support import IMAGE_DIR, expected, oracle_store, podman  # noqa: F401

NIX_FILE = """
let
  pkgs = import <nixpkgs> {{}};
  s = import {store};
in pkgs.dockerTools.buildLayeredImage {{
  name = "fromcache"; tag = "1";
  contents = [ s.app s.busybox s.root ];
  config.Cmd = [ "/bin/hello" ];
}}
"""


@pytest.fixture(scope="module")
def caches(tmp_path_factory, oracle_store):
    """Signed xz and zstd caches of the six conformance paths, written by `nix copy`."""
    need_tool("nix", "nix-store")
    work = tmp_path_factory.mktemp("caches")
    sk, pk = make_key(work, "n2i-test-1")
    paths = sorted(oracle_store.values())
    out = {"key": pk, "secret": sk, "work": work, "paths": oracle_store,
           "xz": nix_copy(paths, work / "xz", "xz", sk), "zstd": nix_copy(paths, work / "zstd", "zstd", sk)}
    (work / "img.nix").write_text(NIX_FILE.format(store=IMAGE_DIR / "store.nix"))
    store_layers = [l for l in _expected()["runs"]["plain"]["layers"] if l["kind"] == "store"]
    (work / "layers.json").write_text(json.dumps([l["paths"] for l in store_layers]))
    out["digests"] = ["sha256:" + l["sha256"] for l in store_layers]
    return out


def _expected() -> dict:
    return json.loads((IMAGE_DIR / "expected.json").read_text())


@pytest.fixture
def server(caches):
    srv = CacheServer(caches["xz"])
    yield srv
    srv.close()


def build(caches, tmp_path, url: str, *extra: str, env: dict | None = None, out: str = "img.tar"):
    """``nix2image build`` with an empty --store and the given substituter; (process, output path)."""
    target = tmp_path / out
    proc = run_cli("build", str(caches["work"] / "img.nix"), "--store", str(tmp_path / "empty-store"),
                   "--substituters", url, "--trusted-public-keys", caches["key"],
                   "--layers", str(caches["work"] / "layers.json"), "-o", str(target), *extra,
                   env=env or env_with(tmp_path / "home-cache"))
    return proc, target


def layer_digests(image: Path) -> list[str]:
    info = json.loads(run_cli("inspect", "--json", str(image), check=True).stdout)
    return [l["digest"] for l in info["images"][0]["layers"]]


def refused(proc, target: Path, cache_home: Path, *words: str) -> str:
    """The failure is one clear error: no traceback, no output, nothing half-written."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    first = next(i for i, l in enumerate(lines) if l.startswith("error: "))
    assert all(l.startswith("warning: ") for l in lines[:first]), proc.stderr
    for w in words:
        assert w in proc.stderr, (w, proc.stderr)
    assert not target.exists()
    assert not list(target.parent.glob(f".{target.name}*")), "a temporary output was left behind"
    assert leftovers(cache_home) == []
    return proc.stderr


def test_http_cache_gives_conformance_layers_and_runs(caches, server, tmp_path, podman):
    proc, image = build(caches, tmp_path, server.url)
    assert proc.returncode == 0, proc.stderr
    assert layer_digests(image)[:4] == caches["digests"]
    assert set(server.requests(".narinfo")) == {200} and len(server.requests(".nar.xz")) == 6
    podman.load(image)
    assert podman.run("fromcache:1") == "hello from oracle-app\nhello from oracle-data\n"
    # the same build from the local Nix store (no --store, no cache) is byte-identical
    local = tmp_path / "local.tar"
    run_cli("build", str(caches["work"] / "img.nix"), "--layers", str(caches["work"] / "layers.json"),
            "-o", str(local), check=True, env=env_with(tmp_path / "other-cache"))
    assert local.read_bytes() == image.read_bytes()
    # --offline: everything comes from what the first run kept; the cache is not asked
    before = len(server.log)
    proc, again = build(caches, tmp_path, server.url, "--offline", out="offline.tar")
    assert proc.returncode == 0, proc.stderr
    assert again.read_bytes() == image.read_bytes() and len(server.log) == before


def test_file_url_with_zstd_and_progress_on_a_terminal(caches, tmp_path):
    import os
    import pty

    from conftest import nix2image_exe

    assert any(p.suffix == ".zst" for p in (caches["zstd"] / "nar").iterdir())
    image = tmp_path / "img.tar"
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([nix2image_exe(), "build", str(caches["work"] / "img.nix"), "--store", str(tmp_path / "e"),
                               "--substituters", f"file://{caches['zstd']}", "--trusted-public-keys", caches["key"],
                               "--layers", str(caches["work"] / "layers.json"), "-o", str(image)],
                              env=env_with(tmp_path / "home-cache"), stderr=slave, stdout=subprocess.PIPE, timeout=300)
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    assert proc.returncode == 0, shown.decode(errors="replace")
    assert b"\rfetching 6/6 store paths" in shown
    assert layer_digests(image)[:4] == caches["digests"]


def test_closure_from_narinfos_alone(caches, server, tmp_path):
    proc = run_cli("closure", str(caches["work"] / "img.nix"), "--store", str(tmp_path / "none"), "--json",
                   "--substituters", server.url, "--trusted-public-keys", caches["key"],
                   env=env_with(tmp_path / "c"))
    assert proc.returncode == 0, proc.stderr
    got = {i["path"]: i for i in json.loads(proc.stdout)}
    nix = {i["path"]: i for i in json.loads(subprocess.run(
        ["nix", "path-info", "--json", "--recursive", caches["paths"]["root"]], env=nix_env(),
        capture_output=True, text=True, check=True).stdout)}
    assert sorted(got) == sorted(nix)
    from translator.store.hashing import parse_hash
    for path, info in nix.items():
        assert got[path]["narSize"] == info["narSize"] and sorted(got[path]["references"]) == sorted(info["references"])
        assert parse_hash(got[path]["narHash"]) == parse_hash(info["narHash"])
    assert server.requests(".nar.xz") == []  # metadata only: no NAR was downloaded
    assert not (tmp_path / "c" / "nix2image" / "binary-cache" / "nar").exists()


def test_500_then_recovery(caches, server, tmp_path):
    app = caches["paths"]["app"].split("/")[-1][:32]
    nar = (caches["xz"] / f"{app}.narinfo").read_text().split("URL: ")[1].split()[0]
    server.fail.update({f"{app}.narinfo": 1, nar: 2})
    proc, image = build(caches, tmp_path, server.url, env=env_with(tmp_path / "hc", NIX_CONFIG="download-attempts = 3"))
    assert proc.returncode == 0, proc.stderr
    assert server.requests(f"{app}.narinfo") == [500, 200] and server.requests(nar) == [500, 500, 200]
    assert layer_digests(image)[:4] == caches["digests"]


def _info_file(cache: Path, store_path: str) -> Path:
    return cache / f"{store_path.split('/')[-1][:32]}.narinfo"


def _nar_of(cache: Path, store_path: str) -> tuple[Path, Path]:
    narinfo = _info_file(cache, store_path)
    url = narinfo.read_text().split("URL: ")[1].split()[0]
    return narinfo, cache / url


def test_missing_and_untrusted_paths_are_listed_at_once(caches, tmp_path):
    """Two narinfos gone and one signed by a key nobody trusts: one error, one line per path."""
    from translator.binary_cache.narinfo import parse_narinfo
    from translator.binary_cache.signatures import sign

    cache = copy_cache(caches["xz"], tmp_path / "partial")
    p = caches["paths"]
    gone = sorted([p["lib"], p["link"]])
    for path in gone:
        _info_file(cache, path).unlink()
    sk2, _ = make_key(caches["work"], "n2i-other-key")
    f = _info_file(cache, p["data"])
    info = parse_narinfo(f.read_text(), p["data"], "test")
    lines = [l for l in f.read_text().splitlines() if not l.startswith("Sig:")]
    f.write_text("\n".join(lines + ["Sig: " + sign(info.fingerprint(), sk2.read_text().strip())]) + "\n")
    home = tmp_path / "home-cache"
    proc, target = build(caches, tmp_path, f"file://{cache}")
    err = refused(proc, target, home, "3 store paths", f"file://{cache}", *gone, p["data"])
    assert "not signed by a trusted key (signed by: n2i-other-key; trusted: n2i-test-1)" in err
    assert err.count("in no binary cache") == 2
    assert cached_hashes(home) == set()  # nothing was downloaded before the error


def test_corrupt_nars_are_refused_together(caches, tmp_path):
    """A flipped bit in one NAR; another changed and recompressed with its FileHash/FileSize
    updated (only the signed NarHash can catch it): both refused, nothing kept."""
    from translator.store import base32
    import hashlib

    cache = copy_cache(caches["xz"], tmp_path / "bad")
    p = caches["paths"]
    _, flipped = _nar_of(cache, p["lib"])
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x10
    flipped.write_bytes(bytes(data))

    narinfo, nar = _nar_of(cache, p["data"])
    raw = bytearray(lzma.decompress(nar.read_bytes()))
    at = raw.index(b"hello from oracle-data")
    raw[at] = ord("j")
    new = lzma.compress(bytes(raw))
    nar.write_bytes(new)
    text = narinfo.read_text()
    old_hash = text.split("FileHash: ")[1].split()[0]
    old_size = text.split("FileSize: ")[1].split()[0]
    text = text.replace(old_hash, "sha256:" + base32.encode(hashlib.sha256(new).digest()))
    narinfo.write_text(text.replace(f"FileSize: {old_size}", f"FileSize: {len(new)}"))

    home = tmp_path / "home-cache"
    proc, target = build(caches, tmp_path, f"file://{cache}")
    err = refused(proc, target, home, "2 store paths", p["lib"], p["data"], f"file://{cache}", "nothing was kept")
    assert "NarHash mismatch" in err.split(p["data"])[1].splitlines()[0]
    bad = {_info_file(cache, q).read_text().split("NarHash: sha256:")[1].split()[0] for q in (p["lib"], p["data"])}
    assert not bad & cached_hashes(home)


def test_truncated_download(caches, server, tmp_path):
    _, nar = _nar_of(caches["xz"], caches["paths"]["busybox"])
    server.cut[nar.name] = 10
    proc, target = build(caches, tmp_path, server.url, env=env_with(tmp_path / "home-cache", NIX_CONFIG="download-attempts = 2"))
    refused(proc, target, tmp_path / "home-cache", caches["paths"]["busybox"], server.url, "2 attempts", "closed after")
    assert server.requests(nar.name) == [200, 200]


def test_two_builds_racing_share_one_cache(caches, server, tmp_path):
    from conftest import nix2image_exe

    env = env_with(tmp_path / "shared-cache")
    procs = []
    for i in range(2):
        args = [nix2image_exe(), "build", str(caches["work"] / "img.nix"), "--store", str(tmp_path / "e"),
                "--substituters", server.url, "--trusted-public-keys", caches["key"],
                "--layers", str(caches["work"] / "layers.json"), "-q", "-o", str(tmp_path / f"r{i}.tar")]
        procs.append(subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True))
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read()
    assert (tmp_path / "r0.tar").read_bytes() == (tmp_path / "r1.tar").read_bytes()
    assert leftovers(tmp_path / "shared-cache") == []
    assert len(cached_hashes(tmp_path / "shared-cache")) == 6


def test_https_cache_through_a_proxy(caches, tmp_path):
    """An https:// cache with a CA made here (--cert-dir), reached through HTTPS_PROXY."""
    from tls_support import ForwardProxy, make_ca_and_server_cert

    pki = make_ca_and_server_cert(tmp_path / "pki")
    srv = CacheServer(caches["xz"], tls=(pki["cert"], pki["key"]))
    proxy = ForwardProxy()
    try:
        args = ["closure", str(caches["work"] / "img.nix"), "--store", str(tmp_path / "none"),
                "--substituters", srv.url, "--trusted-public-keys", caches["key"]]
        env = env_with(tmp_path / "c", HTTPS_PROXY=proxy.url)
        untrusted = run_cli(*args, env=env)
        assert untrusted.returncode == 1 and "not trusted" in untrusted.stderr and "Traceback" not in untrusted.stderr
        ok = run_cli(*args, "--cert-dir", str(pki["ca_dir"]), env=env)
        assert ok.returncode == 0, ok.stderr
        assert "6 paths" in ok.stdout
        assert set(proxy.connects()) == {f"127.0.0.1:{srv.port}"}
        assert len(srv.requests(".narinfo")) == 6
    finally:
        proxy.close()
        srv.close()


def test_catalog_packages_get_their_contents_from_the_cache(caches, server, tmp_path):
    """Packages a catalog describes (as the modelled nixpkgs does) take their contents from a
    cache: metadata from the catalog, NARs from the cache."""
    exp = _expected()["store"]["attrs"]
    catalog = {"format": "nix2image-catalog/1",
               "paths": {v["path"]: {"narSize": v["narSize"], "references": v["references"]} for v in exp.values()},
               "packages": {f"oracle-{k}": {"pname": f"oracle-{k}", "version": "1", "outputs": {"out": v["path"]}}
                            for k, v in exp.items()}}
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    (tmp_path / "pkgs.nix").write_text(
        'let pkgs = import <nixpkgs> {}; in pkgs.dockerTools.buildLayeredImage { name = "fromcatalog"; tag = "1";'
        ' contents = [ pkgs.oracle-app pkgs.oracle-busybox pkgs.oracle-root ]; config.Cmd = [ "/bin/hello" ]; }\n')
    args = ["build", str(tmp_path / "pkgs.nix"), "--catalog", str(tmp_path / "catalog.json"), "--store",
            str(tmp_path / "e"), "--layers", str(caches["work"] / "layers.json"), "-o", str(tmp_path / "c.tar")]
    proc = run_cli(*args, "--substituters", server.url, "--trusted-public-keys", caches["key"],
                   env=env_with(tmp_path / "hc"))
    assert proc.returncode == 0, proc.stderr
    assert layer_digests(tmp_path / "c.tar")[:4] == caches["digests"]
    assert len(server.requests(".nar.xz")) == 6
    # a package no cache has: an error naming it, unless --placeholders stands in for it alone
    ghost = "/nix/store/" + "g" * 32 + "-ghost-1"
    catalog["paths"][ghost] = {"narSize": 4096, "references": []}
    catalog["packages"]["ghost"] = {"pname": "ghost", "version": "1", "outputs": {"out": ghost}}
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    (tmp_path / "pkgs.nix").write_text((tmp_path / "pkgs.nix").read_text().replace("pkgs.oracle-root", "pkgs.oracle-root pkgs.ghost"))
    args = [{str(tmp_path / "c.tar"): str(tmp_path / "g.tar")}.get(a, a) for a in args
            if a not in ("--layers", str(caches["work"] / "layers.json"))]
    keys = ["--substituters", server.url, "--trusted-public-keys", caches["key"]]
    proc = run_cli(*args, *keys, env=env_with(tmp_path / "hc"))
    assert proc.returncode == 1 and f"{ghost}: in no binary cache (asked: {server.url})" in proc.stderr, proc.stderr
    assert "--placeholders" in proc.stderr and not (tmp_path / "g.tar").exists()
    proc = run_cli(*args, *keys, "--placeholders", env=env_with(tmp_path / "hc"))
    assert proc.returncode == 0, proc.stderr
    info = json.loads(run_cli("inspect", "--json", str(tmp_path / "g.tar"), check=True).stdout)["images"][0]
    assert info["config"]["Labels"]["org.nix2image.placeholders"] == "1"


def test_killed_while_filling_the_cache(caches, server, tmp_path):
    """SIGKILL (the NIX2IMAGE_TEST_KILL_AFTER_BYTES hook) at several points while NARs are
    fetched and unpacked: no entry under its final name is partial (the next build, which trusts
    the entries it finds, gives the expected layers), and the staging entries of the killed runs
    are removed by the next run."""
    home = tmp_path / "home-cache"
    fired = 0
    for after in (20_000, 300_000, 1_500_000):
        proc, target = build(caches, tmp_path, server.url, "-q", env=env_with(home, NIX2IMAGE_TEST_KILL_AFTER_BYTES=str(after)))
        fired += proc.returncode == -9
        assert proc.returncode in (0, -9), proc.stderr
    assert fired >= 2
    proc, target = build(caches, tmp_path, server.url, "-q", env=env_with(home))
    assert proc.returncode == 0, proc.stderr
    assert layer_digests(target)[:len(caches["digests"])] == caches["digests"]
    assert leftovers(home) == []
    assert len(cached_hashes(home)) == 6

