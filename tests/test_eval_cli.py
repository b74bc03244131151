"""The ``nix2image eval`` command line against ``nix-instantiate --eval``: files, ``-A`` paths,
``--arg``/``--argstr`` auto-calling, ``-I`` and ``NIX_PATH`` search paths, ``--system``, and
errors (exit 1, Nix's message, no traceback)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import nix2image_exe, nix_env, need_tool, run_cli

TOP = """{ pkgs ? { hello = "hi"; }, name ? "world", n ? 1 }:
{
  greeting = "${pkgs.hello} ${name}";
  twice = n * 2;
  items = [ { v = 1; } { v = 2; } { v = n; } ];
  nested.deeper.value = name + "!";
  fn = { a ? 1 }: { result = a + n; };
}
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "top.nix").write_text(TOP)
    lib = tmp_path / "sp" / "mylib"
    lib.mkdir(parents=True)
    (lib / "default.nix").write_text('{ answer = 42; }\n')
    (tmp_path / "uses-sp.nix").write_text("(import <mylib>).answer + (import <sp2/mylib>).answer\n")
    (tmp_path / "syntax.nix").write_text("{\n  a = 1;\n  b = ;\n}\n")
    (tmp_path / "bad.nix").write_text('let\n  f = x: x + "s";\nin\n  { r = f 1; }\n')
    return tmp_path


def both(project, *args: str, env_extra: dict[str, str] | None = None):
    """Run nix-instantiate --eval and nix2image eval with the same arguments in ``project``."""
    need_tool("nix-instantiate")
    env = nix_env()
    env.pop("NIX_PATH", None)
    env.update(env_extra or {})
    nix = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", *args], cwd=project, env=env,
                         capture_output=True, text=True, timeout=120)
    mine = run_cli("eval", *args, cwd=project, env=env)
    assert "Traceback" not in mine.stderr
    return nix, mine


@pytest.mark.nix
@pytest.mark.parametrize("args", [
    ["top.nix"],
    ["--strict", "top.nix", "--arg", "n", "5"],
    ["--strict", "top.nix", "--argstr", "name", "nix"],
    ["--strict", "--json", "top.nix", "-A", "greeting", "--arg", "pkgs", "{ hello = \"hey\"; }"],
    ["top.nix", "-A", "twice", "--arg", "n", "21"],
    ["--strict", "top.nix", "-A", "items.2", "--arg", "n", "7"],
    ["top.nix", "-A", "items.1.v"],
    ["top.nix", "-A", "nested.deeper.value", "--argstr", "name", "x"],
    ["--strict", "top.nix", "-A", "fn", "--arg", "a", "10"],
    ["--json", "--strict", "top.nix", "-A", "greeting", "-A", "twice"],
    ["-E", "{ a ? 1 }: a"],
    ["-E", "{ a ? 1 }: a", "--arg", "a", "3"],
    ["-E", "{ a ? 1, ... }@args: args", "--arg", "b", "2", "--strict"],
], ids=lambda a: " ".join(a))
def test_eval_cli_like_nix(project, args):
    nix, mine = both(project, *args)
    assert nix.returncode == 0, nix.stderr
    assert (mine.returncode, mine.stdout) == (0, nix.stdout), mine.stderr


@pytest.mark.nix
@pytest.mark.parametrize("text, args", [
    ("1 + 2", []),
    ("{ a = { b = [ 1 ./foo ]; }; }", ["--strict", "-A", "a.b"]),
    ("{ x ? 1 }: { y = x * 2; }", ["--strict", "--arg", "x", "4"]),
    ('[ __curPos (builtins.unsafeGetAttrPos "a" { a = 1; }) ]', ["--strict", "--json"]),
    ("1 +\n  x", []),  # undefined variable: Nix's «stdin» position and excerpt
    ('let f = a: a + "s";\nin\n  f 1', []),  # an evaluation error with a trace through a lambda
    ("{\n  a = ;\n}", []),  # a syntax error
], ids=["value", "attr", "autocall", "positions", "undefined", "trace", "syntax"])
def test_expression_from_stdin_like_nix(project, text, args):
    """``-`` as FILE reads the expression from standard input, as ``nix-instantiate`` does:
    positions name «stdin», relative paths resolve against the current directory."""
    need_tool("nix-instantiate")
    env = nix_env()
    env.pop("NIX_PATH", None)
    nix = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--show-trace", "-", *args],
                         input=text, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    mine = run_cli("eval", "--show-trace", "-", *args, input=text, cwd=project, env=env)
    assert (mine.returncode, mine.stdout, mine.stderr) == (nix.returncode, nix.stdout, nix.stderr)


@pytest.mark.nix
def test_search_path_from_I_and_NIX_PATH(project):
    sp = str(project / "sp")
    nix, mine = both(project, "uses-sp.nix", "-I", f"mylib={sp}/mylib", env_extra={"NIX_PATH": f"sp2={sp}"})
    assert nix.returncode == 0, nix.stderr
    assert (mine.returncode, mine.stdout) == (0, nix.stdout) == (0, "84\n")
    nix, mine = both(project, "-E", "<sp2/mylib>", "-I", sp, "-I", f"sp2={sp}")
    assert (mine.returncode, mine.stdout) == (0, nix.stdout)


@pytest.mark.nix
def test_missing_search_path_entry_error(project):
    nix, mine = both(project, "-E", "import <nowhere>")
    assert nix.returncode != 0 and mine.returncode == 1
    assert mine.stderr.splitlines()[0] == nix.stderr.splitlines()[0] == \
        "error: file 'nowhere' was not found in the Nix search path (add it using $NIX_PATH or -I)"


@pytest.mark.nix
@pytest.mark.parametrize("args,first", [
    (["top.nix", "-A", "nope"], "error: attribute 'nope' in selection path 'nope' not found"),
    (["top.nix", "-A", "items.9"], "error: list index 9 in selection path 'items.9' is out of range"),
    (["top.nix", "-A", "twice.x"], "error: the expression selected by the selection path 'twice.x' should be a set but is an integer"),
    (["-E", "{ a }: a", "--arg", "b", "1"], "error: cannot evaluate a function that has an argument without a value ('a')"),
])
def test_cli_selection_errors(project, args, first):
    nix, mine = both(project, *args)
    assert nix.returncode != 0 and mine.returncode == 1
    assert nix.stderr.splitlines()[0] == first
    assert mine.stderr.splitlines()[0] == first


@pytest.mark.nix
def test_eval_error_in_file_names_position_and_trace(project):
    nix, mine = both(project, "--strict", "bad.nix")
    assert nix.returncode != 0 and mine.returncode == 1
    lines = mine.stderr.splitlines()
    assert lines[0] == "error: cannot add a string to an integer" == nix.stderr.splitlines()[0]
    assert f"at {project}/bad.nix:2:14:" in mine.stderr
    assert f"at {project}/bad.nix:2:14:" in nix.stderr
    assert "… while evaluating 'f'" in mine.stderr
    assert "… while evaluating the attribute 'r'" in mine.stderr
    assert "     2|   f = x: x + \"s\";" in mine.stderr


@pytest.mark.nix
def test_syntax_error_exits_1_with_position(project):
    nix, mine = both(project, "syntax.nix")
    assert nix.returncode != 0 and mine.returncode == 1
    assert mine.stderr.startswith("error: syntax error")
    assert f"at {project}/syntax.nix:3:7:" in nix.stderr
    assert f"at {project}/syntax.nix:3:7:" in mine.stderr


def test_system_option(project):
    out = run_cli("eval", "-E", "builtins.currentSystem", "--system", "aarch64-linux", cwd=project)
    assert (out.returncode, out.stdout) == (0, '"aarch64-linux"\n')
    out = run_cli("eval", "-E", "builtins.currentSystem", cwd=project)
    assert (out.returncode, out.stdout) == (0, '"x86_64-linux"\n')


def test_missing_file_is_a_clear_error(project):
    out = run_cli("eval", "nope.nix", cwd=project)
    assert out.returncode == 1
    assert "nope.nix" in out.stderr and "Traceback" not in out.stderr


def test_json_has_no_trailing_newline_like_nix(project):
    out = run_cli("eval", "--json", "-E", "[ 1 ]", cwd=project)
    assert (out.returncode, out.stdout) == (0, "[1]")


def test_file_and_expr_together_is_a_usage_error(project):
    out = run_cli("eval", "top.nix", "-E", "1", cwd=project)
    assert out.returncode != 0
    assert "either FILE or -E" in out.stderr


def test_same_output_independent_of_hash_seed(project):
    outs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = run_cli("eval", "--strict", "top.nix", "--arg", "n", "3", cwd=project, env=env)
        assert out.returncode == 0, out.stderr
        outs.add(out.stdout)
    assert len(outs) == 1


def test_search_path_nix_fallback_and_warning_like_nix(nix, tmp_path):
    """``<nix/...>`` falls back to corepkgs and a missing ``-I`` entry is warned about, as in Nix."""
    args = ["--strict", "-I", "/nonexistent-entry", "-E", "map toString [ <nix/fetchurl.nix> ]"]
    theirs = subprocess.run(["nix-instantiate", "--eval", *args], capture_output=True, text=True, env=nix,
                            cwd=tmp_path, timeout=120)
    ours = run_cli("eval", *args, cwd=tmp_path)
    assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr)
    assert "/__corepkgs__/fetchurl.nix" in ours.stdout and "does not exist, ignoring" in ours.stderr


def test_evaluator_find_file_is_findfile(tmp_path):
    """The evaluator's own lookup is builtins.findFile's (prefix entries, corepkgs fallback)."""
    from translator.nix.evaluator import Evaluator

    (tmp_path / "f.nix").write_text("1")
    ev = Evaluator([f"foo={tmp_path}"], nix_path_env=False)
    assert ev.find_file("foo/f.nix", None) == str(tmp_path / "f.nix")
    assert ev.find_file("nix/fetchurl.nix", None) == "/__corepkgs__/fetchurl.nix"


def test_quick_exit_keeps_output_exit_codes_and_exit_handlers(tmp_path):
    """The command ends with ``os._exit`` once it is done (translator.entry.run): everything
    written is still delivered through a pipe, exit codes are kept, and the exit handlers run
    (here the parse cache's sweep, which marks itself with ``.swept``)."""
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), NIX2IMAGE_AST_CACHE_MB="0.000001")
    f = tmp_path / "big.nix"
    f.write_text('builtins.genList (i: "item number ${toString i}") 50000\n')
    proc = subprocess.run([nix2image_exe(), "eval", "--strict", "--json", str(f)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)
    assert len(items) == 50000 and items[-1] == "item number 49999"
    assert (tmp_path / "cache" / "nix2image" / "ast" / ".swept").exists()  # the atexit sweep ran
    assert not list((tmp_path / "cache" / "nix2image" / "ast").rglob("*.ast"))  # beyond the bound
    bad = run_cli("eval", "-E", 'throw "no"', env=env)
    assert bad.returncode == 1 and "error: no" in bad.stderr and "Traceback" not in bad.stderr
    usage = run_cli("eval", "--no-such-option", env=env)
    assert usage.returncode == 2 and "No such option" in usage.stderr
