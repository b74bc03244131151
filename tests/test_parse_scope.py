"""Scope errors at parse time, as Nix 2.8 reports them: Nix binds variables while parsing, so
``x: y`` is ``undefined variable 'y'`` already for ``nix-instantiate --parse``, for every command
that reads Nix, and for ``--arg`` text; ``with`` makes the names under it dynamic (no error until
evaluation looks them up). Each case is compared with ``nix-instantiate``: exit status and the
whole error report, byte for byte.
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import need_tool, nix_env, run_cli

PARSE_CASES = [
    "x: y",
    "let a = 1; in b",
    "{ inherit x; }",
    "rec { a = b; }",
    "{ a = b; }",
    "{ x ? y }: x",
    "let f = { a ? b }: a; in f",
    "x:\n  let\n    y = z;\n  in y",
    "[ 1 (a: b) ]",
    "\"${q}\"",
    "if c then 1 else 2",
    "assert q; 1",
    "{ a.${n} = 1; }",
    "let inherit (s) a; in a",
    "rec { a = 1; b = a; }.c or d",
    # ``with`` makes names dynamic: these parse
    "with {}; x: y",
    "with import ./x.nix; a b c",
    "x: with x; y",
    "{ a ? with {}; b }: a",
    # the global names Nix binds
    "[ true false null builtins import map toString __nixPath __currentSystem abort throw ]",
    "rec { a = a; }",
    "let a = a; in a",
]


def _nix(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["nix-instantiate", *args], input=stdin, capture_output=True, text=True, env=nix_env())


def _ours_parse(expr: str) -> tuple[int, str, str]:
    """What ``nix2image parse --nix -E EXPR`` does, in-process: (exit status, stdout, stderr)."""
    from translator.errors import UserError, register_source
    from translator.nix.ast_dump import to_nix_parse_format
    from translator.nix.evaluator import check_bindings
    from translator.nix.parser import parse_string

    register_source("«string»", expr)
    try:
        tree = parse_string(expr, "«string»")
        check_bindings(tree)
    except UserError as err:
        return 1, "", str(err) + "\n"
    return 0, to_nix_parse_format(tree) + "\n", ""


@pytest.mark.nix
@pytest.mark.parametrize("expr", PARSE_CASES)
def test_parse_binds_like_nix(expr):
    need_tool("nix-instantiate")
    theirs = _nix("--parse", "-E", expr)
    mine = _ours_parse(expr)
    assert mine[0] == theirs.returncode, mine[2]
    if theirs.returncode:
        assert mine[2] == theirs.stderr
    else:
        assert mine[1] == theirs.stdout


@pytest.mark.nix
@pytest.mark.parametrize("expr", ["x: y", "with {}; x: y"])
def test_parse_command_binds_like_nix(expr):
    need_tool("nix-instantiate")
    theirs = _nix("--parse", "-E", expr)
    mine = run_cli("parse", "--nix", "-E", expr)
    assert mine.returncode == theirs.returncode
    assert (mine.stdout, mine.stderr) == (theirs.stdout, theirs.stderr)


@pytest.mark.nix
def test_parse_stdin_reports_stdin_position():
    need_tool("nix-instantiate")
    src = "let\n  f = x: x + y;\nin f 1\n"
    theirs = _nix("--parse", "-", stdin=src)
    mine = run_cli("parse", "-", input=src)
    assert theirs.returncode == 1 and mine.returncode == 1
    assert mine.stderr == theirs.stderr
    assert "«stdin»:2:14" in mine.stderr


@pytest.mark.nix
def test_unevaluated_branch_still_fails(tmp_path):
    """Nix never evaluates the `else` branch, but binding the file fails first."""
    need_tool("nix-instantiate")
    f = tmp_path / "a.nix"
    f.write_text("if true then 1 else (x: y)\n")
    theirs = _nix("--eval", str(f))
    for cmd in (("eval", str(f)), ("parse", str(f))):
        mine = run_cli(*cmd)
        assert mine.returncode == theirs.returncode == 1
        assert mine.stderr == theirs.stderr


@pytest.mark.nix
def test_arg_text_is_bound_when_given():
    """``--arg NAME EXPR`` text is parsed (and bound) before evaluation, even when unused."""
    need_tool("nix-instantiate")
    theirs = _nix("--eval", "--arg", "foo", "zz", "-E", "1")
    mine = run_cli("eval", "--arg", "foo", "zz", "-E", "1")
    assert theirs.returncode == mine.returncode == 1
    assert mine.stderr == theirs.stderr
