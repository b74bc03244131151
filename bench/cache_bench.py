#!/usr/bin/env python3
"""Binary-cache fetch benchmark: parallel downloads against one worker and against the bare work.

Writes a signed file:// cache of N synthetic store paths (xz NARs, half text-like, half noise,
like real store paths), then measures, each in a fresh content cache:

* baseline: decompressing and hashing every NAR file in one thread (the unavoidable work);
* nix2image's fetch with one worker (lookups, checks, unpacking, atomic rename);
* nix2image's fetch with its default worker count (decompression and hashing release the GIL,
  so both cores work).

Wall time and CPU time of the process; ratios are against the baseline of the same run.

    python bench/cache_bench.py [--paths 12] [--size-mb 6]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import lzma
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from translator.binary_cache import source as source_mod  # noqa: E402
from translator.binary_cache.settings import CacheSettings  # noqa: E402
from translator.binary_cache.signatures import sign  # noqa: E402
from translator.store import base32  # noqa: E402
from translator.store.nar import nar_bytes  # noqa: E402


def content(seed: str, size: int) -> bytes:
    """Half noise, half text-like bytes (store paths compress about this well)."""
    text = (b"lib share bin include nix store glibc openssl zlib python " * (size // 60 + 1))[: size - size // 2]
    return hashlib.shake_256(seed.encode()).digest(size // 2) + text


def make_cache(root: Path, n: int, size: int) -> tuple[list[str], str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    k = Ed25519PrivateKey.generate()
    raw = lambda x: x.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,  # noqa: E731
                                    serialization.NoEncryption())
    pub = k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    secret = "bench-1:" + base64.b64encode(raw(k) + pub).decode()
    (root / "nar").mkdir(parents=True)
    (root / "nix-cache-info").write_text("StoreDir: /nix/store\nPriority: 30\n")
    paths = []
    for i in range(n):
        src = root.parent / f"src-{i}"
        src.mkdir()
        (src / "data").write_bytes(content(f"p{i}", size))
        nar = nar_bytes(str(src))
        packed = lzma.compress(nar, preset=1)
        fh = base32.encode(hashlib.sha256(packed).digest())
        nh = "sha256:" + base32.encode(hashlib.sha256(nar).digest())
        path = f"/nix/store/{hashlib.sha256(str(i).encode()).hexdigest()[:32].translate(str.maketrans('eotu', 'abcd'))}-bench-{i}"
        (root / "nar" / f"{fh}.nar.xz").write_bytes(packed)
        sig = sign(f"1;{path};{nh};{len(nar)};", secret)
        (root / f"{path[11:43]}.narinfo").write_text(
            f"StorePath: {path}\nURL: nar/{fh}.nar.xz\nCompression: xz\nFileHash: sha256:{fh}\n"
            f"FileSize: {len(packed)}\nNarHash: {nh}\nNarSize: {len(nar)}\nReferences: \nSig: {sig}\n")
        paths.append(path)
    return paths, "bench-1:" + base64.b64encode(pub).decode()


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measure(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - w, cpu() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=12)
    ap.add_argument("--size-mb", type=float, default=6)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="n2i-cache-bench-"))
    try:
        cache = work / "cache"
        paths, key = make_cache(cache, a.paths, int(a.size_mb * 2**20))
        files = sorted((cache / "nar").iterdir())

        def baseline() -> None:
            for f in files:
                hashlib.sha256(lzma.decompress(f.read_bytes())).digest()

        def fetch(workers: int, tag: str):
            def run() -> None:
                source_mod.WORKERS = workers
                s = CacheSettings(substituters=(f"file://{cache}",), trusted_public_keys=(key,),
                                  cache_dir=str(work / f"content-{tag}"), progress=False)
                src = source_mod.BinaryCacheSource(s, log=lambda m: None)
                assert not src.walk(paths)
                src.fetch(paths)
            return run

        rows = [("decompress + hash, 1 thread (baseline)", *measure(baseline)),
                ("nix2image fetch, 1 worker", *measure(fetch(1, "one"))),
                ("nix2image fetch, 6 workers (default)", *measure(fetch(6, "six")))]
        base = rows[0][1]
        print(f"{a.paths} paths x {a.size_mb} MiB, xz; {platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
        print("| run | wall (s) | x baseline | CPU (s) |\n| --- | ---: | ---: | ---: |")
        for name, wall, c in rows:
            print(f"| {name} | {wall:.2f} | {wall / base:.2f} | {c:.2f} |")
    finally:
        for p in work.rglob("*"):
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
