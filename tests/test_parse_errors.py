"""Syntax and parse-time errors: for every malformed input both ``nix-instantiate --parse`` and our
parser fail, with the same first line (``error: syntax error, unexpected X, expecting Y``...) and
the same ``at «string»:LINE:COL``; the CLI shows them without a traceback."""

from __future__ import annotations

import re
import subprocess

import pytest

from parser_cases import REJECTED
from translator.nix.parser import NixSyntaxError, parse_string

_AT = re.compile(r"at «string»:(\d+):(\d+)")


def test_enough_cases():
    assert len(REJECTED) >= 40


@pytest.mark.parametrize("src", REJECTED)
def test_rejected_like_nix(src, nix, tmp_path):
    proc = subprocess.run(["nix-instantiate", "--parse", "-E", src], capture_output=True, text=True,
                          env=nix, cwd=tmp_path, timeout=120)
    assert proc.returncode != 0, f"Nix accepted {src!r}: {proc.stdout}"
    with pytest.raises(NixSyntaxError) as err:
        parse_string(src, base_dir=str(tmp_path))
    ours = str(err.value)
    assert ours.split("\n")[0] == proc.stderr.split("\n")[0]
    nix_at = _AT.search(proc.stderr)
    assert nix_at is not None, proc.stderr
    assert _AT.search(ours).groups() == nix_at.groups()


def test_error_in_file_like_nix(nix, tmp_path):
    f = tmp_path / "bad.nix"
    f.write_text("{\n  a = 1;\n  b = [ 1 2 ;\n}\n")
    proc = subprocess.run(["nix-instantiate", "--parse", str(f)], capture_output=True, text=True, env=nix, timeout=120)
    assert proc.returncode != 0
    with pytest.raises(NixSyntaxError) as err:
        from translator.nix.parser import parse_file

        parse_file(str(f))
    assert str(err.value).split("\n")[0] == proc.stderr.split("\n")[0]
    assert f"at {f}:3:13" in proc.stderr and f"at {f}:3:13" in str(err.value)
