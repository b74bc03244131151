#!/usr/bin/env python3
"""Push benchmark: nix2image push vs skopeo copy, cold and after a one-package change.

Builds two docker-archives of about SIZE_MB (default 500) with the same layers except one small
"package" layer, starts a private docker-registry on 127.0.0.1 behind a counting proxy, and
measures for each tool: wall time and bytes sent for (1) a cold push of v1 and (2) a push of v2
to another tag of the same repository. Layer content is half text-like (compressible), half
noise, like real store paths. Ratios are against skopeo in the same run.

    python bench/push_bench.py [--size-mb 500] [--layers 20]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from registry_support import FaultProxy, Registry, make_docker_archive  # noqa: E402


def content(seed: str, size: int) -> bytes:
    out, block = bytearray(), seed.encode()
    words = b"lib share bin include nix store glibc openssl zlib python " * 8
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 2 + words[: 64]
    return bytes(out[:size])


def make_images(work: Path, size_mb: int, layers: int) -> tuple[Path, Path]:
    per = size_mb * 1_000_000 // layers
    base = [{f"nix/store/{i:02d}-pkg/lib/data.bin": content(f"layer{i}", per)} for i in range(layers - 1)]
    v1 = work / "v1.tar"
    v2 = work / "v2.tar"
    make_docker_archive(v1, base + [{"nix/store/zz-app/bin/app": content("app-1", 2_000_000)}], "bench:1")
    make_docker_archive(v2, base + [{"nix/store/zz-app/bin/app": content("app-2", 2_000_000)}], "bench:2")
    return v1, v2


def timed(cmd: list[str], env: dict | None = None) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=env)
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()}")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=500)
    ap.add_argument("--layers", type=int, default=20)
    args = ap.parse_args()
    nix2image = shutil.which("nix2image") or str(Path(sys.executable).parent / "nix2image")
    with tempfile.TemporaryDirectory(prefix="push-bench-") as tmp:
        work = Path(tmp)
        v1, v2 = make_images(work, args.size_mb, args.layers)
        results = {}
        for tool in ("skopeo", "nix2image"):
            reg = Registry(work / f"reg-{tool}").start()
            proxy = FaultProxy(reg.host)
            cache = work / f"cache-{tool}"
            try:
                row = {}
                for label, src, tag in (("cold", v1, "1"), ("one-package change", v2, "2")):
                    before = proxy.bytes_in
                    dest = f"docker://{proxy.host}/bench/app:{tag}"
                    if tool == "skopeo":
                        secs = timed(["skopeo", "copy", "--dest-tls-verify=false", "--dest-compress",
                                      f"docker-archive:{src}", dest])
                    else:
                        secs = timed([nix2image, "push", str(src), dest, "--insecure", "-q", "--cache-dir", str(cache)])
                    row[label] = (secs, proxy.bytes_in - before)
                results[tool] = row
            finally:
                proxy.close()
                reg.stop()
    print(f"# push benchmark: {args.size_mb} MB in {args.layers} layers, {time.strftime('%Y-%m-%d')}, "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| case | tool | seconds | MB sent | time vs skopeo |")
    print("| --- | --- | --- | --- | --- |")
    for label in ("cold", "one-package change"):
        base = results["skopeo"][label][0]
        for tool in ("skopeo", "nix2image"):
            secs, sent = results[tool][label]
            print(f"| {label} | {tool} | {secs:.2f} | {sent / 1e6:.1f} | {secs / base:.2f}x |")


if __name__ == "__main__":
    main()
