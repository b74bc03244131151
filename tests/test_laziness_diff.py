"""Laziness, differentially: every case in ``tests/nixcases/laziness_cases.nixcases`` is built so
that forcing one value more than Nix 2.8 does would throw or recurse forever (``lazy-*``), or that
forcing less than Nix would succeed where Nix fails (``strict-*``, ``scope-*``). Each is evaluated
with ``--strict`` by ``nix-instantiate`` and by our evaluator: the printed result, or the error
message, must be the same. Covers ``?``/``hasAttr``, ``//``, the attribute-set and list builtins,
``tryEval``/``seq``/``deepSeq``, the type predicates, ``==`` (element by element, stopping at
the first difference; the same value cell equal to itself as in Nix's ``eqValues``),
interpolation, ``with``, ``inherit (e)``, ``rec``, ``let``, pattern defaults and ``@``-patterns.
"""

from __future__ import annotations

import concurrent.futures as cf

import pytest

from conftest import need_tool, nix_env, run_cli
from nixcases import FILES, SEARCH_PATH, error_summary, load_cases, nix_eval

CASES = load_cases("laziness_cases.nixcases")


@pytest.fixture(scope="module")
def nix_results():
    """Nix's (exit code, stdout, stderr) for every case, two processes at a time."""
    need_tool("nix-instantiate")
    env = nix_env()
    with cf.ThreadPoolExecutor(2) as pool:
        futures = {name: pool.submit(nix_eval, expr, json=False, env=env) for name, expr in CASES}
        yield {name: f.result() for name, f in futures.items()}


@pytest.fixture(scope="module")
def ours_results():
    """Our evaluator in-process, as ``nix2image eval --strict`` runs it."""
    import os

    from translator.commands.nix_cmds import evaluate_for_cli
    from translator.errors import UserError
    from translator.nix.evaluator import run_deep, to_user_error
    from translator.nix.values import EvalError

    old = os.getcwd()
    saved = os.environ.pop("NIX_PATH", None)
    os.chdir(FILES)
    out: dict[str, tuple[int, str, str]] = {}
    try:
        for name, expr in CASES:
            try:
                text = run_deep(lambda: evaluate_for_cli(
                    file=None, expr=expr, attr_paths=(), args=(), argstrs=(), include=(SEARCH_PATH,),
                    strict=True, as_json=False, system=None))
                out[name] = (0, text, "")
            except EvalError as err:
                out[name] = (1, "", str(to_user_error(err)))
            except UserError as err:
                out[name] = (1, "", str(err))
    finally:
        os.chdir(old)
        if saved is not None:
            os.environ["NIX_PATH"] = saved
    return out


def test_family_size_and_kinds():
    names = [n for n, _ in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 80
    assert sum(n.startswith("lazy-") for n in names) >= 80


@pytest.mark.nix
@pytest.mark.parametrize("name", [n for n, _ in CASES])
def test_forces_what_nix_forces(name, nix_results, ours_results):
    rc, out, err = nix_results[name]
    mine = ours_results[name]
    if name.startswith("lazy-"):
        assert rc == 0, f"{name}: a lazy- case must succeed in Nix: {error_summary(err)[0]}"
    else:
        assert rc != 0, f"{name}: a strict-/scope- case must fail in Nix, it printed {out!r}"
    if rc == 0:
        assert mine[0] == 0, f"{name}: Nix printed {out!r}, we failed: {error_summary(mine[2])[0]}"
        assert mine[1] == out
    else:
        assert mine[0] != 0, f"{name}: Nix failed ({error_summary(err)[0]}), we printed {mine[1]!r}"
        assert error_summary(mine[2])[0] == error_summary(err)[0]


ISSUE_EXAMPLES = [
    ("let s = { a = 1; b = throw \"b\"; }; in s ? b", "true\n"),
    ("let fix = f: let x = f x; in x; in fix (x: { a = if x ? a then \"a\" else \"b\"; })", '{ a = "a"; }\n'),
]


@pytest.mark.parametrize("expr,expected", ISSUE_EXAMPLES)
def test_issue_examples_through_the_command(expr, expected):
    proc = run_cli("eval", "--strict", "-E", expr)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected
