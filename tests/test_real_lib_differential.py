"""nixpkgs' own lib tests on the REAL nixpkgs lib (``tests/test_lib_modules.py`` runs them on the
modelled lib), differentially: with ``nix2image`` standing in for ``nix-instantiate``
(``tests/nix_standin/nix-instantiate`` maps the flags the scripts use), ``lib/tests/modules.sh``
must pass and fail exactly the checks that Nix 2.8 passes and fails on the same lib, and
``lib/tests/misc.nix`` must have Nix's outcome.

The lib is the real nixpkgs lib of ``../shared/nixpkgs-core/tree`` (mid-2024) with the lib tests
of ``../shared/nixpkgs-lib-tests`` laid out beside it as ``lib/tests`` in a scratch directory (the
tests are third-party data: copied to a temporary directory, never into the project). Nix 2.8
does not pass all of them on that lib (newer tests, older lib): the target is Nix's own outcome,
check by check (``TEST FAILED at modules.sh:LINE``).

modules.sh starts ``nix-instantiate`` about 350 times; the stand-in sends each run to one
long-lived nix2image (``tests/nix_standin/server.py``: imported and warmed once, a forked child
per run). Outside CI a fixed sample of its checks runs (every 12th check; the others are turned
into no-ops, keeping line numbers), in CI all of them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import in_ci, need_conformance, need_tool, nix_env, run_cli

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL_LIB = SHARED / "nixpkgs-core" / "tree" / "lib"
LIB_TESTS = SHARED / "nixpkgs-lib-tests" / "tests"
STANDIN = Path(__file__).resolve().parent / "nix_standin"
SAMPLE_EVERY = 12


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """``scratch/lib``: the real lib's files (linked) and a copy of the lib tests as ``tests``."""
    need_conformance(REAL_LIB)
    need_conformance(LIB_TESTS)
    lib = tmp_path_factory.mktemp("nixpkgs") / "lib"
    lib.mkdir()
    for entry in REAL_LIB.iterdir():
        if entry.name != "tests":
            (lib / entry.name).symlink_to(entry)
    shutil.copytree(LIB_TESTS, lib / "tests", symlinks=True)
    for p in [lib / "tests", *(lib / "tests").rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode | 0o200)
    return lib


def sampled(script: str, every: int) -> str:
    """modules.sh with all but every ``every``-th check statement (one line, or lines joined by
    a trailing backslash; ``VAR=1 check...`` too) made no-ops (``:``), so that line numbers
    (which name failed checks) stay those of the full script."""
    out: list[str] = []
    n, in_check, keep, continued = 0, False, True, False
    for line in script.split("\n"):
        if not continued:
            in_check = re.match(r"([A-Z_]+=\S+ )*check\w+ ", line) is not None
            if in_check:
                keep = n % every == 0
                n += 1
        continued = line.rstrip().endswith("\\")
        out.append(":" if in_check and not keep else line)
    return "\n".join(out)


@pytest.fixture(scope="module")
def standin(tmp_path_factory, scratch):
    """The environment that puts the stand-in first on PATH, talking to a warmed server."""
    sock = tmp_path_factory.mktemp("standin") / "s.sock"
    server = subprocess.Popen([sys.executable, str(STANDIN / "server.py"), str(sock), str(scratch)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        env = nix_env()
        env.update(PATH=f"{STANDIN}{os.pathsep}{env['PATH']}", NIX2IMAGE_STANDIN=str(sock),
                   NIX2IMAGE_STANDIN_PYTHON=sys.executable)
        yield env
    finally:
        sock.unlink(missing_ok=True)
        server.terminate()
        server.wait(30)


def _outcome(proc: subprocess.CompletedProcess) -> tuple[int, int, list[int]]:
    m = re.search(r"(\d+) Pass\n(\d+) Fail", proc.stdout)
    assert m, proc.stdout[-3000:] + proc.stderr[-3000:]
    failed = sorted(int(x) for x in re.findall(r"TEST FAILED\S* at \S*modules\.sh:(\d+)", proc.stdout))
    return int(m.group(1)), int(m.group(2)), failed


@pytest.mark.nix
@pytest.mark.slow
def test_modules_sh_checks_as_nix(scratch, standin, tmp_path):
    need_tool("nix-instantiate")
    script = scratch / "tests" / "modules.sh"
    if not in_ci():
        sample = scratch / "tests" / "modules-sample.sh"
        sample.write_text(sampled(script.read_text(), SAMPLE_EVERY))
        script = sample
    started = time.monotonic()
    nix = subprocess.Popen(["bash", str(script)], env=nix_env(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    ours = subprocess.run(["bash", str(script)], env=standin, capture_output=True, text=True, timeout=3600)
    nix_out, nix_err = nix.communicate(timeout=3600)
    theirs = subprocess.CompletedProcess(nix.args, nix.returncode, nix_out, nix_err)
    p_nix, f_nix, failed_nix = _outcome(theirs)
    p_ours, f_ours, failed_ours = _outcome(ours)
    print(f"modules.sh ({script.name}): Nix {p_nix} Pass / {f_nix} Fail; nix2image {p_ours} Pass / "
          f"{f_ours} Fail; {time.monotonic() - started:.0f}s")
    assert p_nix + f_nix >= (300 if in_ci() else 20)
    only_ours = sorted(set(failed_ours) - set(failed_nix))
    only_nix = sorted(set(failed_nix) - set(failed_ours))
    assert (only_ours, only_nix) == ([], []), (
        f"checks (modules.sh lines) failing only with nix2image: {only_ours}; only with Nix: {only_nix}")
    assert (p_ours, f_ours) == (p_nix, f_nix)


@pytest.mark.nix
@pytest.mark.slow
def test_misc_nix_outcome_as_nix(scratch):
    need_tool("nix-instantiate")
    misc = scratch / "tests" / "misc.nix"
    theirs = subprocess.run(["nix-instantiate", "--eval", "--strict", str(misc)], env=nix_env(),
                            capture_output=True, text=True, timeout=1200)
    mine = run_cli("eval", "--strict", str(misc))
    assert mine.returncode == theirs.returncode, mine.stderr[-3000:]
    if theirs.returncode == 0:
        assert mine.stdout == theirs.stdout
    else:
        first = [ln for ln in theirs.stderr.splitlines() if ln.startswith("error")][0]
        assert first in mine.stderr, mine.stderr[-3000:]


def test_sample_keeps_line_numbers():
    text = ("a\ncheckConfigOutput x y\ncheckConfigError p \\\n  q\nNIX_X=1 checkConfigError z\n"
            "checkX w \\\n  v\n")
    out = sampled(text, 2)
    assert out.count("\n") == text.count("\n")
    assert out.split("\n") == ["a", "checkConfigOutput x y", ":", ":", "NIX_X=1 checkConfigError z",
                               ":", ":", ""]
