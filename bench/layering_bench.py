"""Layering benchmark: time and peak memory of every strategy on generated nixpkgs-like DAGs.

    python bench/layering_bench.py [--sizes 1000,10000,50000] [--strategies ...] [--max-layers 100]

Times are CPU seconds of the process (the machine is shared, wall time is noisy); wall seconds
are in ``--json``. The DAGs imitate a package set: a small core of very popular low-level paths (libc, zlib, ...),
packages that reference a few core paths and a few recently built packages, a long tail of
leaves, and a handful of top-level roots. Sizes are log-normal. Same seed, same graph.

Baseline (``--baselines``): ``dict-popularity`` is the per-node dictionary method of nixpkgs'
popularity script (each node keeps a dict of its descendants' counts); it shows what the closed
form buys. It runs with a time limit and only up to ``--baseline-max-paths`` paths (its memory
grows with the square of the graph).

Whole processes (``--whole-process``): the popularity plan as a user gets it, ``nix2image plan
--closure FILE --strategy popularity --json``, against nixpkgs' own ``closure-graph.py`` (the
script behind ``referencesByPopularity``, read at run time from the nixpkgs tree in
``../shared/nixpkgs-core/tree`` or ``--nixpkgs-script``; nothing of it is copied here) given the
same exportReferencesGraph file, in interleaved rounds, wall time of each process start to exit.

Each strategy runs in its own subprocess so that peak memory (ru_maxrss) is its own. The
baseline is the time to read and index the graph (``build``), reported in the same run so the
other numbers can be read as ratios on any machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"
WORDS = ("lib", "py", "perl", "gtk", "qt", "rust", "go", "node", "haskell", "font", "icon", "data", "tool",
         "util", "core", "net", "ssl", "xml", "json", "yaml", "db", "sql", "http", "zip", "img")


def fake_hash(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(32))


def generate(n: int, seed: int = 1) -> list[dict]:
    """A closed, acyclic exportReferencesGraph-style list of ``n`` paths."""
    rng = random.Random(seed)
    core = max(5, n // 200)
    paths: list[str] = []
    refs: list[list[int]] = []
    weight: list[float] = []
    for i in range(n):
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}{i}-{rng.randint(0, 9)}.{rng.randint(0, 30)}"
        paths.append(f"/nix/store/{fake_hash(rng)}-{name}")
        chosen: set[int] = set()
        if i:
            if i < core:
                k = rng.randint(0, min(i, 3))
                chosen.update(rng.sample(range(i), k))
            else:
                for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):  # popular core paths
                    chosen.add(rng.choices(range(core), weights=weight[:core])[0])
                if i > core:
                    for _ in range(rng.choice((0, 1, 1, 2, 3))):  # recently built neighbours
                        chosen.add(rng.randrange(max(core, i - 300), i))
        refs.append(sorted(chosen))
        weight.append(1.0 / (1 + i) if i < core else 0.0)
    sizes = [int(rng.lognormvariate(11, 2.0)) + 100 for _ in range(n)]
    # roots: a top-level environment referencing the paths nothing else references (like an image's contents)
    referenced = {r for rs in refs for r in rs}
    tops = [i for i in range(n) if i not in referenced]
    rootpath = f"/nix/store/{fake_hash(rng)}-image-env"
    out = [{"path": paths[i], "narSize": sizes[i], "references": [paths[r] for r in refs[i]] + [paths[i]]}
           for i in range(n - 1)]
    out.append({"path": rootpath, "narSize": 4096, "references": [paths[t] for t in tops if t != n - 1]})
    rng.shuffle(out)
    return out


def dict_popularity(g) -> list[int]:
    """Baseline: the per-node dictionary method nixpkgs' script uses (every node keeps a dict of
    its descendants' counts, merged upwards: C(v)[x] = sum over references c of [x=c] + C(c)[x] + 1)."""
    from translator.layering.popularity import ancestor_clustered_order

    order = ancestor_clustered_order(g.children, g.parents)  # referrers first
    cache: dict[int, dict[int, int]] = {}
    for v in reversed(order):
        d: dict[int, int] = {}
        for c in g.children[v]:
            d[c] = d.get(c, 0) + 1
            for x, k in cache[c].items():
                d[x] = d.get(x, 0) + k + 1
        cache[v] = d
    score = [0] * len(g)
    for r in g.roots():
        score[r] += 1
        for x, k in cache[r].items():
            score[x] += k + 1
    return score


def _child(graph_file: str, strategy: str, max_layers: int) -> None:
    from translator.closure_io import read_closure
    from translator.layering import make_plan
    from translator.layering.graph import build_graph

    t0 = time.perf_counter()
    cpu0 = time.process_time()
    infos = read_closure(graph_file)
    g = build_graph(infos)
    t1 = time.perf_counter()
    cpu1 = time.process_time()
    if strategy == "dict-popularity":
        dict_popularity(g)
    elif strategy != "build":
        pipeline = [["popularity_contest"], ["limit_layers", max_layers]] if strategy == "pipeline" else None
        make_plan(g, strategy, max_layers=max_layers, pipeline=pipeline)
    t2 = time.perf_counter()
    cpu = time.process_time()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"build_s": t1 - t0, "run_s": t2 - t1, "build_cpu_s": cpu1 - cpu0, "run_cpu_s": cpu - cpu1,
                      "peak_mb": peak_kb / 1024}))


NIXPKGS_SCRIPT = (Path(__file__).resolve().parent.parent.parent / "shared" / "nixpkgs-core" / "tree" / "pkgs" /
                  "build-support" / "references-by-popularity" / "closure-graph.py")


def whole_process(sizes: list[int], script: Path, rounds: int) -> None:
    """Wall time of whole processes: ``nix2image plan --strategy popularity`` against nixpkgs'
    closure-graph.py on the same exportReferencesGraph file (``{"graph": [...]}``)."""
    import shutil
    import tempfile

    if not script.is_file():
        sys.exit(f"nixpkgs' closure-graph.py not found at {script} (give --nixpkgs-script)")
    local = Path(sys.executable).parent / "nix2image"
    exe = str(local) if local.exists() else shutil.which("nix2image")
    load = [os.getloadavg()[0]]
    print("| paths | nixpkgs closure-graph.py | nix2image plan --strategy popularity | ratio | ratio in CPU time |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            gf = os.path.join(tmp, f"graph-{n}.json")
            Path(gf).write_text(json.dumps({"graph": generate(n)}))
            cmds = {"nixpkgs": [sys.executable, str(script), gf, "graph"],
                    "ours": [exe, "plan", "--closure", gf, "--strategy", "popularity", "--json"]}
            best = {k: float("inf") for k in cmds}
            cpu = {k: float("inf") for k in cmds}
            for rnd in range(rounds):
                for k, cmd in cmds.items():
                    t = time.perf_counter()
                    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    _pid, status, ru = os.wait4(proc.pid, 0)
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    if proc.returncode != 0:
                        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode})")
                    dt = time.perf_counter() - t
                    best[k] = min(best[k], dt)
                    cpu[k] = min(cpu[k], ru.ru_utime + ru.ru_stime)
                    print(f"{n} round {rnd + 1}: {k} {dt:.2f} s, CPU {ru.ru_utime + ru.ru_stime:.2f} s", file=sys.stderr,
                          flush=True)
                load.append(os.getloadavg()[0])
            print(f"| {n} | {best['nixpkgs']:.2f} s | {best['ours']:.2f} s | {best['nixpkgs'] / best['ours']:.1f}x faster | "
                  f"{cpu['nixpkgs'] / cpu['ours']:.1f}x faster |", flush=True)
    print(f"\nbest of {rounds} interleaved rounds; 1-minute load average {min(load):.1f} to {max(load):.1f}; "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--whole-process", action="store_true",
                    help="Compare whole processes with nixpkgs' closure-graph.py (see above).")
    ap.add_argument("--nixpkgs-script", type=Path, default=NIXPKGS_SCRIPT)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--strategies", default="popularity,auto,pipeline,nixery,per-path,single")
    ap.add_argument("--baselines", default="dict-popularity",
                    help="Slow reference methods, run with a time limit (nixpkgs-style algorithms).")
    ap.add_argument("--baseline-max-paths", type=int, default=10000,
                    help="Skip baselines above this many paths (the dictionary method needs O(n^2) memory).")
    ap.add_argument("--baseline-timeout", type=float, default=120.0)
    ap.add_argument("--max-layers", type=int, default=100)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return
    if args.whole_process:
        whole_process([int(x) for x in args.sizes.split(",")], args.nixpkgs_script, args.rounds)
        return
    import tempfile

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            gf = os.path.join(tmp, f"dag-{n}.json")
            Path(gf).write_text(json.dumps(generate(n)))
            baselines = [b for b in args.baselines.split(",") if b] if n <= args.baseline_max_paths else []
            for strategy in ["build"] + args.strategies.split(",") + baselines:
                try:
                    proc = subprocess.run([sys.executable, __file__, "--child", gf, strategy, str(args.max_layers)],
                                          capture_output=True, text=True,
                                          timeout=args.baseline_timeout if strategy in baselines else None)
                except subprocess.TimeoutExpired:
                    results.append({"paths": n, "strategy": strategy, "error": f"over {args.baseline_timeout:.0f} s"})
                    print(f"{n:>7} {strategy:<15} over {args.baseline_timeout:.0f} s", file=sys.stderr)
                    continue
                if proc.returncode != 0:
                    results.append({"paths": n, "strategy": strategy, "error": proc.stderr.strip()[-300:]})
                    print(f"{n:>7} {strategy:<11} FAILED: {proc.stderr.strip()[-200:]}", file=sys.stderr)
                    continue
                r = json.loads(proc.stdout)
                r.update(paths=n, strategy=strategy)
                results.append(r)
                print(f"{n:>7} {strategy:<11} {r['run_cpu_s']:8.2f} s  {r['peak_mb']:7.0f} MB  (read+index {r['build_cpu_s']:.2f} s)",
                      file=sys.stderr)
    meta = {"machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_implementation()} "
                       f"{platform.python_version()}", "date": time.strftime("%Y-%m-%d", time.gmtime()),
            "max_layers": args.max_layers}
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=1))
    else:
        print(f"machine: {meta['machine']}; date: {meta['date']}; max layers {args.max_layers}")
        print("| paths | strategy | CPU time (s) | x read+index | peak memory (MB) |")
        print("| ---: | --- | ---: | ---: | ---: |")
        base = {r["paths"]: r["build_cpu_s"] for r in results if r.get("strategy") == "build" and "error" not in r}
        for r in results:
            if "error" in r:
                print(f"| {r['paths']} | {r['strategy']} | {r['error'][:40]} | | |")
                continue
            if r["strategy"] == "build":
                print(f"| {r['paths']} | (read + index, baseline) | {r['build_cpu_s']:.2f} | 1.0 | {r['peak_mb']:.0f} |")
                continue
            ratio = r["run_cpu_s"] / base[r["paths"]] if base.get(r["paths"]) else float("nan")
            print(f"| {r['paths']} | {r['strategy']} | {r['run_cpu_s']:.2f} | {ratio:.1f} | {r['peak_mb']:.0f} |")
        ours = {(r["paths"], r["strategy"]): r["run_cpu_s"] for r in results if "run_cpu_s" in r}
        pairs = [("dict-popularity", "popularity")]
        lines = []
        for n in sorted({r["paths"] for r in results}):
            for slow, fast in pairs:
                if (n, slow) in ours and ours.get((n, fast)):
                    lines.append(f"| {n} | {slow} / {fast} | {ours[(n, slow)] / max(ours[(n, fast)], 1e-3):.1f}x |")
        if lines:
            print()
            print("| paths | baseline / ours | ratio |")
            print("| ---: | --- | ---: |")
            print("\n".join(lines))


if __name__ == "__main__":
    main()
