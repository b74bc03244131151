"""Evaluating a real nixpkgs (../shared/nixpkgs-core/tree): nix2image against nix-instantiate.

Measures, as CPU time (user + system of the child processes; the machine is shared, so wall time
is noisy and only reported alongside):

* single packages: ``(import TREE {}).NAME.drvPath`` for a few attributes, one process each, with
  ``nix2image eval`` and ``nix-instantiate --eval`` (Nix copies sources into a private chroot
  store, created fresh for the run);
* the whole sweep: the drvPath of every attribute Nix gives one for, many attributes per process
  (``tests/nixpkgs_sweep.py``, 2 processes at a time), for both tools;
* ``--per-process N``: the issue's form of the sweep, one process per attribute (2 at a time), for
  every N-th of all top-level attributes (1 = all 1,004; both tools answer every attribute,
  ``null`` where there is no drvPath), with the answers compared; the two tools interleaved
  (each attribute by Nix, then by nix2image) and each process's CPU read from its own usage.

Prints a Markdown table for docs/benchmarks.md. Run: ``python bench/real_nixpkgs_bench.py``
(``--single-only`` skips the sweep).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from nixpkgs_sweep import chunk_expr, command_runner, names_expr, sweep  # noqa: E402

TREE = str(ROOT.parent / "shared" / "nixpkgs-core" / "tree")
NIX_CONFIG = "build-users-group =\nsubstituters =\nsandbox = false\nexperimental-features = nix-command"
SINGLES = ["bash", "coreutils", "python3", "curl"]


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(fn):
    """(result, CPU seconds of the children it ran, wall seconds)."""
    c0, w0 = children_cpu(), time.monotonic()
    res = fn()
    return res, children_cpu() - c0, time.monotonic() - w0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--single-only", action="store_true")
    ap.add_argument("--nix2image", default=str(Path(sys.executable).parent / "nix2image"))
    ap.add_argument("--per-process", type=int, metavar="N", default=0,
                    help="only the one-process-per-attribute sweep, over every N-th attribute")
    args = ap.parse_args()
    env = dict(os.environ, NIX_CONFIG=NIX_CONFIG)
    store = tempfile.mkdtemp(prefix="bench-nixstore-")
    nix_argv = ["nix-instantiate", "--store", store, "--read-write-mode", "--eval", "--strict", "--json"]
    nix = command_runner(nix_argv, env)
    ours_env = dict(os.environ)
    ours_env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run Python: cached bytecode, no compiling per process
    ours_argv = [args.nix2image, "eval", "--strict", "--json"]
    ours = command_runner(ours_argv, ours_env)
    nix(names_expr(TREE))  # Nix's store copies of the tree's sources exist before timing
    if args.per_process:
        per_process(CpuRunner(nix_argv, env), CpuRunner(ours_argv, ours_env), args.per_process)
        return
    rows = []
    for name in SINGLES:
        expr = f"(import {TREE} {{}}).{name}.drvPath"
        (code_n, out_n, _), cpu_n, wall_n = timed(lambda: nix(expr))
        (code_o, out_o, _), cpu_o, wall_o = timed(lambda: ours(expr))
        same = "yes" if code_n == code_o == 0 and out_n == out_o else "NO"
        rows.append((name, cpu_n, cpu_o, wall_n, wall_o, same))
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), CPython {platform.python_version()}. "
          f"Date: {time.strftime('%Y-%m-%d')}.\n")
    print("| evaluation | nix-instantiate CPU (s) | nix2image CPU (s) | x nix-instantiate | wall Nix / ours (s) | same answer |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, cn, co, wn, wo, same in rows:
        print(f"| `{name}.drvPath` | {cn:.2f} | {co:.2f} | {co / cn:.1f} | {wn:.1f} / {wo:.1f} | {same} |")
    if args.single_only:
        return
    code, out, err = nix(names_expr(TREE))
    names = json.loads(out)
    nix_res, cpu_n, wall_n = timed(lambda: sweep(nix, TREE, names, chunk=60, jobs=2))
    given = sorted(n for n, v in nix_res.items() if v)
    half = (len(given) + 1) // 2
    _, cpu_ng, wall_ng = timed(lambda: sweep(nix, TREE, given, chunk=half, jobs=2))
    ours_res, cpu_o, wall_o = timed(lambda: sweep(ours, TREE, given, chunk=half, jobs=2))
    equal = sum(1 for n in given if ours_res.get(n) == nix_res[n])
    print(f"| sweep: all {len(names)} attributes, Nix only (restarts after uncatchable errors) | {cpu_n:.1f} | | "
          f"| {wall_n:.0f} / - | {len(given)} drvPaths |")
    print(f"| sweep: the {len(given)} drvPaths Nix gives, 2 processes of {half} | {cpu_ng:.1f} | {cpu_o:.1f} | "
          f"{cpu_o / cpu_ng:.1f} | {wall_ng:.0f} / {wall_o:.0f} | {equal} of {len(given)} equal |")


class CpuRunner:
    """A runner (see ``nixpkgs_sweep.Runner``) that adds up the CPU time (user + system) of each
    process it starts, read from that process's own resource usage, so that two tools can run
    interleaved (and 2 at a time) yet be accounted apart; and keeps each expression's peak
    memory (the highest, if it ran more than once)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.argv, self.env = argv, env
        self.cpu = 0.0
        self.peak_kb: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, expr: str) -> tuple[int, str, str]:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen([*self.argv, "-E", expr], stdout=out, stderr=err, env=self.env)
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            with self._lock:
                self.cpu += usage.ru_utime + usage.ru_stime
                self.peak_kb[expr] = max(self.peak_kb.get(expr, 0), usage.ru_maxrss)
            out.seek(0)
            err.seek(0)
            return proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace")


def per_process(nix: CpuRunner, ours: CpuRunner, every: int) -> None:
    """One process per attribute, 2 at a time, for every ``every``-th attribute: both tools,
    interleaved (each attribute by Nix, then by nix2image), so that a change in the machine's
    load during the run falls on both alike."""
    code, out, err = nix(names_expr(TREE))
    names = json.loads(out)[::every]
    ours(f"(import {TREE} {{}}).{names[0]}.drvPath or null")  # parse cache filled before timing
    nix.cpu = ours.cpu = 0.0
    nix_res: dict = {}
    ours_res: dict = {}

    def both(name: str) -> None:
        nix_res.update(sweep(nix, TREE, [name], chunk=1, jobs=1))
        ours_res.update(sweep(ours, TREE, [name], chunk=1, jobs=1))

    w0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(both, names))
    wall = time.monotonic() - w0
    cpu_n, cpu_o = nix.cpu, ours.cpu
    given = sum(1 for n in names if nix_res.get(n))
    equal = sum(1 for n in names if ours_res.get(n) == nix_res.get(n))
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}. "
          f"Date: {time.strftime('%Y-%m-%d %H:%M %Z')}; load average at the end {os.getloadavg()[0]:.1f}.\n")
    print("| sweep, one process per attribute, 2 at a time, interleaved | nix-instantiate CPU (s) | nix2image CPU (s) "
          "| x nix-instantiate | wall, both (s) | same answer |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    print(f"| every {every}th of the top-level attributes: {len(names)} ({given} with a drvPath) | {cpu_n:.1f} "
          f"| {cpu_o:.1f} | {cpu_o / cpu_n:.1f} | {wall:.0f} | {equal} of {len(names)} equal |")
    ratios = sorted((ours.peak_kb[e] / nix.peak_kb[e], n, ours.peak_kb[e], nix.peak_kb[e])
                    for n in names if (e := chunk_expr(TREE, [n], "drvPath")) in ours.peak_kb and e in nix.peak_kb)
    above = [r for r in ratios if r[0] > 1]
    print("\n| peak memory, one process per attribute | nix2image / nix-instantiate, median | lowest | highest "
          "| attributes above Nix's |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| the same {len(ratios)} attributes | {ratios[len(ratios) // 2][0]:.2f}x | {ratios[0][0]:.2f}x "
          f"| {ratios[-1][0]:.2f}x ({ratios[-1][1]}: {ratios[-1][2] / 1024:.0f} MB against {ratios[-1][3] / 1024:.0f} MB) "
          f"| {len(above)} of {len(ratios)}{': ' + ', '.join(r[1] for r in above[-8:]) if above else ''} |")


if __name__ == "__main__":
    main()
