"""Shared test fixtures.

External tools (Nix, skopeo, umoci, podman, ...) are real: a test that needs one asks for it with
:func:`need_tool`. In CI (``CI=true``) a missing tool *fails* the test; on a developer machine it
skips with the reason, so that a partial machine can still run the rest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CONFORMANCE = SHARED / "conformance"

NIX_CONFIG = "build-users-group =\nsubstituters =\nsandbox = false\nexperimental-features = nix-command"

# nix2image's caches (parsed files, layers, blob maps, binary-cache contents) live under
# $XDG_CACHE_HOME: one fresh directory per test session, so what a test prints never depends on
# what earlier runs on the machine left there (tests needing their own set it per command).
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="nix2image-test-cache-")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need_tool(*names: str) -> None:
    """Fail (in CI) or skip (elsewhere) unless every named executable is on PATH."""
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        msg = f"missing external tool(s): {', '.join(missing)}"
        if in_ci():
            pytest.fail(msg + " (CI must install them: see .ci/run)")
        pytest.skip(msg)


def need_conformance(path: Path) -> None:
    """Fail (in CI) or skip (elsewhere) unless the shared conformance data ``path`` exists."""
    if not path.exists():
        msg = f"missing conformance data: {path} (../shared/conformance beside the project)"
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)


def nix_env() -> dict[str, str]:
    """The environment for running Nix commands here: no network, no build users, no sandbox."""
    env = dict(os.environ)
    env["NIX_CONFIG"] = NIX_CONFIG
    return env


@pytest.fixture
def nix() -> dict[str, str]:
    """Require Nix and return the environment to run it with."""
    need_tool("nix-instantiate", "nix-build", "nix-store")
    return nix_env()


def nix2image_exe() -> str:
    """The installed command: next to the running Python (a venv) first, then on PATH."""
    beside = Path(sys.executable).parent / "nix2image"
    exe = str(beside) if beside.exists() else shutil.which("nix2image")
    if exe is None:
        pytest.fail("the nix2image command is not installed (pip install '.[test]')")
    return exe


def run_cli(*args: str, input: str | bytes | None = None, cwd: str | Path | None = None,
            env: dict[str, str] | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """Run the installed ``nix2image`` command as a user would; returns the completed process (text)."""
    proc = subprocess.run([nix2image_exe(), *args], input=input, cwd=cwd, env=env,
                          capture_output=True, text=not isinstance(input, bytes), timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"nix2image {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


@pytest.fixture
def cli():
    """The installed command line: ``cli('eval', '-E', '1 + 1')``."""
    return run_cli
