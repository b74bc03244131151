"""The installed ``nix2image build / stream / inspect`` commands, as users run them."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import nix2image_exe
from test_image_support import IMAGE_DIR, expected, oracle_store, podman, validate_image  # noqa: F401

NIX_FILE = """
let
  pkgs = import <nixpkgs> {{}};
  s = import {store};
in {{
  layered = pkgs.dockerTools.buildLayeredImage {{
    name = "fromnix"; tag = "1";
    contents = [ s.app s.busybox ];
    config.Cmd = [ "/bin/hello" ];
  }};
  stacked = pkgs.dockerTools.buildImage {{
    name = "stackednix"; tag = "2";
    copyToRoot = [ s.busybox ];
    config.Cmd = [ "/bin/sh" "-c" "echo stacked" ];
  }};
}}
"""


@pytest.fixture
def nixfile(tmp_path, oracle_store) -> Path:
    f = tmp_path / "img.nix"
    f.write_text(NIX_FILE.format(store=IMAGE_DIR / "store.nix").lstrip())
    return f


def test_build_from_nix_file_attr_forms(cli, nixfile, tmp_path):
    a = tmp_path / "a.tar"
    b = tmp_path / "b.tar"
    r1 = cli("build", str(nixfile), "-A", "layered", "-o", str(a), cwd=tmp_path)
    assert r1.returncode == 0, r1.stderr
    assert "fromnix:1" in r1.stdout and "\r" not in r1.stderr  # no progress bar when not a terminal
    r2 = cli("build", f"{nixfile}#layered", "-o", str(b), "-q", cwd=tmp_path)
    assert r2.returncode == 0 and r2.stdout == "" and r2.stderr == ""
    assert a.read_bytes() == b.read_bytes()
    rootfs = validate_image(a, tmp_path, tag="1")
    assert (rootfs / "bin/hello").is_symlink()
    # default output name, OCI directory
    r3 = cli("build", str(nixfile), "-A", "stacked", "--format", "oci", "--compress", "gzip", cwd=tmp_path)
    assert r3.returncode == 0, r3.stderr
    assert (tmp_path / "stackednix-oci" / "index.json").exists()
    validate_image(tmp_path / "stackednix-oci", tmp_path, tag="2", transport="oci")


def test_stream_into_podman_load(cli, nixfile, tmp_path, podman):
    exe = nix2image_exe()
    stream = subprocess.Popen([exe, "stream", str(nixfile), "-A", "layered"], stdout=subprocess.PIPE, cwd=tmp_path)
    load = subprocess.run(podman.base + ["load", "-q"], stdin=stream.stdout, capture_output=True, text=True, timeout=600)
    stream.stdout.close()
    assert stream.wait() == 0 and load.returncode == 0, load.stderr
    assert podman.run("fromnix:1") == "hello from oracle-app\nhello from oracle-data\n"
    # what was streamed is exactly what build writes with the same layer member names: by position
    # (stream's default, one pass into the pipe) or by digest (build's default, as nixpkgs)
    for names, stream_args in (("position", []), ("digest", ["--layer-names", "digest"])):
        built = tmp_path / f"built-{names}.tar"
        build_args = ["--layer-names", "position"] if names == "position" else []
        cli("build", str(nixfile), "-A", "layered", "-o", str(built), "-q", *build_args, check=True)
        streamed = subprocess.run([exe, "stream", str(nixfile), "-A", "layered", *stream_args],
                                  capture_output=True, cwd=tmp_path).stdout
        assert streamed == built.read_bytes(), names


def test_stream_memory_is_flat(tmp_path):
    """Streaming ~200 MB of store content keeps the process small (layers are spooled, not held)."""
    store = tmp_path / "root"
    paths = []
    for i in range(3):
        p = f"/nix/store/{'%032d' % i}-big-{i}"
        d = store / p.lstrip("/")
        d.mkdir(parents=True)
        with open(d / "blob", "wb") as f:
            for _ in range(64):
                f.write(os.urandom(1 << 20))
        paths.append(p)
    spec = {"builder": "streamLayeredImage", "name": "big", "tag": "t",
            "closure": [{"path": p, "nar_size": 64 << 20, "references": []} for p in paths]}
    sj = tmp_path / "spec.json"
    sj.write_text(json.dumps(spec))
    code = (
        "import os, resource, subprocess, sys, hashlib\n"
        "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)\n"
        "h = hashlib.sha256(); n = 0\n"
        "for b in iter(lambda: p.stdout.read(1 << 20), b''):\n"
        "    h.update(b); n += len(b)\n"
        "assert p.wait() == 0\n"
        "print(n, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", code, nix2image_exe(), "stream", "--spec-json", str(sj),
                          "--store-root", str(store)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    size, maxrss_kib = map(int, out.stdout.split())
    assert size > 3 * (64 << 20)
    assert maxrss_kib < 150 * 1024, f"stream used {maxrss_kib} KiB for a {size >> 20} MiB image"


def test_inspect_reports_linking(cli, nixfile, tmp_path):
    lay, stk = tmp_path / "l.tar", tmp_path / "s.tar"
    cli("build", str(nixfile), "-A", "layered", "-o", str(lay), "-q", check=True)
    cli("build", str(nixfile), "-A", "stacked", "-o", str(stk), "-q", check=True)
    r = cli("inspect", str(lay), check=True)
    assert "layers linked by manifest" in r.stdout and "image fromnix:1" in r.stdout
    assert "/nix/store/n8r47qg3z8qy8fnpjh6rwv9xx0bfzlbb-oracle-busybox" in r.stdout
    info = json.loads(cli("inspect", "--json", str(stk), check=True).stdout)
    assert info["linking"] == "both" and info["images"][0]["tags"] == ["stackednix:2"]
    layer = info["images"][0]["layers"][0]
    with tarfile.open(stk) as tf:
        member = tf.extractfile(layer["member"]).read()
    assert layer["digest"] == "sha256:" + hashlib.sha256(member).hexdigest() and layer["size"] == len(member)
    assert layer["top_dirs"] == ["bin"]
    # legacy (parents only) and OCI forms
    from test_image_tools import _legacy_archive, _small_layer

    legacy = tmp_path / "legacy.tar"
    _legacy_archive(legacy, [_small_layer({"a/x": b"1"}), _small_layer({"b/y": b"2"})], "old", "v", {"Cmd": ["/x"]})
    info = json.loads(cli("inspect", "--json", str(legacy), check=True).stdout)
    assert info["linking"] == "parents" and [l["top_dirs"] for l in info["images"][0]["layers"]] == [["a"], ["b"]]
    oci = tmp_path / "oci"
    cli("build", str(nixfile), "-A", "layered", "--format", "oci", "-o", str(oci), "-q", check=True)
    assert json.loads(cli("inspect", "--json", str(oci), check=True).stdout)["linking"] == "oci"


def test_cli_errors(cli, nixfile, tmp_path):
    r = cli("build", str(nixfile), "-A", "layered", "--compress", "gzip", "-o", str(tmp_path / "x.tar"))
    assert r.returncode != 0 and "--compress applies to OCI output" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "layers.json"
    bad.write_text('{"layers": [1, 2]')
    r = cli("build", str(nixfile), "-A", "layered", "--layers", str(bad), "-o", str(tmp_path / "x.tar"))
    assert r.returncode != 0 and f"{bad}:1:" in r.stderr and "invalid JSON" in r.stderr
    bad.write_text('[["/nix/store/00000000000000000000000000000000-nope"]]')
    r = cli("build", str(nixfile), "-A", "layered", "--layers", str(bad), "-o", str(tmp_path / "x.tar"))
    assert r.returncode == 1 and "misses" in r.stderr
    r = cli("inspect", str(nixfile))
    assert r.returncode == 1 and "not a readable tar" in r.stderr
    assert not (tmp_path / "x.tar").exists()
    assert [p for p in os.listdir(tmp_path) if p.startswith(".nix2image")] == []


def test_progress_bar_only_on_a_terminal(cli, nixfile, tmp_path):
    from conftest import need_tool

    need_tool("script")
    exe = nix2image_exe()
    out = tmp_path / "tty.tar"
    cmd = f"{exe} build {nixfile} -A layered -o {out}"
    tty = subprocess.run(["script", "-q", "-e", "-c", cmd, "/dev/null"], capture_output=True, text=True, timeout=600)
    assert tty.returncode == 0, tty.stdout
    assert "] 100% " in tty.stdout and "[#" in tty.stdout
    quiet = subprocess.run(["script", "-q", "-e", "-c", cmd + " --quiet", "/dev/null"], capture_output=True, text=True,
                           timeout=600)
    assert quiet.returncode == 0 and "[#" not in quiet.stdout and "%" not in quiet.stdout


@pytest.mark.parametrize("builder", ["buildImage", "buildImageWithNixDb", "buildLayeredImage",
                                     "streamLayeredImage", "buildLayeredImageWithNixDb"])
def test_strategy_applies_to_every_layered_builder_only(cli, tmp_path, builder):
    """``--strategy`` chooses how store paths are layered: every layered builder takes it (the
    WithNixDb one too), a stacked one is refused by name, with no traceback and no output."""
    store = tmp_path / "root"
    paths = []
    for i in range(3):
        p = f"/nix/store/{'%032d' % (i + 1)}-part-{i}"
        (store / p.lstrip("/")).mkdir(parents=True)
        (store / p.lstrip("/") / "file").write_text(f"part {i}\n")
        paths.append(p)
    spec = {"builder": builder, "name": "strategy", "tag": "t",
            "closure": [{"path": p, "nar_size": 100, "references": []} for p in paths]}
    sj = tmp_path / "spec.json"
    sj.write_text(json.dumps(spec))
    out = tmp_path / "out.tar"
    r = cli("build", "--spec-json", str(sj), "--store-root", str(store), "--strategy", "per-path",
            "-q", "--no-cache", "-o", str(out))
    if "Layered" in builder:
        assert r.returncode == 0, r.stderr
        with tarfile.open(out) as t:
            manifest = json.load(t.extractfile("manifest.json"))
        assert len(manifest[0]["Layers"]) >= len(paths)  # one layer per path, as per-path says
    else:
        assert r.returncode != 0 and f"apply to layered images, not {builder}" in r.stderr
        assert "Traceback" not in r.stderr and not out.exists()
