"""Image build throughput: nix2image against GNU tar piped into SHA-256 and nixpkgs-style double tarring.

A synthetic store (default about 1 GB: 32 store paths, each a few large incompressible files plus
many small files and directories) is generated once under --dir and reused. Measured, each on a
warm page cache, best of --repeat rounds (each round runs every method once, so load from other
jobs on a shared machine falls on all of them alike):

* ``tar | hashlib``: ``tar -c -C ROOT nix/store`` piped into Python's hashlib.sha256 - the floor
  for "read everything once, tar it, hash it" (one tar stream, no image around it).
* ``nixpkgs double tar``: per layer, Python tarfile in PAX stream mode written once into a
  SHA-256 (to learn the digest) and once more into the output file, as nixpkgs'
  stream_layered_image.py does (its layer member name needs the digest first).
* ``tar > file``: ``tar -c`` into a file - what writing the bytes to disk costs on the machine.
* ``nix2image build``: the installed command (``build --spec-json --store-root``), one store path
  per layer, writing a docker-archive; and ``nix2image stream`` into /dev/null and into a pipe
  read by Python's hashlib (the like-for-like comparison with ``tar | hashlib``: a consumer
  takes a core, as ``podman load`` would).

Peak RSS of each (the child's ru_maxrss) is recorded. ``--write-docs`` replaces the "Image"
section of docs/benchmarks.md with the results, machine and date.

    python bench/image_bench.py --size-mb 1024 --write-docs
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(base: Path, size_mb: int, npaths: int = 32) -> list[str]:
    """Create ``base/nix/store/<hash>-bench-<i>`` trees totalling about ``size_mb`` MB (cached)."""
    marker = base / f".complete-{size_mb}-{npaths}"
    paths = [f"/nix/store/{hashlib.sha256(str(i).encode()).hexdigest()[:32]}-bench-{i}" for i in range(npaths)]
    if marker.exists():
        return paths
    if base.exists():
        shutil.rmtree(base)
    rng = random.Random(42)
    per_path = size_mb * (1 << 20) // npaths
    for p in paths:
        d = base / p.lstrip("/")
        (d / "lib").mkdir(parents=True)
        (d / "share" / "doc").mkdir(parents=True)
        small_total = per_path // 8
        i = 0
        while small_total > 0:
            n = rng.randint(200, 16000)
            sub = d / "share" / "doc" / f"d{i % 17}"
            sub.mkdir(exist_ok=True)
            (sub / f"f{i}.txt").write_bytes(rng.randbytes(n))
            small_total -= n
            i += 1
        big = per_path - per_path // 8
        for j in range(3):
            (d / "lib" / f"lib{j}.so").write_bytes(rng.randbytes(big // 3))
        os.symlink("lib0.so", d / "lib" / "libfirst.so")
    marker.touch()
    return paths


def _child_peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def run_child(code: str, *args: str) -> tuple[float, int, float, str]:
    """Run Python ``code`` in a fresh interpreter; returns (seconds, peak RSS KiB, CPU seconds of its subtree, stdout)."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run([sys.executable, '-c', sys.argv[1], *sys.argv[2:]], stdout=subprocess.PIPE, text=True)\n"
        "dt = time.perf_counter() - t\n"
        "assert p.returncode == 0, p.returncode\n"
        "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(dt, ru.ru_maxrss, ru.ru_utime + ru.ru_stime)\n"
        "print(p.stdout, end='')\n")
    out = subprocess.run([sys.executable, "-c", wrapper, code, *args], capture_output=True, text=True, check=True)
    first, _, rest = out.stdout.partition("\n")
    dt, rss, cpu = first.split()
    return float(dt), int(rss), float(cpu), rest


TAR_HASH = r"""
import hashlib, subprocess, sys
root = sys.argv[1]
p = subprocess.Popen(["tar", "-c", "-C", root, "nix/store"], stdout=subprocess.PIPE)
h = hashlib.sha256(); n = 0
for b in iter(lambda: p.stdout.read(1 << 20), b""):
    h.update(b); n += len(b)
assert p.wait() == 0
print(n, h.hexdigest())
"""

DOUBLE_TAR = r"""
import hashlib, itertools, json, pathlib, sys, tarfile
root, out, paths = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

class Hasher:
    def __init__(self): self.h = hashlib.sha256(); self.n = 0
    def write(self, b): self.h.update(b); self.n += len(b); return len(b)

def layer(obj, store_path):
    # one layer per store path, tarred as nixpkgs' script does (pathlib order, forced metadata)
    with tarfile.open(fileobj=obj, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for name in ("nix", "nix/store"):
            ti = tarfile.TarInfo("/" + name); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; tar.addfile(ti)
        top = pathlib.Path(root + store_path)
        for f in sorted(itertools.chain([top], top.rglob("*"))):
            ti = tar.gettarinfo(f, arcname=store_path + str(f)[len(str(top)):])
            ti.name = "/" + ti.name.lstrip("/")
            ti.mtime = 1; ti.uid = ti.gid = 0; ti.uname = ti.gname = "root"
            if ti.islnk():
                ti.type = tarfile.REGTYPE; ti.linkname = ""; ti.size = f.stat().st_size
            if ti.isfile():
                with open(f, "rb") as fh:
                    tar.addfile(ti, fh)
            else:
                tar.addfile(ti)

with open(out, "wb") as o, tarfile.open(fileobj=o, mode="w|", format=tarfile.PAX_FORMAT) as outer:
    for p in paths:
        h = Hasher(); layer(h, p)            # first pass: digest and size
        class Stream:
            def __init__(self): self.buf = b""
        import io, os, threading
        r, w = os.pipe()
        ti = tarfile.TarInfo(h.h.hexdigest() + "/layer.tar"); ti.size = h.n; ti.mtime = 1
        def produce():
            with os.fdopen(w, "wb") as wf:
                layer(wf, p)                  # second pass: the bytes themselves
        t = threading.Thread(target=produce); t.start()
        with os.fdopen(r, "rb") as rf:
            outer.addfile(ti, rf)
        t.join()
print(out)
"""

TAR_FILE = r"""
import subprocess, sys
subprocess.run(["tar", "-c", "-C", sys.argv[1], "-f", sys.argv[2], "nix/store"], check=True)
print("ok")
"""

NIX2IMAGE = r"""
import hashlib, subprocess, sys
exe, args = sys.argv[1], sys.argv[2:]
if args[0] == "stream-hash":  # into a pipe read by a consumer, as tar | hashlib (podman load reads it so)
    p = subprocess.Popen([exe, "stream", *args[1:]], stdout=subprocess.PIPE)
    h = hashlib.sha256()
    for b in iter(lambda: p.stdout.read(1 << 20), b""):
        h.update(b)
    assert p.wait() == 0
elif args[0] == "stream":
    with open("/dev/null", "wb") as null:
        subprocess.run([exe, *args], stdout=null, check=True)
else:
    subprocess.run([exe, *args], check=True)
print("ok")
"""


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default="/tmp/nix2image-bench", help="where the synthetic store is generated")
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--only", action="append", default=[], metavar="TEXT",
                    help="run only the methods whose name contains TEXT (repeatable; the tar | hashlib "
                         "floor always runs, ratios need it); not with --write-docs")
    args = ap.parse_args()
    base = Path(args.dir)
    store_root = base / "root"
    paths = generate(store_root, args.size_mb)
    total = sum(f.stat().st_size for f in store_root.rglob("*") if f.is_file() and not f.is_symlink())
    spec = {"builder": "buildLayeredImage", "name": "bench", "tag": "t", "max_layers": 100,
            "closure": [{"path": p, "nar_size": 0, "references": []} for p in paths]}
    sj = base / "spec.json"
    sj.write_text(json.dumps(spec))
    layers = base / "layers.json"
    layers.write_text(json.dumps([[p] for p in paths]))
    local = Path(sys.executable).parent / "nix2image"  # skip wrapper shims (pyenv) in the timings
    exe = str(local) if local.exists() else shutil.which("nix2image")
    if exe is None:
        sys.exit("nix2image is not installed (pip install -e .)")
    out = base / "out.tar"
    runs = {
        "GNU tar -c | hashlib sha256": (TAR_HASH, [str(store_root)]),
        "GNU tar -c > file (disk write floor)": (TAR_FILE, [str(store_root), str(base / "plain.tar")]),
        "nixpkgs-style double tar (Python tarfile)": (DOUBLE_TAR, [str(store_root), str(base / "double.tar"), json.dumps(paths)]),
        "nix2image build (docker-archive)": (NIX2IMAGE, [exe, "build", "--spec-json", str(sj), "--store-root", str(store_root),
                                                         "--layers", str(layers), "-o", str(out), "-q"]),
        "nix2image stream > /dev/null": (NIX2IMAGE, [exe, "stream", "--spec-json", str(sj), "--store-root", str(store_root),
                                                     "--layers", str(layers), "-q"]),
        "nix2image stream | hashlib sha256": (NIX2IMAGE, [exe, "stream-hash", "--spec-json", str(sj), "--store-root",
                                                          str(store_root), "--layers", str(layers), "-q"]),
        "nix2image build --format oci --compress zstd": (NIX2IMAGE, [exe, "build", "--spec-json", str(sj), "--store-root",
                                                                     str(store_root), "--layers", str(layers), "--format", "oci",
                                                                     "--compress", "zstd", "-o", str(base / "oci"), "-q"]),
    }
    if args.only:
        if args.write_docs:
            sys.exit("--only gives a partial table; --write-docs needs every method")
        first = next(iter(runs))
        runs = {k: v for k, v in runs.items() if k == first or any(t in k for t in args.only)}
    results = []
    run_child(TAR_HASH, str(store_root))  # warm the page cache
    load = os.getloadavg()[0]
    # rounds: every method once per round, so a burst of load from other jobs hits all of them
    # alike and the ratios of one run stay comparable
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    peaks: dict[str, int] = {name: 0 for name in runs}
    for rnd in range(args.repeat):
        for name, (code, cargs) in runs.items():
            dt, rss, cpu, _ = run_child(code, *cargs)
            times[name].append(dt)
            cpus[name].append(cpu)
            peaks[name] = max(peaks[name], rss)
            print(f"round {rnd + 1}: {name:48s} {dt:7.2f} s  CPU {cpu:6.2f} s  peak RSS {rss / 1024:6.0f} MiB",
                  file=sys.stderr, flush=True)
    for name in runs:
        best, cpu_best, peak = min(times[name]), min(cpus[name]), peaks[name]
        results.append((name, best, peak, cpu_best))
        print(f"{name:48s} {best:7.2f} s  {total / best / 1e6:8.0f} MB/s  CPU {cpu_best:6.2f} s  "
              f"peak RSS {peak / 1024:6.0f} MiB", flush=True)
    floor = results[0][1]
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["## Image", "",
             f"`python bench/image_bench.py --size-mb {args.size_mb} --repeat {args.repeat}` on {machine()}, {stamp}.",
             f"Synthetic store: {len(paths)} store paths, {total / 1e6:.0f} MB of file data (incompressible), "
             "one store path per layer; warm page cache; best of "
             f"{args.repeat} rounds, each running every method once; CPU and peak RSS of the process tree; 1-minute load average at the start "
             f"{load:.1f} (other jobs share the machine's cores).", "",
             "| method | time | throughput | vs tar \\| hashlib | CPU (user+sys) | peak RSS |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, dt, rss, cpu in results:
        cell = name.replace("|", "\\|")
        lines.append(f"| {cell} | {dt:.2f} s | {total / dt / 1e6:.0f} MB/s | {dt / floor:.2f}x | {cpu:.2f} s | "
                     f"{rss / 1024:.0f} MiB |")
    lines.append("")
    text = "\n".join(lines)
    print("\n" + text)
    if args.write_docs:
        doc = ROOT / "docs" / "benchmarks.md"
        old = doc.read_text() if doc.exists() else "# Benchmarks\n\n"
        start = old.find("## Image\n")
        if start < 0:
            new = old.rstrip("\n") + "\n\n" + text
        else:
            nxt = old.find("\n## ", start + 1)
            new = old[:start] + text + (old[nxt + 1:] if nxt >= 0 else "")
        doc.write_text(new if new.endswith("\n") else new + "\n")


if __name__ == "__main__":
    main()
