"""``<nix/...>``: Nix 2.8's corepkgs. ``<nix/fetchurl.nix>`` (its only one, under
``/__corepkgs__/``) is built in; its derivations must hash as Nix's do, so the real nixpkgs tree
(whose stdenv bootstrap tools use it) gets Nix's drvPaths. Compared with ``nix-instantiate``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import need_conformance, need_tool, nix_env, run_cli

FETCHES = [
    '{ url = "http://example.org/x.tar.gz"; sha256 = "0000000000000000000000000000000000000000000000000000"; }',
    '{ url = "http://example.org/x"; hash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; unpack = true; }',
    '{ url = "http://example.org/y"; md5 = "00000000000000000000000000000000"; executable = true; name = "n"; }',
    '{ url = "http://example.org/z"; sha1 = "0000000000000000000000000000000000000000"; sha512 = "'
    + "0" * 128 + '"; system = "ignored"; }',
    '{ url = "ftp://example.org/w"; outputHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; outputHashAlgo = ""; }',
]
EXPRS = [
    "builtins.functionArgs (import <nix/fetchurl.nix>)",
    "<nix/fetchurl.nix>",
    "import <nix/nope.nix>",
    "builtins.findFile [ ] \"nix/fetchurl.nix\"",
] + [f"let d = import <nix/fetchurl.nix> {a}; in [ d.drvPath d.outPath d.name ]" for a in FETCHES]


def _nix(args: list[str], cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(["nix-instantiate", *args], capture_output=True, text=True, env=nix_env(), cwd=cwd)


@pytest.mark.nix
@pytest.mark.parametrize("expr", EXPRS)
def test_fetchurl_corepkg_as_nix(expr):
    need_tool("nix-instantiate")
    theirs = _nix(["--store", "dummy://", "--eval", "--strict", "-E", expr])
    mine = run_cli("eval", "--strict", "-E", expr)
    assert mine.returncode == theirs.returncode, mine.stderr
    assert mine.stdout == theirs.stdout
    if theirs.returncode:
        assert mine.stderr.splitlines()[0] == theirs.stderr.splitlines()[0]


@pytest.mark.nix
@pytest.mark.slow
def test_nixpkgs_bootstrap_drvpath_as_nix(tmp_path):
    """coreutils of the real nixpkgs tree: stdenv's bootstrap tools come from <nix/fetchurl.nix>,
    and its by-name package groups are imported from the store copy of a directory (which
    nix2image reads from the source it computed the store path of)."""
    need_tool("nix-instantiate")
    tree = Path(__file__).resolve().parents[1].parent / "shared" / "nixpkgs-core" / "tree"
    need_conformance(tree)
    expr = "(import ./. {}).coreutils.drvPath"
    # Nix copies the sources into a private store of its own (nothing global is touched)
    theirs = _nix(["--store", str(tmp_path / "store"), "--read-write-mode", "--eval", "-E", expr], cwd=tree)
    assert theirs.returncode == 0, theirs.stderr
    mine = run_cli("eval", "-E", expr, cwd=tree)
    assert mine.returncode == 0, mine.stderr[-2000:]
    assert mine.stdout == theirs.stdout


def test_reading_a_fetchurl_output_fails_clearly_offline():
    """Nix would download the file to read it (import from derivation); nix2image has no network
    and builds nothing while evaluating: the error names the URL and what to do instead."""
    expr = ('builtins.readFile (import <nix/fetchurl.nix> { url = "http://example.invalid/f"; '
            'sha256 = "0000000000000000000000000000000000000000000000000000"; })')
    proc = run_cli("eval", "-E", expr)
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert first.startswith("error: cannot read '/nix/store/") and "-f.drv'" in first
    assert "downloaded from 'http://example.invalid/f'" in first and "no network access" in first
    assert "Traceback" not in proc.stderr


def test_importing_an_unbuilt_output_names_the_derivation():
    proc = run_cli("eval", "-E", 'import "${derivation { name = "n"; builder = "/bin/sh"; system = "x"; }}/a.nix"')
    assert proc.returncode == 1
    assert "does not build derivations while evaluating (import from derivation)" in proc.stderr
