"""Image build throughput: nix2image against its floors, before and after, cold and warm.

Three synthetic stores (generated once under --dir and reused), each with incompressible data:

* ``large``: one store path holding one ~436 MB file (one big layer: the case where tarring into
  a scratch file and copying it out costs a second pass);
* ``small``: 2,000 store paths of ten small files each (~45 MB), grouped 20 paths a layer;
* ``tree``: 32 store paths of about 32 MB (--size-mb in all), a few large files and many small
  ones each, one path per layer.

Measured per store, on a warm page cache, in interleaved rounds (every method once per round,
so bursts of load from other jobs on a shared machine fall on all of them alike), best round:

* floors: ``tar -c | hashlib`` (GNU tar piped into Python's SHA-256: read everything once, tar
  it, hash it) for ``stream``; ``tar -c`` into a file while hashing for ``build``;
* ``stream`` into a pipe read by the same hashing loop (like for like with the stream floor)
  and to /dev/null, and ``build`` to a file, all with ``--no-cache``, by this checkout and by
  ``--before EXE`` (an install of ``--before-rev``), for the before/after comparison;
* the layer cache, for both: ``build`` into an empty cache (cold: it also stores every layer)
  and ``build`` again to the same ``-o`` (warm: nothing changed); for this checkout also a warm
  build into a new ``-o`` (every layer copied from the cache), ``stream`` from a warm cache,
  ``build`` after one store path changed (its metadata: the "new version sharing most layers"
  case), and the cold and warm builds into an OCI layout.

Every method starts after ``os.sync()``, so one method's dirty pages are not written back
during the next one.

CPU and peak RSS of each process tree are recorded. ``--write-docs`` replaces the "Image" section
of docs/benchmarks.md with the results, machine, date and load.

    python bench/image_bench.py --before /tmp/nix2image-before/.venv/bin/nix2image --write-docs
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


def generate_large(base: Path, size_mb: int = 436) -> list[str]:
    """One store path with one ``size_mb`` MB file."""
    p = f"/nix/store/{'1' * 32}-large-{size_mb}"
    marker = base / f".complete-large-{size_mb}"
    if not marker.exists():
        if base.exists():
            shutil.rmtree(base)
        d = base / p.lstrip("/")
        d.mkdir(parents=True)
        with open(d / "data.bin", "wb") as f:
            for _ in range(size_mb):
                f.write(os.urandom(1 << 20))
        marker.touch()
    return [p]


def generate_small(base: Path, npaths: int = 2000, files: int = 10) -> list[str]:
    """``npaths`` store paths of ``files`` small files (200 B - 4 KB) in two directories each."""
    paths = [f"/nix/store/{hashlib.sha256(b's%d' % i).hexdigest()[:32]}-small-{i}" for i in range(npaths)]
    marker = base / f".complete-small-{npaths}-{files}"
    if not marker.exists():
        if base.exists():
            shutil.rmtree(base)
        rng = random.Random(7)
        for p in paths:
            d = base / p.lstrip("/")
            (d / "bin").mkdir(parents=True)
            (d / "share").mkdir()
            for j in range(files):
                (d / ("bin" if j < 2 else "share") / f"f{j}").write_bytes(rng.randbytes(rng.randint(200, 4000)))
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

TAR_FILE_HASH = r"""
import hashlib, subprocess, sys
root, out = sys.argv[1], sys.argv[2]
p = subprocess.Popen(["tar", "-c", "-C", root, "nix/store"], stdout=subprocess.PIPE)
h = hashlib.sha256()
with open(out, "wb") as f:
    for b in iter(lambda: p.stdout.read(1 << 20), b""):
        f.write(b); h.update(b)
assert p.wait() == 0
print(h.hexdigest())
"""

NIX2IMAGE = r"""
import os, subprocess, sys
exe, cache, args = sys.argv[1], sys.argv[2], sys.argv[3:]
env = dict(os.environ)
env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run Python: modules' bytecode cached, not compiled per run
if cache != "-":
    env["XDG_CACHE_HOME"] = cache
if args[0] == "stream":
    with open("/dev/null", "wb") as null:
        subprocess.run([exe, *args], stdout=null, check=True, env=env)
else:
    subprocess.run([exe, *args], check=True, env=env)
print("ok")
"""

# ``stream`` into a pipe read by the same hashing loop as the stream floor reads tar's output:
# the like-for-like comparison with ``tar -c | hashlib`` (a pipe costs the writer, /dev/null not)
NIX2IMAGE_PIPE = r"""
import hashlib, os, subprocess, sys
exe, args = sys.argv[1], sys.argv[2:]
env = dict(os.environ)
env.pop("PYTHONDONTWRITEBYTECODE", None)  # as NIX2IMAGE above: users' Python reads cached bytecode
p = subprocess.Popen([exe, *args], stdout=subprocess.PIPE, env=env)
h = hashlib.sha256(); n = 0
for b in iter(lambda: p.stdout.read(1 << 20), b""):
    h.update(b); n += len(b)
assert p.wait() == 0
print(n, h.hexdigest())
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


def dataset(name: str, base: Path, size_mb: int) -> tuple[Path, list[str], list[list[str]]]:
    """``(store root, paths, layer plan)`` of one synthetic store."""
    root = base / name
    if name == "large":
        paths = generate_large(root)
        return root, paths, [paths]
    if name == "small":
        paths = generate_small(root)
        return root, paths, [paths[i:i + 20] for i in range(0, len(paths), 20)]
    paths = generate(root, size_mb)
    return root, paths, [[p] for p in paths]


def methods(exe: str, before: str | None, root: Path, work: Path, common: list[str], change) -> list[tuple]:
    """``(name, code, args, prepare)`` of every method, in round order.

    ``before`` runs with the same options as this checkout (``--no-cache``, or its own cache
    directory for its cold and warm builds), so each pair differs only in the code."""
    cache = str(work / "cache")
    bcache = str(work / "cache-before")
    out = str(work / "out.tar")
    bout = str(work / "out-before.tar")
    other = str(work / "out-other.tar")

    def n2i(e, c, *a):
        return (NIX2IMAGE, [e, c, *a])

    def fresh():
        shutil.rmtree(cache, ignore_errors=True)

    def bfresh():
        shutil.rmtree(bcache, ignore_errors=True)

    def no_other():
        if os.path.exists(other):
            os.unlink(other)

    runs = [("tar -c | hashlib (stream floor)", TAR_HASH, [str(root)], None),
            ("tar -c > file while hashing (build floor)", TAR_FILE_HASH, [str(root), str(work / "plain.tar")], None)]
    if before:
        runs += [("before: stream --no-cache | hashlib", NIX2IMAGE_PIPE, [before, "stream", *common, "--no-cache"], None),
                 ("before: stream --no-cache > /dev/null", *n2i(before, "-", "stream", *common, "--no-cache"), None)]
    runs += [("stream --no-cache | hashlib", NIX2IMAGE_PIPE, [exe, "stream", *common, "--no-cache"], None),
             ("stream --no-cache > /dev/null", *n2i(exe, "-", "stream", *common, "--no-cache"), None)]
    if before:
        runs += [("before: build --no-cache", *n2i(before, "-", "build", *common, "--no-cache", "-o", bout), None),
                 ("before: build, empty layer cache (cold)", *n2i(before, bcache, "build", *common, "-o", bout), bfresh),
                 ("before: build again (warm)", *n2i(before, bcache, "build", *common, "-o", bout), None)]
    runs += [
        ("build --no-cache", *n2i(exe, "-", "build", *common, "--no-cache", "-o", out), None),
        ("build, empty layer cache (cold)", *n2i(exe, cache, "build", *common, "-o", out), fresh),
        ("build again (warm)", *n2i(exe, cache, "build", *common, "-o", out), None),
        ("build again to a new -o (warm cache)", *n2i(exe, cache, "build", *common, "-o", other), no_other),
        ("stream again (warm) > /dev/null", *n2i(exe, cache, "stream", *common), None),
        ("build after one path changed", *n2i(exe, cache, "build", *common, "-o", out), change),
        ("build --format oci, cold cache", *n2i(exe, cache, "build", *common, "--format", "oci", "-o", str(work / "oci")),
         fresh),
        ("build --format oci again (warm)", *n2i(exe, cache, "build", *common, "--format", "oci", "-o", str(work / "oci")),
         None),
    ]
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default="/tmp/nix2image-bench", help="where the synthetic stores are generated")
    ap.add_argument("--size-mb", type=int, default=1024, help="size of the 'tree' store")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--stores", default="large,small,tree", help="which stores (comma-separated)")
    ap.add_argument("--before", default=None, metavar="EXE", help="nix2image of an earlier commit, for before/after")
    ap.add_argument("--before-rev", default="dc4a3ca", help="the commit --before was installed from (for the text)")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    base = Path(args.dir)
    local = Path(sys.executable).parent / "nix2image"  # skip wrapper shims (pyenv) in the timings
    exe = str(local) if local.exists() else shutil.which("nix2image")
    if exe is None:
        sys.exit("nix2image is not installed (pip install -e .)")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    loads = [os.getloadavg()[0]]
    sections = []
    for name in args.stores.split(","):
        root, paths, plan = dataset(name, base, args.size_mb)
        work = base / f"work-{name}"
        work.mkdir(parents=True, exist_ok=True)
        spec = {"builder": "buildLayeredImage", "name": f"bench-{name}", "tag": "t", "max_layers": 125,
                "closure": [{"path": p, "nar_size": 0, "references": []} for p in paths]}
        (work / "spec.json").write_text(json.dumps(spec))
        (work / "layers.json").write_text(json.dumps(plan))
        common = ["--spec-json", str(work / "spec.json"), "--store-root", str(root), "--layers", str(work / "layers.json"),
                  "-q"]
        victim = next(f for f in sorted((root / paths[-1].lstrip("/")).rglob("*")) if f.is_file())

        def change(victim=victim):
            st = victim.stat()
            os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))

        total = sum(f.stat().st_size for f in root.rglob("*") if f.is_file() and not f.is_symlink())
        runs = methods(exe, args.before, root, work, common, change)
        run_child(TAR_HASH, str(root))  # warm the page cache
        times: dict[str, list[float]] = {r[0]: [] for r in runs}
        cpus: dict[str, list[float]] = {r[0]: [] for r in runs}
        peaks: dict[str, int] = {r[0]: 0 for r in runs}
        for rnd in range(args.repeat):
            for label, code, cargs, prepare in runs:
                if prepare is not None:
                    prepare()
                os.sync()  # the previous method's dirty pages are written back before, not during, this one
                dt, rss, cpu, _ = run_child(code, *cargs)
                times[label].append(dt)
                cpus[label].append(cpu)
                peaks[label] = max(peaks[label], rss)
                print(f"{name} round {rnd + 1}: {label:44s} {dt:7.2f} s  CPU {cpu:6.2f} s  peak RSS {rss / 1024:6.0f} MiB",
                      file=sys.stderr, flush=True)
            loads.append(os.getloadavg()[0])
        best = {k: min(v) for k, v in times.items()}
        sfloor = best["tar -c | hashlib (stream floor)"]
        bfloor = best["tar -c > file while hashing (build floor)"]
        lines = [f"### {name}: {len(paths)} store path(s), {len(plan)} store layer(s), {total / 1e6:.0f} MB of file data", "",
                 "| method | time | vs its floor | CPU (user+sys) | peak RSS |", "| --- | ---: | ---: | ---: | ---: |"]
        for label, *_ in runs:
            floor = sfloor if "stream" in label else bfloor
            lines.append(f"| {label.replace('|', chr(92) + '|')} | {best[label]:.2f} s | {best[label] / floor:.2f}x | "
                         f"{min(cpus[label]):.2f} s | {peaks[label] / 1024:.0f} MiB |")
        cold, warm = best["build, empty layer cache (cold)"], best["build again (warm)"]
        ocold, owarm = best["build --format oci, cold cache"], best["build --format oci again (warm)"]
        cpu = {k: min(v) for k, v in cpus.items()}
        lines += ["", f"Warm rebuild (wall): docker-archive {cold / warm:.1f}x faster than the cold build "
                      f"({best['build --no-cache'] / warm:.1f}x against `--no-cache`), OCI layout {ocold / owarm:.1f}x; "
                      f"one path changed: {cold / best['build after one path changed']:.1f}x. In CPU time: docker-archive "
                      f"{cpu['build, empty layer cache (cold)'] / cpu['build again (warm)']:.1f}x, OCI layout "
                      f"{cpu['build --format oci, cold cache'] / cpu['build --format oci again (warm)']:.1f}x, one path changed "
                      f"{cpu['build, empty layer cache (cold)'] / cpu['build after one path changed']:.1f}x."]
        lines.append(f"Warm cache into a new -o (every layer copied from the cache): {cold / best['build again to a new -o (warm cache)']:.1f}x "
                     "faster than the cold build.")
        if args.before:
            bcold, bwarm = best["before: build, empty layer cache (cold)"], best["before: build again (warm)"]
            lines.append(
                f"Before/after (wall, vs the floor): stream into a pipe "
                f"{best['before: stream --no-cache | hashlib'] / sfloor:.2f}x -> {best['stream --no-cache | hashlib'] / sfloor:.2f}x, "
                f"to /dev/null {best['before: stream --no-cache > /dev/null'] / sfloor:.2f}x -> "
                f"{best['stream --no-cache > /dev/null'] / sfloor:.2f}x, build --no-cache "
                f"{best['before: build --no-cache'] / bfloor:.2f}x -> {best['build --no-cache'] / bfloor:.2f}x; "
                f"CPU of stream | hashlib {cpu['before: stream --no-cache | hashlib']:.2f} s -> {cpu['stream --no-cache | hashlib']:.2f} s, "
                f"of build --no-cache {cpu['before: build --no-cache']:.2f} s -> {cpu['build --no-cache']:.2f} s. "
                f"Warm rebuild to the same -o: {bcold / bwarm:.1f}x -> {cold / warm:.1f}x faster than the cold build "
                f"(cold {bcold:.2f} s -> {cold:.2f} s, warm {bwarm:.2f} s -> {warm:.2f} s).")
        lines.append("")
        sections.append("\n".join(lines))
        print("\n" + sections[-1], flush=True)
    head = ["## Image", "",
            f"`python bench/image_bench.py --repeat {args.repeat} --stores {args.stores}"
            + (" --before EXE" if args.before else "") + f"` on {machine()}, {stamp}.",
            f"Best of {args.repeat} interleaved rounds (each round runs every method once); warm page cache; CPU and "
            f"peak RSS of the process tree. The machine was shared with other jobs: 1-minute load average "
            f"{min(loads):.1f} to {max(loads):.1f} during the run on its 2 cores, so absolute times are inflated and "
            f"noisy; compare the ratios, taken within one round. `before` is commit {args.before_rev}.",
            ""]
    text = "\n".join(head) + "\n" + "\n".join(sections)
    if args.write_docs:
        doc = ROOT / "docs" / "benchmarks.md"
        old = doc.read_text() if doc.exists() else "# Benchmarks\n\n"
        start = old.find("## Image\n")
        if start < 0:
            new = old.rstrip("\n") + "\n\n" + text
        else:
            nxt = old.find("\n## ", start + 1)
            new = old[:start] + text + ("\n" + old[nxt + 1:] if nxt >= 0 else "")
        doc.write_text(new if new.endswith("\n") else new + "\n")


if __name__ == "__main__":
    main()
