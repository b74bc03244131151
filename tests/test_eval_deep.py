"""Deep but finite programs evaluate through the installed ``nix2image eval`` (never a Python
RecursionError, segfault or traceback); an unbounded recursion fails like Nix does."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli


def _eval(tmp_path, text: str, *extra: str):
    f = tmp_path / "deep.nix"
    f.write_text(text, encoding="utf-8")
    proc = run_cli("eval", *extra, str(f))
    assert "Traceback" not in proc.stderr
    assert "RecursionError" not in proc.stderr
    return proc


def _ok(tmp_path, text: str, *extra: str) -> str:
    proc = _eval(tmp_path, text, *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_list_of_10000_elements(tmp_path):
    out = _ok(tmp_path, "[ " + " ".join(str(i) for i in range(10000)) + " ]\n", "--strict", "--json")
    assert json.loads(out) == list(range(10000))


def test_attrs_nested_1000_deep(tmp_path):
    out = _ok(tmp_path, "{ a = " * 1000 + "1" + "; }" * 1000 + "\n", "--strict")
    assert out == "{ a = " * 1000 + "1" + "; }" * 1000 + "\n"


def test_lists_nested_1000_deep_json(tmp_path):
    out = _ok(tmp_path, "[ " * 1000 + "1" + " ]" * 1000 + "\n", "--strict", "--json")
    assert out == "[" * 1000 + "1" + "]" * 1000


def test_parentheses_and_lets_nested_1000_deep(tmp_path):
    assert _ok(tmp_path, "(" * 1000 + "1" + ")" * 1000 + "\n") == "1\n"
    assert _ok(tmp_path, "".join(f"let a{i} = {i}; in " for i in range(1000)) + "a0 + a999\n") == "999\n"


def test_function_recursing_10000_times(tmp_path):
    out = _ok(tmp_path, "let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 10000\n")
    assert out == "10000\n"


def test_lazy_chain_10000_thunks(tmp_path):
    """A value that depends on a chain of 10,000 unevaluated thunks (forced all at once)."""
    text = "let xs = builtins.genList (i: i) 10000; go = i: if i == 10000 then 0 else builtins.elemAt xs i + go (i + 1); in go 0\n"
    assert _ok(tmp_path, text) == f"{sum(range(10000))}\n"


def test_sum_of_10000_terms(tmp_path):
    assert _ok(tmp_path, " + ".join(["1"] * 10000) + "\n") == "10000\n"


@pytest.mark.slow
def test_foldl_over_a_million_elements(tmp_path):
    text = "builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 1000000)\n"
    assert _ok(tmp_path, text) == f"{sum(range(1000000))}\n"


def test_deeply_nested_result_printed_strict(tmp_path):
    """A 5,000-deep structure built by a fold prints without recursion trouble."""
    text = "builtins.foldl' (acc: x: { inner = acc; }) 0 (builtins.genList (x: x) 5000)\n"
    out = _ok(tmp_path, text, "--strict")
    assert out == "{ inner = " * 5000 + "0" + "; }" * 5000 + "\n"


def test_unbounded_recursion_is_a_nix_error(tmp_path):
    proc = _eval(tmp_path, "let f = n: 1 + f (n + 1); in f 0\n")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: stack overflow (possible infinite recursion)")


def test_infinite_recursion_is_detected(tmp_path):
    proc = _eval(tmp_path, "let x = { a = x.b; b = x.a; }; in x.a\n")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: infinite recursion encountered")
    assert "deep.nix:1:" in proc.stderr
