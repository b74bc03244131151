"""``nix2image parse`` as users run it: readable tree, JSON, Nix's --parse text, clean errors."""

from __future__ import annotations

import json
import subprocess


def test_parse_file_readable(cli, tmp_path):
    f = tmp_path / "x.nix"
    f.write_text("let f = { a, b ? 2 }: a + b; in f { a = 1; }\n")
    proc = cli("parse", str(f))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("(Let@1:1")
    assert '(Lambda@1:9 name="f" {a, b?}' in proc.stdout
    assert "(BinOp@1:23 +" in proc.stdout


def test_parse_json(cli, tmp_path):
    f = tmp_path / "x.nix"
    f.write_text('{ a = [ 1 "s" ./p ]; }')
    proc = cli("parse", str(f), "--json")
    assert proc.returncode == 0, proc.stderr
    tree = json.loads(proc.stdout)
    assert tree["type"] == "Attrs" and tree["pos"] == {"file": str(f), "line": 1, "col": 1}
    items = tree["attrs"]["a"]["expr"]["items"]
    assert [i["type"] for i in items] == ["Int", "Str", "Path"]
    assert items[2]["value"] == str(tmp_path / "p")
    assert items[1]["pos"] == {"file": str(f), "line": 1, "col": 11}


def test_parse_expr_nix_format_matches_nix(cli, nix, tmp_path):
    src = 'x: { a = x.b or [ 1 2 ]; c = -x * 2; d = "${x}y"; }'
    proc = cli("parse", "--nix", "-E", src, cwd=tmp_path)
    ref = subprocess.run(["nix-instantiate", "--parse", "-E", src], capture_output=True, text=True,
                         env=nix, cwd=tmp_path)
    assert proc.returncode == 0 and ref.returncode == 0
    assert proc.stdout == ref.stdout


def test_parse_syntax_error_exits_1_with_position(cli, tmp_path):
    f = tmp_path / "bad.nix"
    f.write_text("{\n  a = 1\n}\n")
    proc = cli("parse", str(f))
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: syntax error, unexpected '}', expecting ';'")
    assert f"at {f}:3:1" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_parse_expr_error_shows_caret(cli):
    proc = cli("parse", "-E", "[ 1 2 ")
    assert proc.returncode == 1
    assert "unexpected end of file" in proc.stderr and "at «string»:1:6" in proc.stderr
    assert "[ 1 2" in proc.stderr and "^" in proc.stderr


def test_parse_usage_errors(cli, tmp_path):
    proc = cli("parse")
    assert proc.returncode != 0 and "error:" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("parse", str(tmp_path / "missing.nix"))
    assert proc.returncode == 1 and "missing.nix" in proc.stderr and "Traceback" not in proc.stderr


def test_parse_stdin(cli):
    proc = cli("parse", "--nix", "-", input="1 + 2\n")
    assert proc.returncode == 0 and proc.stdout == "(1 + 2)\n"


def test_parse_non_utf8_source_bytes_round_trip(cli, nix, tmp_path):
    f = tmp_path / "latin1.nix"
    f.write_bytes(b'{ a = "\xff\xfe x"; b = 1; }')
    proc = cli("parse", "--nix", str(f), input=b"")  # bytes in, bytes out
    ref = subprocess.run(["nix-instantiate", "--parse", str(f)], capture_output=True, env=nix)
    assert proc.returncode == 0 and ref.returncode == 0
    assert proc.stdout == ref.stdout
