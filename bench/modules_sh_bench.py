"""nixpkgs' module-system test script (``lib/tests/modules.sh``, ~350 evaluations) run whole,
with ``nix-instantiate`` and with ``nix2image eval`` standing in for it: issue 14's row.

The script runs over the modelled lib, laid out as nixpkgs has it (``scratch/lib`` a copy of
``translator/universe/nixpkgs/lib``, ``scratch/lib/tests`` a copy of ``../shared/nixpkgs-lib-tests``,
as ``tests/test_lib_modules.py`` does). For nix2image, a ``nix-instantiate`` script first on
``PATH`` drops the flags ``nix2image eval`` has no use for (``--timeout N``, ``--eval-only``,
``--read-write-mode``) and runs the installed command, one process per evaluation as the script
makes them. Measured: the CPU time (user + system) of the whole script and everything it starts
(bash, grep and the evaluators), read from ``wait4``; rounds interleave the tools; best of
``--repeat``. Both runs must end with the same summary line (the same checks failing), or the
row says so. Prints a Markdown table for docs/benchmarks.md.

Run: ``python bench/modules_sh_bench.py [--nix2image CMD] [--baseline CMD] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_LIB = ROOT / "translator" / "universe" / "nixpkgs" / "lib"
LIB_TESTS = ROOT.parent / "shared" / "nixpkgs-lib-tests" / "tests"
NIX_CONFIG = "build-users-group =\nsubstituters =\nsandbox = false\nexperimental-features = nix-command"

STAND_IN = """#!/bin/sh
# nix-instantiate as modules.sh calls it, run by nix2image eval
exe={exe}
set -- "$@" --end-of-args--
while [ "$1" != --end-of-args-- ]; do
    case "$1" in
        --timeout) shift 2 ;;
        --eval-only|--eval|--read-write-mode) shift ;;
        *) set -- "$@" "$1"; shift ;;
    esac
done
shift
exec "$exe" eval "$@"
"""


def lay_out(base: Path) -> Path:
    """``base/lib`` (the modelled lib) with the shared lib tests as ``base/lib/tests``."""
    shutil.copytree(MODEL_LIB, base / "lib")
    shutil.copytree(LIB_TESTS, base / "lib" / "tests")
    return base / "lib" / "tests"


def stand_in(base: Path, name: str, exe: str) -> Path:
    """A folder holding a ``nix-instantiate`` that runs ``exe eval``."""
    folder = base / name
    folder.mkdir()
    script = folder / "nix-instantiate"
    script.write_text(STAND_IN.format(exe=exe))
    script.chmod(0o755)
    return folder


def run_script(tests: Path, path_first: Path | None) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, the script's last output line) of one whole run."""
    env = dict(os.environ, NIX_CONFIG=NIX_CONFIG)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run Python: bytecode cached
    if path_first is not None:
        env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        proc = subprocess.Popen(["bash", "modules.sh"], cwd=tests, env=env, stdout=out, stderr=subprocess.STDOUT)
        _pid, _status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        out.seek(0)
        lines = out.read().decode(errors="replace").strip().splitlines()
    return usage.ru_utime + usage.ru_stime, wall, lines[-1] if lines else ""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nix2image", default=str(Path(sys.executable).parent / "nix2image"))
    ap.add_argument("--baseline", help="another nix2image command to run the same way (before)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    if shutil.which("nix-instantiate") is None:
        sys.exit("error: nix-instantiate is not installed")
    with tempfile.TemporaryDirectory(prefix="modules-sh-") as scratch:
        base = Path(scratch)
        tests = lay_out(base)
        tools: list[tuple[str, Path | None]] = [("nix-instantiate", None),
                                                ("nix2image", stand_in(base, "ours", args.nix2image))]
        if args.baseline:
            tools.append(("before", stand_in(base, "before", args.baseline)))
        run_script(tests, tools[1][1])  # parse cache filled (and files in the page cache) first
        best: dict[str, tuple[float, float, str]] = {}
        for _ in range(args.repeat):
            for name, folder in tools:
                cpu, wall, last = run_script(tests, folder)
                if name not in best or cpu < best[name][0]:
                    best[name] = (cpu, wall, last)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"date {time.strftime('%Y-%m-%d %H:%M %Z')}; load average at the end {os.getloadavg()[0]:.1f}; "
          f"best CPU of {args.repeat} interleaved rounds\n")
    nix_cpu, _, nix_last = best["nix-instantiate"]
    print("| run of lib/tests/modules.sh | CPU | wall | x nix-instantiate | summary line |")
    print("|---|---:|---:|---:|---|")
    for name, (cpu, wall, last) in best.items():
        same = "" if last == nix_last else " (differs from Nix's)"
        print(f"| {name} | {cpu:.1f} s | {wall:.1f} s | {cpu / nix_cpu:.2f}x | `{last}`{same} |")


if __name__ == "__main__":
    main()
