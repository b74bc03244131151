"""Importing a file under a store path the evaluation computed but never copied ("${./dir}/a.nix",
a ``builtins.toFile``): the file is read from its local source (or the text), named by its store
path. Against nix-instantiate (which copies it): the values, ``__curPos`` and
``unsafeGetAttrPos`` name the store file (not its text), and an error's excerpt comes from it."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from conftest import run_cli

CASES = {
    "dir": ('let m = import "${./d}/a.nix"; in [ m.v m.p.file m.p.line m.p.column m.q.file ]', None),
    "dir-default": ('let m = import "${./d}"; in [ m.w m.here.file ]', None),
    "relative-inside": ('(import "${./d}/a.nix").r', None),
    "file": ('let m = import "${./d/a.nix}"; in [ m.v m.p.file ]', None),
    "tofile": ('let m = import (builtins.toFile "t.nix" "{ p = __curPos; x = 1; } # ${toString ./d}"); '
               'in [ m.x m.p.file m.p.line ]', None),
    "error": ('(import "${./d}/a.nix").e', "boom"),
}


@pytest.fixture
def tree(tmp_path):
    """Files whose store paths no earlier run made (nix-instantiate, run after nix2image, copies
    them into the real store; a path already there would be read as it is, not computed)."""
    d = tmp_path / "d"
    d.mkdir()
    unique = f"# {uuid.uuid4()}\n"
    (d / "a.nix").write_text('{ v = 1; p = __curPos;\n  q = builtins.unsafeGetAttrPos "x" { x = 1; };\n'
                             '  r = import ./b.nix;\n  e = throw "boom"; }\n' + unique)
    (d / "b.nix").write_text('"from b"\n' + unique)
    (d / "default.nix").write_text('{ w = 2; here = __curPos; }\n' + unique)
    return tmp_path


@pytest.mark.parametrize("case", sorted(CASES))
def test_like_nix(tree, case, nix):
    expr, error = CASES[case]
    ours = run_cli("eval", "--strict", "-E", expr, cwd=tree)
    theirs = subprocess.run(["nix-instantiate", "--eval", "--strict", "--read-write-mode", "--show-trace", "-E", expr],
                            cwd=tree, env=nix, capture_output=True, text=True, timeout=120)
    if error is None:
        assert theirs.returncode == 0, theirs.stderr
        assert (ours.returncode, ours.stdout) == (0, theirs.stdout)
    else:
        assert ours.returncode == 1 and theirs.returncode == 1
        assert error in ours.stderr and error in theirs.stderr
        at = [ln for ln in theirs.stderr.splitlines() if "-d/a.nix:" in ln]  # the store file, named as such
        excerpt = [ln for ln in theirs.stderr.splitlines() if ln.lstrip().startswith(("3|", "4|", "5|"))]
        assert at and excerpt, theirs.stderr
        assert all(ln in ours.stderr.splitlines() for ln in at + excerpt), (ours.stderr, theirs.stderr)
