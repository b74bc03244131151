"""Hostile base archives are rejected with a clear error (no traceback, exit 1), and nothing is
written outside the output: names with '..', absolute names, links pointing outside, device
files, mismatching digests, truncated or corrupt gzip/zstd."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest


def _add(tf: tarfile.TarFile, name: str, data: bytes = b"", **kw) -> None:
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    for k, v in kw.items():
        setattr(ti, k, v)
    tf.addfile(ti, io.BytesIO(data) if data else None)


def _layer() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        _add(tf, "etc/ok", b"ok\n", mode=0o644)
    return buf.getvalue()


def good_archive(extra=None, layers_ref=None) -> bytes:
    """A valid manifest-form docker-archive, plus ``extra(tf)`` hostile members."""
    layer = _layer()
    d = hashlib.sha256(layer).hexdigest()
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                      "rootfs": {"type": "layers", "diff_ids": [f"sha256:{d}"]}}).encode()
    c = hashlib.sha256(cfg).hexdigest()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        _add(tf, f"{d}/layer.tar", layer)
        _add(tf, f"{c}.json", cfg)
        if extra:
            extra(tf)
        manifest = [{"Config": f"{c}.json", "RepoTags": ["evil:1"], "Layers": [layers_ref or f"{d}/layer.tar"]}]
        _add(tf, "manifest.json", json.dumps(manifest).encode())
    return buf.getvalue()


HOSTILE = {
    "dotdot": (lambda tf: _add(tf, "../escaped", b"x"), "points outside the archive"),
    "absolute": (lambda tf: _add(tf, "/tmp/absolute-evil", b"x"), "points outside the archive"),
    "symlink-out": (lambda tf: _add(tf, "link", type=tarfile.SYMTYPE, linkname="/etc/passwd"), "points outside"),
    "symlink-up": (lambda tf: _add(tf, "sub/link", type=tarfile.SYMTYPE, linkname="../../x"), "points outside"),
    "hardlink-out": (lambda tf: _add(tf, "hl", type=tarfile.LNKTYPE, linkname="../etc/shadow"), "points outside"),
    "device": (lambda tf: _add(tf, "dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3), "device"),
    "fifo": (lambda tf: _add(tf, "fifo", type=tarfile.FIFOTYPE), "device or fifo"),
}


def _build_on(cli, tmp_path: Path, base: Path):
    spec = {"builder": "buildImage", "name": "victim", "tag": "t",
            "from_image": {"kind": "archive", "path": str(base)}}
    sj = tmp_path / "spec.json"
    sj.write_text(json.dumps(spec))
    outdir = tmp_path / "out"
    outdir.mkdir(exist_ok=True)
    return cli("build", "--spec-json", str(sj), "-o", str(outdir / "image.tar"), "-q"), outdir


def _assert_clean(tmp_path: Path, outdir: Path, before: set[str]) -> None:
    assert os.listdir(outdir) == []  # no output, no temp files left
    after = {str(p) for p in tmp_path.parent.rglob("*")}
    assert after - before - {str(p) for p in tmp_path.rglob("*")} == set()
    assert not Path("/tmp/absolute-evil").exists()


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_members_rejected(kind, cli, tmp_path):
    extra, message = HOSTILE[kind]
    base = tmp_path / "base.tar"
    base.write_bytes(good_archive(extra))
    before = {str(p) for p in tmp_path.parent.rglob("*")}
    proc, outdir = _build_on(cli, tmp_path, base)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: unsafe image archive") and message in proc.stderr
    assert "Traceback" not in proc.stderr
    _assert_clean(tmp_path, outdir, before)


def test_manifest_pointing_outside_rejected(cli, tmp_path):
    base = tmp_path / "base.tar"
    base.write_bytes(good_archive(layers_ref="../../etc/passwd"))
    proc, outdir = _build_on(cli, tmp_path, base)
    assert proc.returncode == 1 and "points outside the archive" in proc.stderr and "Traceback" not in proc.stderr
    assert os.listdir(outdir) == []


def test_wrong_diff_id_rejected(cli, tmp_path):
    data = good_archive()
    # flip one byte inside the layer body (first member's data starts at 512)
    bad = bytearray(data)
    bad[512 + 512] ^= 0xFF
    base = tmp_path / "base.tar"
    base.write_bytes(bytes(bad))
    proc, outdir = _build_on(cli, tmp_path, base)
    assert proc.returncode == 1 and "corrupt" in proc.stderr and "Traceback" not in proc.stderr
    assert os.listdir(outdir) == []


@pytest.mark.parametrize("damage", ["gzip-truncated", "gzip-corrupt", "zstd-truncated", "zstd-corrupt", "tar-truncated"])
def test_damaged_compression_rejected(damage, cli, tmp_path):
    import zstandard

    raw = good_archive()
    if damage.startswith("gzip"):
        data = gzip.compress(raw, mtime=0)
    elif damage.startswith("zstd"):
        data = zstandard.ZstdCompressor().compress(raw)
    else:
        data = raw
    if damage.endswith("truncated"):
        data = data[: len(data) // 2]
    else:
        b = bytearray(data)
        for i in range(len(b) // 3, len(b) // 3 + 16):
            b[i] ^= 0x5A
        data = bytes(b)
    base = tmp_path / ("base.tar" + (".gz" if damage.startswith("gzip") else ".zst" if damage.startswith("zstd") else ""))
    base.write_bytes(data)
    proc, outdir = _build_on(cli, tmp_path, base)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error:") and "Traceback" not in proc.stderr
    assert any(w in proc.stderr for w in ("corrupt", "truncated", "not a readable tar")), proc.stderr
    assert os.listdir(outdir) == []


def test_good_archive_accepted(cli, tmp_path):
    base = tmp_path / "base.tar.gz"
    base.write_bytes(gzip.compress(good_archive(), mtime=0))
    proc, outdir = _build_on(cli, tmp_path, base)
    assert proc.returncode == 0, proc.stderr
    assert os.listdir(outdir) == ["image.tar"]
