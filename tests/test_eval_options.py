"""``nix2image eval`` without click (translator.entry, translator.commands.eval_options): a plain
command line is read exactly as click reads it, anything else is left to click, and the installed
command really runs such a line without importing click."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import nix2image_exe, run_cli
from translator.cli import main
from translator.commands.eval_options import parse_plain
from translator.entry import failure_code
from translator.errors import UsageError

TOKENS = ["-E", "--expr", "-A", "--attr", "--arg", "--argstr", "-I", "--strict", "--json", "--system",
          "--show-trace", "--no-show-trace", "--restrict-eval", "--pure-eval", "--max-memory",
          "--eval-timeout", "--help", "-h", "--", "-", "x", "a.b", "1 + 1", "", "-1", "--expr=1", "-E1",
          "--str", "--js", "file.nix", "NAME", "64M", "2.5", "-AI", "--debug"]

PLAIN = [
    [],
    ["-E", "1 + 1"],
    ["--expr", "{ a = 1; }", "--strict", "--json"],
    ["file.nix", "-A", "a.b", "-A", "c", "--arg", "x", "1", "--argstr", "y", "two"],
    ["-I", "nixpkgs=/tmp", "-I", "/p", "--system", "aarch64-linux", "-E", "x"],
    ["--no-show-trace", "--show-trace", "--no-show-trace", "-E", "1"],
    ["--restrict-eval", "--pure-eval", "default.nix"],
    ["-E", "1", "-E", "2"],  # the last one wins, as in click
    ["-", "--json"],
    ["", "-E", ""],
]


def click_params(argv: list[str]) -> dict | None:
    """What click gives ``nix2image eval ARGV``'s command, or None where click refuses it."""
    command = main.get_command(None, "eval")  # type: ignore[arg-type]
    try:
        ctx = command.make_context("eval", list(argv))
    except (click.exceptions.Exit, click.ClickException):
        return None
    return ctx.params


@pytest.mark.parametrize("argv", PLAIN, ids=lambda a: " ".join(a) or "(none)")
def test_plain_lines_are_read_as_click_reads_them(argv):
    mine = parse_plain(argv)
    assert mine is not None, "a plain line is read without click"
    assert mine == click_params(argv)


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["--max-memory", "1G"], ["--eval-timeout", "3"],
                                  ["--expr=1"], ["-E1"], ["--", "x"], ["a", "b"], ["-E"], ["--arg", "x"],
                                  ["-E", "-1"], ["--js"], ["--debug", "-E", "1"]])
def test_anything_else_is_left_to_click(argv):
    assert parse_plain(argv) is None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=8))
def test_generated_lines_agree_with_click(argv):
    mine = parse_plain(argv)
    if mine is not None:
        assert mine == click_params(argv)


def test_installed_eval_runs_without_click():
    """The point of the quick path: an ``eval`` process never imports click (which with what it
    imports cost a quarter of a short evaluation); ``--help`` still goes to click. (Run twice:
    the first run, with an empty cache, builds the parser's tables with lark, which imports more.)"""
    run_cli("eval", "-E", "1", check=True)
    for _ in range(2):  # the second run finds the -E text's tree in the parse cache
        proc = subprocess.run([sys.executable, "-X", "importtime", nix2image_exe(), "eval", "--strict", "--json",
                               "-E", "{ a = [ 1 ]; }"], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == '{"a":[1]}'
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "translator.nix.evaluator" in imported
    assert not {m for m in imported if m == "click" or m.startswith("click.")}
    assert not {"dataclasses", "inspect", "typing"} & imported  # (type hints are read by type checkers only)
    assert not {"translator.nix.lexer", "translator.nix.parser"} & imported  # nothing to parse
    helped = run_cli("eval", "--help")
    assert helped.returncode == 0 and "Usage: nix2image eval [OPTIONS] [FILE]" in helped.stdout


def test_quick_path_errors_as_click_path(tmp_path):
    """The same evaluation error, read by the quick path and (with a token only click reads)
    by click, gives the same message and exit code."""
    quick = run_cli("eval", "-E", "{ a = 1; }.b")
    by_click = run_cli("eval", "--expr={ a = 1; }.b")
    assert quick.returncode == by_click.returncode == 1
    assert quick.stderr == by_click.stderr and "attribute 'b' missing" in quick.stderr
    both = run_cli("eval", "f.nix", "-E", "1", cwd=tmp_path)
    assert both.returncode == 1 and both.stderr.startswith("error: give either FILE or -E EXPR")


@pytest.mark.parametrize("err, debug, code, shown", [
    (UsageError("give either FILE or -E EXPR"), False, 1, "error: give either FILE or -E EXPR\n"),
    (UsageError("error: bad"), True, None, ""),
    (ValueError("x"), False, 2, "error: internal error: ValueError: x\n(run with --debug for a traceback)\n"),
    (ValueError("x"), True, None, ""),
    (RecursionError(), False, 1, "error: stack overflow (possible infinite recursion)\n"),
    (KeyboardInterrupt(), True, 130, "error: interrupted\n"),
    (BrokenPipeError(), False, 1, ""),
    (SystemExit(3), False, None, ""),
])
def test_failure_report_shared_by_both_paths(capsys, err, debug, code, shown):
    """translator.entry.failure_code: what the quick path and click's group both report."""
    assert failure_code(err, debug) == code
    assert capsys.readouterr().err == shown


def test_version_answered_without_click_as_click_answers_it():
    """``nix2image --version`` prints what click's version option prints, without importing
    click (or anything beyond the interpreter's start-up and the package itself)."""
    from click.testing import CliRunner

    expected = CliRunner().invoke(main, ["--version"], prog_name="nix2image")
    assert expected.exit_code == 0
    proc = subprocess.run([sys.executable, "-X", "importtime", nix2image_exe(), "--version"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout == expected.output
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "translator" in imported
    assert not {m for m in imported if m.split(".")[0] in ("click", "typing", "dataclasses")}
