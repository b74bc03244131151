"""Crash safety: ``kill -9`` at many points of ``build``, ``stream -o``, ``pull`` and ``push``
(through the NIX2IMAGE_TEST_KILL_AFTER_BYTES hook: the process SIGKILLs itself after writing N
bytes), then the output folder, the pull cache and a real registry are checked; stale scratch
directories of dead processes are removed by the next run, live ones never; two builds racing
for one output both finish with a whole image."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import nix2image_exe, run_cli
from registry_support import Registry, make_docker_archive

NIX = """let pkgs = import <nixpkgs> {}; in
pkgs.dockerTools.buildLayeredImage {
  name = "killme"; tag = "1"; contents = [ pkgs.hello pkgs.busybox ]; config.Cmd = [ "/bin/hello" ];
}
"""
BUILD = ("--placeholders", "--full-size", "-q")
#: every kill point (and the OCI race) with NIX2IMAGE_ALL_KILL_POINTS=1; a fixed sample otherwise
ALL = os.environ.get("NIX2IMAGE_ALL_KILL_POINTS") == "1"


def killed(args: list[str], after: int, cwd: Path | None = None, env: dict | None = None) -> int:
    """Run nix2image with the kill hook armed; its exit status (-9 when the hook fired)."""
    env = dict(env or os.environ, NIX2IMAGE_TEST_KILL_AFTER_BYTES=str(after))
    return subprocess.run([nix2image_exe(), *args], cwd=cwd, env=env, capture_output=True, timeout=600).returncode


def check_layer_cache(root: Path) -> None:
    """Every layer cache entry with a record is whole: its blob hashes to the recorded digest."""
    for rec in root.rglob("*.json"):
        meta = json.loads(rec.read_text())
        blob = rec.with_suffix(".blob")
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == meta["digest"].removeprefix("sha256:"), rec


def scratch_in(d: Path) -> list[str]:
    return sorted(n for n in os.listdir(d) if n.startswith(".nix2image-"))


def check_archive(path: Path) -> None:
    """A whole docker-archive: manifest, config and every layer present, layers hash to the diff_ids."""
    with tarfile.open(path) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))[0]
        config = json.load(tf.extractfile(manifest["Config"]))
        got = ["sha256:" + hashlib.sha256(tf.extractfile(l).read()).hexdigest() for l in manifest["Layers"]]
    assert got == config["rootfs"]["diff_ids"]


@pytest.fixture(scope="module")
def nixdir(tmp_path_factory) -> tuple[Path, bytes]:
    d = tmp_path_factory.mktemp("killbuild")
    (d / "img.nix").write_text(NIX)
    run_cli("build", "img.nix", *BUILD, "-o", "ref.tar", cwd=d, check=True)
    return d, (d / "ref.tar").read_bytes()


def test_build_killed_at_many_points_leaves_old_or_whole_output(nixdir):
    d, ref = nixdir
    size = len(ref)
    (d / "out.tar").write_bytes(b"previous output")
    cache = d / "xdg-cache"  # a fresh layer cache, filled (and killed) by these builds
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    fired, left_scratch = 0, False
    for after in ((2048, 1 << 20, size // 2, size - 4096) if ALL else (4096, size // 2)):
        rc = killed(["build", "img.nix", *BUILD, "-o", "out.tar"], after, cwd=d, env=env)
        check_layer_cache(cache)
        fired += rc == -9
        data = (d / "out.tar").read_bytes()
        assert data in (b"previous output", ref), f"partial output after a kill at {after} bytes"
        left_scratch = left_scratch or bool(scratch_in(d))
    assert fired >= (3 if ALL else 1)
    assert left_scratch, "no kill point fell while a scratch directory was beside the output"
    # the next run removes the dead runs' scratch directories and writes the whole image
    run_cli("build", "img.nix", *BUILD, "-o", "out.tar", cwd=d, env=env, check=True)
    assert scratch_in(d) == []
    check_layer_cache(cache)
    assert not list(cache.rglob(".nix2image-*")), "temporary files of killed builds left in the layer cache"
    assert (d / "out.tar").read_bytes() == ref


def test_stream_to_file_killed(nixdir):
    d, ref = nixdir
    for after in ((4096, len(ref) // 3) if ALL else (len(ref) // 3,)):
        assert killed(["stream", "img.nix", *BUILD, "-o", "s.tar"], after, cwd=d) == -9
        assert not (d / "s.tar").exists()
    run_cli("stream", "img.nix", *BUILD, "-o", "s.tar", cwd=d, check=True)
    check_archive(d / "s.tar")
    assert scratch_in(d) == []


@pytest.mark.parametrize("fmt", ["docker-archive", "oci"] if ALL else ["docker-archive"])
def test_two_builds_to_one_output_both_finish(nixdir, fmt):
    d, ref = nixdir
    out = "race.tar" if fmt == "docker-archive" else "race-oci"
    cmd = [nix2image_exe(), "build", "img.nix", *BUILD, "--format", fmt, "-o", out]
    procs = [subprocess.Popen(cmd, cwd=d, stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()
    if fmt == "docker-archive":
        assert (d / out).read_bytes() == ref
    else:
        index = json.loads((d / out / "index.json").read_text())
        for blob in (d / out / "blobs" / "sha256").iterdir():
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name
        assert index["manifests"]
    assert scratch_in(d) == []


# --- registry: pull and push ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    reg = Registry(tmp_path_factory.mktemp("registry")).start()
    yield reg
    reg.stop()


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("src")
    layers = [{f"f{i}.bin": os.urandom(300_000) + bytes([i])} for i in range(4)]
    make_docker_archive(d / "src.tar", layers, "src:1")
    return d / "src.tar"


def _get(url: str, method: str = "GET") -> tuple[int, bytes]:
    req = urllib.request.Request(url, method=method, headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.manifest.v1+json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


def check_registry(reg: Registry, repo: str) -> list[str]:
    """Every tag of ``repo`` names a manifest whose config and layers are all there."""
    status, body = _get(f"http://{reg.host}/v2/{repo}/tags/list")
    tags = (json.loads(body).get("tags") or []) if status == 200 else []
    for tag in tags:
        status, body = _get(f"http://{reg.host}/v2/{repo}/manifests/{tag}")
        assert status == 200
        m = json.loads(body)
        for desc in [m["config"], *m["layers"]]:
            assert _get(f"http://{reg.host}/v2/{repo}/blobs/{desc['digest']}", "HEAD")[0] == 200, \
                f"tag {tag} names a manifest whose blob {desc['digest']} is missing"
    return tags


def test_push_killed_never_tags_missing_blobs(registry, archive, tmp_path):
    fired = 0
    for i, after in enumerate((1, 200_000, 700_000, 1_100_000)):
        repo = f"kill/push{i}"
        rc = killed(["push", str(archive), f"docker://{registry.host}/{repo}:1", "--insecure",
                     "--cache-dir", str(tmp_path / "cache"), "--compress", "none"], after)
        fired += rc == -9
        assert check_registry(registry, repo) in ([], ["1"])
    assert fired >= 3
    # a retry after the kills completes the push
    proc = run_cli("push", str(archive), f"docker://{registry.host}/kill/push1:1", "--insecure",
                   "--cache-dir", str(tmp_path / "cache"), "--compress", "none")
    assert proc.returncode == 0, proc.stderr
    assert check_registry(registry, "kill/push1") == ["1"]


@pytest.fixture(scope="module")
def pushed(registry, archive, tmp_path_factory) -> str:
    ref = f"docker://{registry.host}/kill/pull:1"
    run_cli("push", str(archive), ref, "--insecure", "--cache-dir", str(tmp_path_factory.mktemp("pc")), check=True)
    return ref


def test_pull_killed_leaves_no_partial_output_or_cache_entry(pushed, tmp_path):
    ref = pushed
    out = tmp_path / "out"
    out.mkdir()
    cache = tmp_path / "pullcache"
    fired = 0
    for after in (1, 300_000, 900_000, 1_300_000):
        rc = killed(["pull", ref, "--insecure", "-o", str(out / "img.tar"), "--to-cache", str(cache)], after)
        fired += rc == -9
        if (out / "img.tar").exists():
            check_archive(out / "img.tar")
        for entry in cache.glob("sha256/*/image.tar"):  # a cache entry is whole or absent
            check_archive(entry)
    assert fired >= 3
    proc = run_cli("pull", ref, "--insecure", "-o", str(out / "img.tar"), "--to-cache", str(cache))
    assert proc.returncode == 0, proc.stderr
    check_archive(out / "img.tar")
    assert scratch_in(out) == []
    assert not [p for p in cache.rglob(".nix2image-*")]


def test_sweep_checks_owner_pid_and_start_time(registry, pushed, tmp_path):
    from translator.scratch import owner_tag

    dead = subprocess.Popen(["true"])
    dead.wait()
    mine = tmp_path / f".nix2image-{owner_tag()}-live"  # this test process is alive: never removed
    gone = tmp_path / f".nix2image-{dead.pid}-1-dead"  # a pid that no longer runs
    reused = tmp_path / f".nix2image-{os.getpid()}-1-reused"  # a live pid, but another start time
    for p in (mine, gone, reused):
        p.mkdir()
        (p / "big").write_bytes(b"x" * 1000)
    run_cli("pull", pushed, "--insecure", "-o", str(tmp_path / "img.tar"), check=True)
    assert mine.exists() and not gone.exists() and not reused.exists()


RUN_AS_ROOT = """let pkgs = import <nixpkgs> {}; in
pkgs.dockerTools.buildImage { name = "rar"; tag = "1"; copyToRoot = [ pkgs.busybox ]; runAsRoot = ''
  #!${pkgs.runtimeShell}
  mkdir -p /data && echo hi > /data/x && chmod 000 /data && touch /started && SLEEP
''; }
"""


def test_run_as_root_killed_leaves_no_process_output_or_scratch(tmp_path):
    """SIGKILL while the runAsRoot script runs: its processes die with the build (no orphan keeps
    writing), no output appears, and the next build removes the scratch (read-only dirs included)."""
    import signal
    import time

    if os.geteuid() != 0 and not Path("/proc/self/ns/user").exists():
        pytest.skip("runAsRoot needs root or user namespaces")
    marker = f"sleep 3{os.getpid() % 10}.{os.getpid() % 97}"  # a process we can find by its argv
    (tmp_path / "rar.nix").write_text(RUN_AS_ROOT.replace("SLEEP", marker))
    proc = subprocess.Popen([nix2image_exe(), "build", "rar.nix", "--placeholders", "-q", "-o", "rar.tar"],
                            cwd=tmp_path, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".nix2image-*/runasroot-*/upper/started")):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the runAsRoot script did not start"
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert left == [], f"runAsRoot processes outlived the killed build: {left}"
    assert not (tmp_path / "rar.tar").exists()
    assert scratch_in(tmp_path)
    (tmp_path / "rar.nix").write_text(RUN_AS_ROOT.replace("SLEEP", "true"))
    done = run_cli("build", "rar.nix", "--placeholders", "-q", "-o", "rar.tar", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    check_archive(tmp_path / "rar.tar")
    assert scratch_in(tmp_path) == []
