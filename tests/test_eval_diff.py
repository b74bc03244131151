"""Differential tests: every case in ``tests/nixcases/*.nixcases`` is evaluated by our evaluator
and by ``nix-instantiate --store dummy:// --eval --strict [--json]``; outputs must be identical
(JSON text, and Nix's printed format byte for byte). Error cases must fail in both with the same
message and the same ``at FILE:LINE:COL``.

Nix's outputs are computed once per test session (two at a time, in the background); the bulk of
our side runs in-process, a representative subset through the installed ``nix2image`` command.
"""

from __future__ import annotations

import concurrent.futures as cf
import os

import pytest

from conftest import need_tool, nix_env, run_cli
from nixcases import FILES, SEARCH_PATH, error_summary, load_cases, nix_eval

EVAL_CASES = load_cases("eval_cases.nixcases")
ERROR_CASES = load_cases("error_cases.nixcases")
NONSTRICT_CASES = [c for c in EVAL_CASES if c[0].startswith("lazy-") or c[0] in {
    "attrs-basic", "list-basic", "list-elements-are-exprs", "apply-to-attrs-lambda-printed", "lambda-in-list",
    "attrs-with-lambda-printed", "nested-data", "attrs-repeated-print", "inherit-in-attrs", "rec-attrs",
    "nested-let-in-attrs", "attrs-nested-path", "update", "import-file", "primop-printed", "list-lazy-element",
}]


class NixOutputs:
    """nix-instantiate results, computed lazily in a two-worker pool and kept for the session."""

    def __init__(self) -> None:
        self.env = nix_env()
        self.pool = cf.ThreadPoolExecutor(2)
        self.futures: dict[tuple, cf.Future] = {}
        self.started = False

    def _start(self) -> None:
        self.started = True
        for cases, modes in ((EVAL_CASES, ((True, True), (False, True))),
                             (ERROR_CASES, ((False, True),)),
                             (NONSTRICT_CASES, ((False, False),))):
            for _name, expr in cases:
                for json, strict in modes:
                    self.get_future(expr, json, strict)

    def get_future(self, expr: str, json: bool, strict: bool) -> cf.Future:
        key = (expr, json, strict)
        f = self.futures.get(key)
        if f is None:
            f = self.futures[key] = self.pool.submit(nix_eval, expr, json=json, strict=strict, env=self.env)
        return f

    def __call__(self, expr: str, json: bool, strict: bool = True) -> tuple[int, str, str]:
        if not self.started:
            self._start()
        return self.get_future(expr, json, strict).result()


@pytest.fixture(scope="session")
def nix_out():
    need_tool("nix-instantiate")
    outs = NixOutputs()
    yield outs
    outs.pool.shutdown(cancel_futures=True)


@pytest.fixture
def ours(monkeypatch):
    """Our evaluator in-process, as ``nix2image eval`` runs it: (exit code, stdout, stderr)."""
    from translator.commands.nix_cmds import evaluate_for_cli
    from translator.errors import UserError
    from translator.nix.evaluator import run_deep, to_user_error
    from translator.nix.values import EvalError

    monkeypatch.chdir(FILES)
    monkeypatch.delenv("NIX_PATH", raising=False)

    def run(expr: str, json: bool, strict: bool = True) -> tuple[int, str, str]:
        try:
            out = run_deep(lambda: evaluate_for_cli(
                file=None, expr=expr, attr_paths=(), args=(), argstrs=(), include=(SEARCH_PATH,),
                strict=strict, as_json=json, system=None))
        except EvalError as err:
            return 1, "", str(to_user_error(err))
        except UserError as err:
            return 1, "", str(err)
        return 0, out, ""
    return run


def _check_same(name: str, mine: tuple[int, str, str], theirs: tuple[int, str, str]) -> None:
    rc, out, err = theirs
    if rc == 0:
        assert mine[0] == 0, f"{name}: nix succeeded with {out!r} but we failed:\n{mine[2]}"
        assert mine[1] == out, f"{name}: output differs"
    else:
        assert mine[0] != 0, f"{name}: nix failed ({error_summary(err)[0]}) but we printed {mine[1]!r}"
        assert error_summary(mine[2])[0] == error_summary(err)[0], f"{name}: error message differs"


@pytest.mark.nix
@pytest.mark.parametrize("name,expr", EVAL_CASES, ids=[c[0] for c in EVAL_CASES])
def test_eval_json_matches_nix(name, expr, nix_out, ours):
    _check_same(name, ours(expr, True), nix_out(expr, True))


@pytest.mark.nix
@pytest.mark.parametrize("name,expr", EVAL_CASES, ids=[c[0] for c in EVAL_CASES])
def test_eval_printed_matches_nix(name, expr, nix_out, ours):
    _check_same(name, ours(expr, False), nix_out(expr, False))


@pytest.mark.nix
@pytest.mark.parametrize("name,expr", NONSTRICT_CASES, ids=[c[0] for c in NONSTRICT_CASES])
def test_eval_printed_lazy_matches_nix(name, expr, nix_out, ours):
    """Without --strict, unevaluated parts print as <CODE> exactly where Nix prints them."""
    _check_same(name, ours(expr, False, strict=False), nix_out(expr, False, strict=False))


def _is_syntax_error(first_line: str) -> bool:
    return first_line.startswith("error: syntax error")


@pytest.mark.nix
@pytest.mark.parametrize("name,expr", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_matches_nix(name, expr, nix_out, ours):
    rc, _out, err = nix_out(expr, False)
    assert rc != 0, f"{name}: nix did not fail"
    mine = ours(expr, False)
    assert mine[0] != 0, f"{name}: nix failed ({error_summary(err)[0]}) but we printed {mine[1]!r}"
    assert "Traceback" not in mine[2]
    nix_first, nix_at = error_summary(err)
    my_first, my_at = error_summary(mine[2])
    if _is_syntax_error(nix_first):
        assert my_first.startswith("error: syntax error") or my_first.startswith("error:"), my_first
    else:
        assert my_first == nix_first, f"{name}: error message differs"
    assert my_at == nix_at, f"{name}: error position differs"


CLI_EVAL = EVAL_CASES[::12]
CLI_ERRORS = ERROR_CASES[::6]


@pytest.mark.nix
@pytest.mark.parametrize("name,expr", CLI_EVAL, ids=[c[0] for c in CLI_EVAL])
def test_cli_eval_matches_nix(name, expr, nix_out):
    """The installed command, JSON and printed output, byte for byte."""
    env = dict(os.environ)
    env.pop("NIX_PATH", None)
    for json in (True, False):
        args = ["eval", "--strict", "-I", SEARCH_PATH] + (["--json"] if json else []) + ["-E", expr]
        proc = run_cli(*args, cwd=FILES, env=env)
        mine = (proc.returncode, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        _check_same(name, mine, nix_out(expr, json))


@pytest.mark.nix
@pytest.mark.parametrize("name,expr", CLI_ERRORS, ids=[c[0] for c in CLI_ERRORS])
def test_cli_error_matches_nix(name, expr, nix_out):
    env = dict(os.environ)
    env.pop("NIX_PATH", None)
    proc = run_cli("eval", "--strict", "-I", SEARCH_PATH, "-E", expr, cwd=FILES, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    _rc, _out, err = nix_out(expr, False)
    assert error_summary(proc.stderr)[1] == error_summary(err)[1]


def test_case_counts():
    """The suite is as large as promised: 300+ value cases and 60+ error cases."""
    assert len(EVAL_CASES) >= 300
    assert len(ERROR_CASES) >= 60
    assert len({n for n, _ in EVAL_CASES + ERROR_CASES}) == len(EVAL_CASES) + len(ERROR_CASES)


TRACE_CASES = [c for c in ERROR_CASES if c[0] in {
    "add-bool-to-int", "error-trace-function", "error-inside-called-lambda", "error-in-nested-attr-strict",
    "select-missing-suggest", "missing-argument-named", "unexpected-argument-named", "assert-in-function",
    "infinite-recursion-rec", "div-by-zero-nested", "curried-add-string", "curried-lambda-inherits-name",
    "method-style-call-missing-attr", "rec-nested-cycle", "interp-set", "throw-deep",
    "map-delayed-call-has-no-call-site", "genlist-delayed-call-has-no-call-site",
    "mapattrs-delayed-call-has-no-call-site", "zipattrswith-delayed-call-has-no-call-site",
    "map-non-function-no-position", "rec-overrides-not-a-set", "rec-overrides-throws",
    "tojson-function-trace", "tojson-primop-in-list-trace", "tojson-partial-primop-nested-trace",
}]


@pytest.mark.nix
@pytest.mark.parametrize("name,expr", TRACE_CASES, ids=[c[0] for c in TRACE_CASES])
def test_error_report_with_trace_is_nix_show_trace(name, expr, ours):
    """The whole error report (message, excerpt, every trace entry) is byte for byte what
    ``nix-instantiate --show-trace`` prints."""
    need_tool("nix-instantiate")
    env = nix_env()
    env.pop("NIX_PATH", None)
    import subprocess

    proc = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--show-trace",
                           "-I", SEARCH_PATH, "-E", expr], cwd=FILES, env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    mine = ours(expr, False)
    assert mine[0] == 1
    assert mine[2].rstrip("\n") == proc.stderr.rstrip("\n")


def test_error_report_in_files_with_trace(tmp_path, nix):
    """Errors inside imported files: positions, excerpts with context lines and traces as Nix."""
    import subprocess

    (tmp_path / "lib.nix").write_text("{\n  g = n: if n > 0 then n + \"x\" else 0;\n}\n")
    (tmp_path / "main.nix").write_text("let\n  lib = import ./lib.nix;\nin {\n  x = { y = lib.g 3; };\n}\n")
    proc = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--show-trace", "main.nix"],
                          cwd=tmp_path, env=nix, capture_output=True, text=True)
    mine = run_cli("eval", "--strict", "main.nix", cwd=tmp_path)
    assert proc.returncode != 0 and mine.returncode == 1
    assert mine.stderr == proc.stderr
