"""Evaluate the drvPath of many top-level attributes of a nixpkgs tree in few processes.

One command line evaluates a whole chunk of attribute names (``--eval --json`` of an attribute
set name -> drvPath or null, each behind ``builtins.tryEval``), which is what a user could run
with ``nix-instantiate`` or ``nix2image eval`` alike. Each attribute is announced with
``builtins.trace`` before it is evaluated and its answer traced after: errors ``tryEval`` cannot
catch (a missing attribute, infinite recursion, ...) abort the whole command, and then the traces
say which answers were already given and which attribute failed (its answer is null: it has no
drvPath); the command is run again for the attributes not yet evaluated. Chunks run ``jobs`` at
a time.

Used by ``tests/test_real_nixpkgs.py`` (Nix's answers, cached by the tree's content) and by
``bench/real_nixpkgs_bench.py``.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

#: A command runner: (expression) -> (exit status, stdout, stderr).
Runner = Callable[[str], tuple[int, str, str]]
MARK = "nix2image-sweep "


def chunk_expr(tree: str, names: Sequence[str], field: str = "drvPath") -> str:
    """The expression giving ``{ name = drvPath or null; }`` for ``names`` of ``import tree {}``,
    tracing ``["start", name]`` before and ``["done", name, value]`` after each attribute."""
    quoted = " ".join(json.dumps(n) for n in names)
    return (f"let pkgs = import {tree} {{}}; b = builtins; "
            f"get = n: let r = b.tryEval (let v = pkgs.${{n}}; in "
            f"if b.isAttrs v && v ? {field} then b.unsafeDiscardStringContext v.{field} else null); "
            f"in if r.success then r.value else null; "
            f"traced = n: b.trace \"{MARK}${{b.toJSON [ \"start\" n ]}}\" "
            f"(let r = get n; in b.trace \"{MARK}${{b.toJSON [ \"done\" n r ]}}\" r); "
            f"in b.listToAttrs (map (n: {{ name = n; value = traced n; }}) [ {quoted} ])")


def names_expr(tree: str) -> str:
    return f"builtins.attrNames (import {tree} {{}})"


def command_runner(argv: list[str], env: dict[str, str] | None = None, timeout: float = 900) -> Runner:
    """A runner calling ``argv + ["-E", expr]`` (argv ends with the eval flags, e.g. ``--json``)."""

    def run(expr: str) -> tuple[int, str, str]:
        proc = subprocess.run([*argv, "-E", expr], capture_output=True, text=True, env=env, timeout=timeout)
        return proc.returncode, proc.stdout, proc.stderr

    return run


def _traces(stderr: str) -> list[list]:
    out = []
    for line in stderr.splitlines():
        i = line.find(MARK)
        if i >= 0:
            try:
                out.append(json.loads(line[i + len(MARK):]))
            except ValueError:
                pass
    return out


def sweep(run: Runner, tree: str, names: Sequence[str], *, chunk: int = 100, jobs: int = 2,
          field: str = "drvPath") -> dict[str, str | None]:
    """name -> drvPath (or None) for every name, chunk by chunk, ``jobs`` chunks at a time."""

    def one(part: Sequence[str]) -> dict[str, str | None]:
        got: dict[str, str | None] = {}
        todo = list(part)
        while todo:
            code, out, err = run(chunk_expr(tree, todo, field))
            if code == 0:
                data = json.loads(out)
                got.update((n, data.get(n)) for n in todo)
                break
            failed = None
            for t in _traces(err):
                if t[0] == "start":
                    failed = t[1]
                elif t[0] == "done":
                    got[t[1]] = t[2]
                    failed = None
            if failed is None or failed in got:  # failed outside any attribute: nothing more to learn
                failed = next(n for n in todo if n not in got)
            got[failed] = None
            todo = [n for n in todo if n not in got]
        return got

    parts = [list(names[i:i + chunk]) for i in range(0, len(names), chunk)]
    out: dict[str, str | None] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for res in pool.map(one, parts):
            out.update(res)
    return out


def tree_key(tree: str) -> str:
    """A key for the tree's content: its NAR hash (what Nix would name it by)."""
    from translator.store.nar import nar_hash

    return nar_hash(tree)[0].base32()
