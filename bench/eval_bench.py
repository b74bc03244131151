"""Parse and evaluation speed of nix2image's Nix front end against nix-instantiate.

Generates three inputs (a ~1 MB attribute set file, ``foldl'`` over 100,000 elements, a chain of
5,000 functions calling each other) and measures, for each:

* our parse time and evaluation time, in-process (CPU time, best of ``--repeat``);
* the installed ``nix2image eval --strict`` end to end (CPU time of the process);
* ``nix-instantiate --store dummy:// --eval --strict`` end to end (CPU time of the process).

CPU time (user + system) is used rather than wall time because the machine may be shared.
Prints a Markdown table for docs/benchmarks.md. Run: ``python bench/eval_bench.py``.

``--spec`` measures instead ``nix2image spec --placeholders`` (CPU of the process) on the samples
(``samples/*.nix``) and on corpus entries (``../shared/corpus``, run from the entry's folder with
the attribute ``images`` lists): with an empty parse cache ("cold"), with the cache filled
("warm"), and with ``--baseline CMD`` (another nix2image, e.g. the main branch's) for "before".

``--real`` measures real Nix code, whole processes against ``nix-instantiate`` in interleaved
rounds (ours, baseline, Nix for one workload, then the next; best CPU of the rounds, peak RSS):
the drvPath of packages of a real nixpkgs (``../shared/nixpkgs-core/tree``, the stdenv bootstrap
behind every package; Nix instantiates into a scratch ``--store`` directory, as evaluating there
imports the tree's folders into a store), a sample of the evaluations that nixpkgs'
``lib/tests/modules.sh`` makes (every ``--modules-every``-th ``checkConfigOutput``, run as the
script runs them: ``-E 'import ./default.nix { modules = [ ... ]; }' -A ATTR`` in
``tests/modules``, over the tree's lib) and ``lib/tests/misc.nix`` ``--strict``. The outputs of
both tools must agree for a workload to count. nix2image runs with a warmed parse cache (the
first round is not timed).

``--startup`` measures the CPU of short commands whose cost is mostly starting up (``--version``,
``plan --closure`` of a sample closure, ``spec`` of a sample, ``eval -E 1``), best of
``--repeat`` interleaved rounds, with ``--baseline`` for "before"; modules imported are counted
with ``python -X importtime``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NIX_CONFIG = "build-users-group =\nsubstituters =\nsandbox = false\nexperimental-features = nix-command"


def gen_big_attrs(target_bytes: int = 1_000_000) -> str:
    parts = ["{\n"]
    size = 2
    i = 0
    while size < target_bytes:
        line = (f'  pkg{i} = {{ name = "package-{i}"; version = "1.{i % 100}.{i % 7}"; '
                f'deps = [ {i % 13} {i % 17} {i % 19} ]; enabled = {"true" if i % 2 else "false"}; '
                f'meta.description = "Generated package number {i} for the benchmark"; }};\n')
        parts.append(line)
        size += len(line)
        i += 1
    parts.append("}\n")
    return "".join(parts)


def gen_foldl(n: int = 100_000) -> str:
    return f"builtins.foldl' (acc: x: acc + x * 2) 0 (builtins.genList (i: i) {n})\n"


def gen_call_chain(n: int = 5_000) -> str:
    lines = ["let", "  f0 = x: x + 1;"]
    for i in range(1, n):
        lines.append(f"  f{i} = x: f{i - 1} (x + 1);")
    lines.append(f"in f{n - 1} 0")
    return "\n".join(lines) + "\n"


def run_cpu(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, stdout) of running ``args``; CPU time measured with wait4."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        proc = subprocess.Popen(args, stdout=out_f, stderr=err_f, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out_f.seek(0)
        err_f.seek(0)
        out = out_f.read().decode()
        if proc.returncode != 0:
            raise SystemExit(f"{args[0]} failed: {err_f.read().decode(errors='replace')[:500]}")
    return usage.ru_utime + usage.ru_stime, wall, out


def in_process(path: Path, repeat: int) -> tuple[float, float, str]:
    """Best-of-``repeat`` CPU seconds for parsing and for evaluating (deeply) ``path``."""
    from translator.nix.evaluator import Evaluator, run_deep
    from translator.nix.operations import force_deep
    from translator.nix.parser import parse_file
    from translator.nix.printer import print_value

    best_parse = best_eval = float("inf")
    out = ""
    for _ in range(repeat):
        t0 = time.process_time()
        node = parse_file(str(path))
        best_parse = min(best_parse, time.process_time() - t0)
        ev = Evaluator()

        def work():
            t1 = time.process_time()
            v = force_deep(ev.eval_ast(node))
            dt = time.process_time() - t1
            return dt, print_value(v, True)
        dt, out = run_deep(work)
        best_eval = min(best_eval, dt)
    return best_parse, best_eval, out


def spec_jobs(root: Path, corpus: Path, limit: int, exe: str) -> list[tuple[str, str, list[str]]]:
    """(title, working directory, spec arguments) for the samples and the first ``limit`` corpus
    entries that ``images`` can list."""
    jobs = [(f"samples/{p.name}", str(p.parent), ["spec", p.name, "--placeholders"])
            for p in sorted((root / "samples").glob("*.nix"))]
    manifest = corpus / "manifest.tsv"
    if not manifest.exists():
        return jobs
    rows = [line.split("\t") for line in manifest.read_text().splitlines()[1:]]
    for row in rows[:limit]:
        ident, entry = row[0], row[5]
        cwd = corpus / "repos" / ident
        proc = subprocess.run([exe, "images", entry, "--placeholders"], cwd=cwd, capture_output=True, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if "\t" in ln]
        if proc.returncode != 0 or not lines:
            continue
        attr = lines[0].split("\t")[0]
        extra = [] if attr == "(the file itself)" else ["-A", attr]
        jobs.append((f"corpus/{ident}", str(cwd), ["spec", entry, *extra, "--placeholders"]))
    return jobs


def spec_cpu(exe: str, job: tuple[str, str, list[str]], cache: str, repeat: int) -> float | None:
    """Best CPU seconds of one spec run (None when it fails)."""
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        with tempfile.TemporaryFile() as out_f:
            proc = subprocess.Popen([exe, *job[2]], cwd=job[1], stdout=out_f, stderr=out_f, env=env)
            _pid, status, usage = os.wait4(proc.pid, 0)
        del t0
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        cpu = usage.ru_utime + usage.ru_stime
        best = cpu if best is None else min(best, cpu)
    return best


def spec_main(args: argparse.Namespace) -> int:
    mine = shutil.which("nix2image") or str(Path(sys.executable).parent / "nix2image")
    root = Path(__file__).resolve().parent.parent
    jobs = spec_jobs(root, (root / args.corpus).resolve(), args.corpus_entries, mine)
    totals = {"cold": 0.0, "warm": 0.0, "baseline": 0.0}
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for job in jobs:
            cold_dir = tempfile.mkdtemp(dir=d)
            cold = spec_cpu(mine, job, cold_dir, 1)
            warm = spec_cpu(mine, job, cold_dir, args.repeat)
            base = spec_cpu(args.baseline, job, tempfile.mkdtemp(dir=d), args.repeat) if args.baseline else None
            rows.append((job[0], cold, warm, base))
            if cold is not None and warm is not None and (base is not None or not args.baseline):
                totals["cold"] += cold
                totals["warm"] += warm
                totals["baseline"] += base or 0.0
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"date {time.strftime('%Y-%m-%d', time.gmtime())}")
    print()
    print("| file | before (baseline) | after, cold cache | after, warm cache | warm / before |")
    print("|---|---:|---:|---:|---:|")

    def fmt(v: float | None) -> str:
        return "fails" if v is None else f"{v:.2f} s"
    for title, cold, warm, base in rows:
        ratio = f"{warm / base:.2f}x" if warm and base else "-"
        print(f"| {title} | {fmt(base)} | {fmt(cold)} | {fmt(warm)} | {ratio} |")
    if args.baseline and totals["baseline"]:
        print(f"| **all that run under both** | {totals['baseline']:.1f} s | {totals['cold']:.1f} s | "
              f"{totals['warm']:.1f} s | {totals['warm'] / totals['baseline']:.2f}x |")
    return 0


PACKAGES = ("coreutils", "zlib", "gnumake", "curl", "python3")


def real_workloads(root: Path, scratch: Path, store: Path, every: int, packages: list[str]) -> list[tuple[str, str, list[str], list[str]]]:
    """(title, working directory, nix2image arguments, nix-instantiate arguments)."""
    tree = (root.parent / "shared" / "nixpkgs-core" / "tree").resolve()
    jobs = []
    for pkg in packages:
        expr = f"(import {tree} {{}}).{pkg}"
        jobs.append((f"nixpkgs-core `{pkg}.drvPath`", str(root), ["eval", "-E", expr + ".drvPath"],
                     ["--store", str(store), "-E", expr]))
    modules = scratch / "tests" / "modules"
    checks = [ln for ln in (scratch / "tests" / "modules.sh").read_text().splitlines()
              if ln.startswith("checkConfigOutput ") and not ln.rstrip().endswith("\\")]
    for n, line in enumerate(checks):
        if n % every:
            continue
        try:
            words = shlex.split(line)  # checkConfigOutput REGEX ATTR FILE...
        except ValueError:
            continue
        if len(words) < 4 or any("$" in w for w in words[2:]):
            continue
        attr, files = words[2], words[3:]
        expr = f"import ./default.nix {{ modules = [ {' '.join(files)} ];}}"
        jobs.append((f"modules.sh `{attr}` {' '.join(files)}", str(modules), ["eval", "--json", "-E", expr, "-A", attr],
                     ["--eval-only", "--json", "--read-write-mode", "--store", str(store), "-E", expr, "-A", attr]))
    jobs.append(("lib/tests/misc.nix --strict", str(scratch / "tests"), ["eval", "--strict", "misc.nix"],
                 ["--eval", "--strict", "--store", str(store), "misc.nix"]))
    return jobs


def make_scratch(root: Path, d: Path) -> Path:
    """``d/lib``: the tree's lib (linked) with nixpkgs' lib tests copied as ``tests`` (as the
    real-lib differential test lays them out)."""
    shared = root.parent / "shared"
    lib = d / "lib"
    lib.mkdir()
    for entry in (shared / "nixpkgs-core" / "tree" / "lib").iterdir():
        if entry.name != "tests":
            (lib / entry.name).symlink_to(entry)
    shutil.copytree(shared / "nixpkgs-lib-tests" / "tests", lib / "tests", symlinks=True)
    return lib


def run_usage(args: list[str], cwd: str, env: dict[str, str]) -> tuple[float, int, int, str]:
    """(CPU seconds, peak RSS in KiB, exit code, stdout) of one process."""
    with tempfile.TemporaryFile() as out_f:
        proc = subprocess.Popen(args, cwd=cwd, stdout=out_f, stderr=subprocess.DEVNULL, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        out_f.seek(0)
        out = out_f.read().decode(errors="replace")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status), out


def real_main(args: argparse.Namespace) -> int:
    root = Path(__file__).resolve().parent.parent
    mine = shutil.which("nix2image") or str(Path(sys.executable).parent / "nix2image")
    nix = shutil.which("nix-instantiate")
    if nix is None:
        raise SystemExit("nix-instantiate is needed for --real")
    tools = [("ours", mine)] + ([("before", args.baseline)] if args.baseline else [])
    with tempfile.TemporaryDirectory() as d:
        scratch = make_scratch(root, Path(d))
        store = Path(d) / "store"
        caches = {name: tempfile.mkdtemp(dir=d) for name, _ in tools}
        nix_env = dict(os.environ, NIX_CONFIG=NIX_CONFIG)
        nix_env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run it: with cached bytecode
        jobs = real_workloads(root, scratch, store, args.modules_every, [p for p in args.packages.split(",") if p])
        best: dict[tuple[str, str], tuple[float, int]] = {}
        agree: dict[str, bool] = {}
        for rnd in range(args.repeat + 1):  # round 0 warms the parse caches and Nix's store
            for title, cwd, ours_args, nix_args in jobs:
                if agree.get(title) is False:
                    continue
                outs = {}
                for name, exe in tools:
                    cpu, rss, rc, out = run_usage([exe, *ours_args], cwd, dict(nix_env, XDG_CACHE_HOME=caches[name]))
                    outs[name] = (rc, out.strip().strip('"'))
                    if rnd:
                        old = best.get((title, name))
                        best[(title, name)] = (min(cpu, old[0]) if old else cpu, max(rss, old[1]) if old else rss)
                cpu, rss, rc, out = run_usage([nix, *nix_args], cwd, nix_env)
                outs["nix"] = (rc, out.strip().strip('"'))
                if rnd:
                    old = best.get((title, "nix"))
                    best[(title, "nix")] = (min(cpu, old[0]) if old else cpu, max(rss, old[1]) if old else rss)
                ok = outs["ours"][0] == 0 and outs["ours"] == outs["nix"]
                agree[title] = agree.get(title, True) and ok
    load = os.getloadavg()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.platform()}; date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; best CPU of {args.repeat} rounds")
    print()
    before_col = " before (CPU) |" if args.baseline else ""
    print(f"| work |{before_col} nix2image (CPU) | nix-instantiate (CPU) | ratio | peak RSS ours / Nix |")
    print("|---|" + ("---:|" if args.baseline else "") + "---:|---:|---:|---:|")
    groups: dict[str, list[str]] = {"nixpkgs": [], "modules": [], "misc": []}
    for title, *_ in jobs:
        if agree.get(title):
            groups["modules" if title.startswith("modules.sh") else "misc" if "misc" in title else "nixpkgs"].append(title)

    def row(label: str, titles: list[str]) -> None:
        if not titles:
            return
        ours = sum(best[(t, "ours")][0] for t in titles)
        theirs = sum(best[(t, "nix")][0] for t in titles)
        rss_o = max(best[(t, "ours")][1] for t in titles) // 1024
        rss_n = max(best[(t, "nix")][1] for t in titles) // 1024
        before = f" {sum(best[(t, 'before')][0] for t in titles):.2f} s |" if args.baseline else ""
        print(f"| {label} |{before} {ours:.2f} s | {theirs:.2f} s | {ours / theirs:.1f}x | {rss_o} / {rss_n} MB |")
    for t in groups["nixpkgs"]:
        row(t, [t])
    row(f"modules.sh sample: {len(groups['modules'])} evaluations, total", groups["modules"])
    for t in groups["misc"]:
        row(t, [t])
    left = [t for t, ok in agree.items() if not ok]
    if left:
        print()
        print(f"Left out (a tool failed or the outputs differ): {', '.join(left)}")
    return 0


STARTUP = (("--version", ["--version"]),
           ("plan --closure samples/closures/webapp-v1.json", ["plan", "--closure", "samples/closures/webapp-v1.json"]),
           ("spec samples/app-callpackage.nix --placeholders", ["spec", "samples/app-callpackage.nix", "--placeholders"]),
           ("eval -E 1", ["eval", "-E", "1"]))


def startup_main(args: argparse.Namespace) -> int:
    root = Path(__file__).resolve().parent.parent
    mine = shutil.which("nix2image") or str(Path(sys.executable).parent / "nix2image")
    tools = [("ours", mine)] + ([("before", args.baseline)] if args.baseline else [])
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run it: with cached bytecode
    best: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory() as d:
        caches = {name: tempfile.mkdtemp(dir=d) for name, _ in tools}
        for rnd in range(args.repeat + 1):  # round 0 writes bytecode and caches
            for title, argv in STARTUP:
                for name, exe in tools:
                    cpu, _rss, rc, _out = run_usage([exe, *argv], str(root), dict(env, XDG_CACHE_HOME=caches[name]))
                    if rc != 0:
                        raise SystemExit(f"{name}: {title} failed")
                    if rnd:
                        best[(title, name)] = min(cpu, best.get((title, name), cpu))
        modules = {}
        for title, argv in STARTUP:
            proc = subprocess.run([sys.executable, "-X", "importtime", "-c",
                                   "import sys; from translator.cli import main; sys.argv[0] = 'nix2image'; main()", *argv],
                                  cwd=root, env=dict(env, XDG_CACHE_HOME=caches["ours"]), capture_output=True, text=True)
            modules[title] = sum(1 for ln in proc.stderr.splitlines() if ln.startswith("import time:")) - 1
    load = os.getloadavg()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average at the end "
          f"{load[0]:.1f}; best CPU of {args.repeat} rounds")
    print()
    print("| command |" + (" before (CPU) |" if args.baseline else "") + " after (CPU) | modules imported (after) |")
    print("|---|" + ("---:|" if args.baseline else "") + "---:|---:|")
    for title, _argv in STARTUP:
        before = f" {best[(title, 'before')]:.3f} s |" if args.baseline else ""
        print(f"| `{title}` |{before} {best[(title, 'ours')]:.3f} s | {modules[title]} |")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--spec", action="store_true", help="time `spec` of the samples and the corpus instead")
    ap.add_argument("--baseline", help="with --spec/--real: another nix2image command to compare with (before)")
    ap.add_argument("--real", action="store_true", help="time real nixpkgs, modules.sh-like work and misc.nix instead")
    ap.add_argument("--startup", action="store_true", help="time short commands (start-up) instead")
    ap.add_argument("--packages", default=",".join(PACKAGES), help="with --real: nixpkgs-core attributes (comma-separated)")
    ap.add_argument("--modules-every", type=int, default=12, help="with --real: every Nth checkConfigOutput")
    ap.add_argument("--corpus", default="../shared/corpus", help="with --spec: the corpus folder")
    ap.add_argument("--corpus-entries", type=int, default=70, help="with --spec: how many corpus entries")
    args = ap.parse_args()
    if args.spec:
        return spec_main(args)
    if args.real:
        return real_main(args)
    if args.startup:
        return startup_main(args)
    sys.setrecursionlimit(100_000)
    nix = shutil.which("nix-instantiate")
    mine = shutil.which("nix2image")
    env = dict(os.environ, NIX_CONFIG=NIX_CONFIG)
    inputs = {
        "1 MB attribute set": gen_big_attrs(),
        "foldl' over 100,000 elements": gen_foldl(),
        "5,000-function call chain": gen_call_chain(),
    }
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for title, text in inputs.items():
            path = Path(d) / (title.split()[0].strip("'") + ".nix")
            path.write_text(text)
            parse_s, eval_s, ours_out = in_process(path, args.repeat)
            cli_cpu = cli_wall = nix_cpu = nix_wall = float("nan")
            if mine:
                cli_cpu, cli_wall, cli_out = min((run_cpu([mine, "eval", "--strict", str(path)], env) for _ in range(args.repeat)), key=lambda r: r[0])
                assert cli_out == ours_out + "\n", "CLI output differs from in-process output"
            if nix:
                nix_cpu, nix_wall, nix_out = min((run_cpu([nix, "--store", "dummy://", "--eval", "--strict", str(path)], env) for _ in range(args.repeat)), key=lambda r: r[0])
                assert nix_out == ours_out + "\n", f"nix-instantiate printed something else for {title}"
            rows.append((title, len(text), parse_s, eval_s, cli_cpu, nix_cpu))
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.platform()}; date {time.strftime('%Y-%m-%d', time.gmtime())}")
    print()
    print("| input | size | our parse | our eval | parse MB/s | nix2image eval (CPU) | nix-instantiate (CPU) "
          "| eval / nix | parse+eval / nix | CLI / nix |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for title, size, p, e, c, n in rows:
        rate = f"{size / 1e6 / p:.2f}" if size >= 100_000 else "-"
        print(f"| {title} | {size / 1e3:.0f} kB | {p:.3f} s | {e:.3f} s | {rate} | {c:.3f} s | {n:.3f} s | "
              f"{e / n:.1f}x | {(p + e) / n:.1f}x | {c / n:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
