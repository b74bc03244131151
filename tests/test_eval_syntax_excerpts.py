"""Whole error texts, byte for byte as Nix 2.8 writes them: syntax errors from ``nix2image parse``
against ``nix-instantiate --parse`` (files and ``-E`` text), and a few evaluation errors whose
messages or sources hold tabs, carriage returns or trailing blanks.

These pin Nix's excerpt rules that one renderer (:func:`translator.errors.code_block` and
:func:`translator.errors.render_message`) implements for every user-facing error: an
unterminated last line of a file is never shown, ``-E`` text ending in a newline has one more
(empty) line, the caret sits under the byte column, lines lose trailing whitespace, and tabs
expand to 8-column stops counted from the start of the message.
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import run_cli

#: file name -> malformed content (bytes as written)
FILES = {
    "semicolon.nix": "let\n  a = 1;\n  b = ;\nin a\n",
    "eof_no_newline.nix": "{ a = 1;",
    "eof_newline.nix": "{ a = 1;\n",
    "tab_indent.nix": "{\n\ta = ;\n}",
    "tabs_inside.nix": "x \t\t= ;\n",
    "utf8_column.nix": '{ "é" = 1; b = ;\n}\n',
    "crlf.nix": "{\r\n a = ;\r\n}\r\n",
    "blank_neighbours.nix": "{\n  \n a = ;\n   \n}\n",
    "first_line.nix": ") + 1\n",
    "last_line_unterminated.nix": "[\n1\n2 +",
    "next_line_unterminated.nix": "[\n1 ;\n]",
    "duplicate_attr.nix": "{\n  a = 1;\n  a = 2;\n}\n",
    "duplicate_formal.nix": "{ a, a }: a\n",
    "integer_overflow.nix": "99999999999999999999\n",
    "trailing_slash.nix": "a/b/ + 1\n",
    "unterminated_string.nix": '"abc\n',
    "unterminated_indented.nix": "''\n  abc\n",
    "unclosed_comment.nix": "/* never closed\n 1\n",
    "inherit_paren.nix": "let\n  inherit (x;\nin 1\n",
    "six_digit_line.nix": "\n" * 120000 + "1 +\n",
    "dynamic_attr.nix": '{ ${"a"} = 1; b = ${; }\n',
    "lambda_body.nix": "x: y: ;\n",
}

EXPRS = ["1 +", "[ 1\n ;\n", "[ 1\n", "{ a = 1; a = 2; }", "\t\tx = ;", "let in", "if 1 then 2", "\n\n\n)"]

#: evaluation errors: message with a tab and trailing blanks, tab-indented source
EVAL_EXPRS = ['throw "a\\tb  "', 'builtins.addErrorContext "ctx\\n  more" (throw "m\\nn")', '\tlet x = 1; in\n\tx + "s"', 'throw "x\\r\\ny"']


def _nix(nix, tmp_path, *args: str) -> bytes:
    proc = subprocess.run(["nix-instantiate", *args], capture_output=True, env=nix, cwd=tmp_path, timeout=300)
    assert proc.returncode != 0, proc.stdout
    return proc.stderr


def _ours(tmp_path, *args: str) -> bytes:
    proc = run_cli(*args, input=b"", cwd=tmp_path)
    assert proc.returncode != 0, proc.stdout
    assert b"Traceback" not in proc.stderr
    return proc.stderr


def test_enough_cases():
    assert len(FILES) + len(EXPRS) >= 20


@pytest.mark.parametrize("name", sorted(FILES))
def test_syntax_error_in_file_as_nix(name, nix, tmp_path):
    f = tmp_path / name
    f.write_bytes(FILES[name].encode())
    assert _ours(tmp_path, "parse", "--nix", str(f)) == _nix(nix, tmp_path, "--parse", str(f))


@pytest.mark.parametrize("expr", EXPRS)
def test_syntax_error_in_expr_as_nix(expr, nix, tmp_path):
    assert _ours(tmp_path, "parse", "--nix", "-E", expr) == _nix(nix, tmp_path, "--parse", "-E", expr)


@pytest.mark.parametrize("expr", EVAL_EXPRS)
def test_eval_error_text_as_nix(expr, nix, tmp_path):
    theirs = _nix(nix, tmp_path, "--eval", "--strict", "--show-trace", "-E", expr)
    assert _ours(tmp_path, "eval", "--strict", "-E", expr) == theirs
