"""Differential evaluation cases: ``*.nixcases`` files hold one Nix expression per case, each
introduced by a ``#: name`` line. Expressions are evaluated with ``tests/nixcases/files`` as the
working directory and ``-I testsp=tests/nixcases/files/sp``.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
SEARCH_PATH = f"testsp={FILES / 'sp'}"


def load_cases(name: str) -> list[tuple[str, str]]:
    """``[(case name, expression)]`` from ``tests/nixcases/<name>``."""
    text = (HERE / name).read_text(encoding="utf-8")
    cases: list[tuple[str, str]] = []
    for block in re.split(r"^#: ", text, flags=re.M)[1:]:
        head, _, body = block.partition("\n")
        cases.append((head.strip(), body.rstrip("\n")))
    return cases


def nix_eval(expr: str, *, json: bool, strict: bool = True, env: dict[str, str]) -> tuple[int, str, str]:
    """Run ``nix-instantiate --store dummy:// --eval`` on ``expr``: (exit code, stdout, stderr)."""
    args = ["nix-instantiate", "--store", "dummy://", "--eval", "-I", SEARCH_PATH]
    if strict:
        args.append("--strict")
    if json:
        args.append("--json")
    args += ["-E", expr]
    env = dict(env)
    env.pop("NIX_PATH", None)
    proc = subprocess.run(args, cwd=FILES, env=env, capture_output=True, timeout=120)
    return proc.returncode, proc.stdout.decode("utf-8", "surrogateescape"), proc.stderr.decode("utf-8", "surrogateescape")


def error_summary(stderr: str) -> tuple[str, str | None]:
    """The ``error: ...`` line and the first ``at FILE:L:C:`` line of an error report."""
    lines = [ln for ln in stderr.splitlines() if not ln.startswith("trace: ")]
    first = next((ln for ln in lines if ln.startswith("error:")), lines[0] if lines else "")
    main: list[str] = []
    for ln in lines:  # the error's own block ends where the trace ("… while ...") starts
        if ln.strip().startswith("…"):
            break
        main.append(ln)
    at = next((ln.strip() for ln in main if ln.strip().startswith("at ")), None)
    return first, at


def no_nix_path_env(env: dict[str, str]) -> dict[str, str]:
    env = dict(env)
    env.pop("NIX_PATH", None)
    return env


__all__ = ["FILES", "HERE", "SEARCH_PATH", "load_cases", "nix_eval", "error_summary", "no_nix_path_env", "os"]
