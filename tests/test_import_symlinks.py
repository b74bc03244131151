"""``import`` follows a symbolic link to the file (or directory) it names, as Nix 2.8's
``resolveExprPath`` does, so that relative paths in the file resolve where it really is (a lib
laid out as links to another tree reads its siblings from that tree). Compared with Nix."""

from __future__ import annotations

import subprocess

import pytest

from conftest import need_tool, nix_env, run_cli


@pytest.mark.nix
def test_import_through_symlinks_as_nix(tmp_path):
    need_tool("nix-instantiate")
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.nix").write_text("{ here = ./.; b = import ./b.nix; }\n")
    (real / "b.nix").write_text('"real b"\n')
    (real / "bad.nix").write_text("{ x = 1 + \"s\"; }.x\n")
    view = tmp_path / "view"
    view.mkdir()
    (view / "b.nix").write_text('"view b"\n')
    (view / "a.nix").symlink_to("../real/a.nix")
    (view / "bad.nix").symlink_to(real / "bad.nix")
    (view / "sub").symlink_to(real)
    (tmp_path / "main.nix").write_text(
        "[ (import ./view/a.nix) (import ./view/sub) ]\n".replace("./view/sub", "./view/sub/a.nix"))
    for args in (["--strict", "main.nix"], ["--strict", "-E", "import ./view/bad.nix"]):
        theirs = subprocess.run(["nix-instantiate", "--eval", *args], cwd=tmp_path, env=nix_env(),
                                capture_output=True, text=True)
        mine = run_cli("eval", *args, cwd=tmp_path)
        assert mine.returncode == theirs.returncode, mine.stderr
        assert mine.stdout == theirs.stdout
        if theirs.returncode:
            assert mine.stderr.split("\n")[:3] == theirs.stderr.split("\n")[:3]
