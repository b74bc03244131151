"""The evaluator compiles function bodies and thunks only when they first run, after one walk
that binds every variable of the file (as Nix's parser does). These cases compare whole
``nix2image eval`` runs with ``nix-instantiate``: undefined variables anywhere in a file are
still reported before evaluation (the same one of several, where Nix's choice does not depend
on its symbol table's memory order), and code compiled late behaves as code compiled early.
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import need_tool, nix_env, run_cli

UNDEFINED = [
    "rec { b = x1; a = x2; }",
    "let b = x1; a = x2; in x3",
    "f: (g: y1) (h: y2)",
    "{ a ? x1, b ? x2 }: x3",
    "[ (x: y1) y2 ]",
    "if true then 1 else (x: c3)",
    "a1.${a2} or a3",
    "{ ${d1} = d2; z = d3; }",
    "x: let f = y: z1; in { a = f z2; }",
    "let g = x: with x; y; in g { y = 1; } + q",
    "\"${s1} ${s2}\"",
    "rec { inherit x1; a = x2; }",
    "let inherit (s1) a b; in s2",
    "x: x.${y1} ? z",
    "let f = { a ? b, b ? c }: a; in 1",
]

VALUES = [
    "let f = x: { a = x; b = x + 1; }; in map f [ 1 2 3 ]",
    "let xs = builtins.genList (i: { v = i * 2; w = xs; }) 3; in map (x: x.v) xs",
    "rec { a = b + 1; b = 2; c = [ a b ]; d = { e = a; }; }",
    "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 15",
    "builtins.functionArgs ({ a, b ? 1, ... }: a)",
    "let f = { a, b ? a + 1 }@args: [ a b (builtins.attrNames args) ]; in [ (f { a = 1; }) (f { a = 2; b = 0; }) ]",
    "(rec { a = 1; b = a; __overrides = { a = 5; }; }).b",
    "let s = { x = 1; }; in with s; let f = y: x + y; in [ (f 1) (f 2) ]",
    "builtins.tryEval (let f = x: throw \"no\"; in f 1)",
    "let mk = n: { inherit n; next = mk (n + 1); }; in (mk 0).next.next.next.n",
]


def _nix(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(["nix-instantiate", "--eval", *args], capture_output=True, text=True, env=nix_env(), cwd=cwd)


@pytest.mark.nix
@pytest.mark.parametrize("expr", UNDEFINED)
def test_undefined_variable_reported_before_evaluation(expr):
    need_tool("nix-instantiate")
    theirs = _nix("-E", expr)
    mine = run_cli("eval", "-E", expr)
    assert theirs.returncode == mine.returncode == 1
    assert mine.stderr == theirs.stderr


@pytest.mark.nix
@pytest.mark.parametrize("expr", VALUES)
def test_late_compiled_code_evaluates_as_nix(expr):
    need_tool("nix-instantiate")
    theirs = _nix("--strict", "--json", "-E", expr)
    mine = run_cli("eval", "--strict", "--json", "-E", expr)
    assert theirs.returncode == 0, theirs.stderr
    assert (mine.returncode, mine.stdout) == (0, theirs.stdout), mine.stderr


@pytest.mark.nix
def test_error_inside_late_compiled_function_has_nix_position():
    need_tool("nix-instantiate")
    expr = "let\n  f = x:\n    x + \"a\";\nin f 1"
    theirs = _nix("--show-trace", "-E", expr)
    mine = run_cli("eval", "-E", expr)
    assert theirs.returncode == mine.returncode == 1
    assert mine.stderr == theirs.stderr


@pytest.mark.nix
def test_one_file_under_two_scoped_imports(tmp_path):
    """``scopedImport`` binds the same file's variables against another scope each time."""
    need_tool("nix-instantiate")
    (tmp_path / "x.nix").write_text("y: { sum = y + z; f = w: w * z; }\n")
    expr = "let a = scopedImport { z = 1; } ./x.nix 1; b = scopedImport { z = 10; } ./x.nix 1; in [ a.sum (a.f 2) b.sum (b.f 2) ]"
    theirs = _nix("--strict", "--json", "-E", expr, cwd=tmp_path)
    mine = run_cli("eval", "--strict", "--json", "-E", expr, cwd=tmp_path)
    assert theirs.returncode == 0, theirs.stderr
    assert (mine.returncode, mine.stdout) == (0, theirs.stdout), mine.stderr
    assert theirs.stdout.strip() == "[2,2,11,20]"


@pytest.mark.nix
def test_undefined_variable_in_imported_file_is_found_at_import(tmp_path):
    """A file whose never-called function names an unbound variable fails when imported."""
    need_tool("nix-instantiate")
    (tmp_path / "lib.nix").write_text("{\n  used = 1;\n  unused = x: { deep = [ (y: nowhere) ]; };\n}\n")
    expr = "(import ./lib.nix).used"
    theirs = _nix("-E", expr, cwd=tmp_path)
    mine = run_cli("eval", "-E", expr, cwd=tmp_path)
    assert theirs.returncode == mine.returncode == 1
    assert mine.stderr == theirs.stderr
    assert "undefined variable 'nowhere'" in mine.stderr
