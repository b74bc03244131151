"""Long fuzz runs over every reader of outside data (see ``tests/fuzz_harness.py``).

    .venv/bin/python bench/fuzz.py --seconds 900 [--only nix-parse,closure] [--crashes DIR] [--seed N]

Runs the targets round-robin until the time is up (each gets an equal share of inputs, the
slow ones fewer per second), prints a table of inputs per reader with their outcomes (ok, clean
error, crash, hang, bounded), and writes each new crash (one per distinct exception site) to
``--crashes`` as ``<target>/<sha>.bin`` with its traceback beside it, ready to be moved into
``tests/fuzz_regressions/`` once fixed. Exit status 1 when any crash or hang was seen.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

import fuzz_harness as fh  # noqa: E402


def _site(detail: str) -> str:
    """Where a crash happened: the exception line and the innermost frame (dedup key)."""
    lines = [l for l in detail.strip().splitlines() if l.strip()]
    frames = [l.strip() for l in lines if l.strip().startswith("File ")]
    return (frames[-1] if frames else "") + " | " + (lines[-1].split(":")[0] if lines else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--only", default="", help="comma-separated target names")
    ap.add_argument("--crashes", default="fuzz-crashes")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--json", help="write the counts as JSON to this file")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    targets = fh.targets()
    if args.only:
        targets = {k: v for k, v in targets.items() if k in args.only.split(",")}
    counts: dict[str, Counter] = {k: Counter() for k in targets}
    spent: Counter = Counter()
    sites: dict[str, str] = {}
    deadline = time.monotonic() + args.seconds
    last_report = time.monotonic()
    while time.monotonic() < deadline:
        for name, t in targets.items():
            data = fh.mutant(t, rng)
            t0 = time.monotonic()
            out = fh.run_one(t, data)
            spent[name] += time.monotonic() - t0
            counts[name][out.kind] += 1
            if out.kind in ("crash", "hang"):
                key = name + " " + (_site(out.detail) if out.kind == "crash" else "hang")
                if key not in sites:
                    sites[key] = out.detail
                    d = os.path.join(args.crashes, name)
                    os.makedirs(d, exist_ok=True)
                    h = hashlib.sha256(data).hexdigest()[:16]
                    with open(os.path.join(d, h + ".bin"), "wb") as f:
                        f.write(data)
                    with open(os.path.join(d, h + ".txt"), "w") as f:
                        f.write(out.detail)
                    print(f"new {out.kind} in {name}: {key}", file=sys.stderr, flush=True)
        if time.monotonic() - last_report > 60:
            last_report = time.monotonic()
            print(f"... {sum(sum(c.values()) for c in counts.values())} inputs", file=sys.stderr, flush=True)
    kinds = ["ok", "clean", "crash", "hang", "bounded"]
    print(f"seed {seed}, {args.seconds:.0f}s")
    print(f"{'reader':16}" + "".join(f"{k:>9}" for k in ["inputs"] + kinds) + "   inputs/s")
    for name, c in counts.items():
        n = sum(c.values())
        print(f"{name:16}{n:9}" + "".join(f"{c[k]:9}" for k in kinds) + f"   {n / max(spent[name], 1e-9):8.0f}")
    total = Counter()
    for c in counts.values():
        total.update(c)
    print(f"{'total':16}{sum(total.values()):9}" + "".join(f"{total[k]:9}" for k in kinds))
    print(f"distinct crash/hang sites: {len(sites)}")
    for k in sites:
        print("  " + k)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"seed": seed, "seconds": args.seconds, "counts": {k: dict(v) for k, v in counts.items()},
                       "sites": sorted(sites)}, f, indent=1)
    return 1 if total["crash"] or total["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
