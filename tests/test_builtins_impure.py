"""Impure builtins through the installed command: the environment, the clock, --system, and the
fetchers' offline error."""

from __future__ import annotations

import os
import time

import pytest

from conftest import run_cli


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def test_getenv_reads_the_environment():
    proc = run_cli("eval", "-E", 'builtins.getEnv "N2I_GETENV_PROBE"', env=_env(N2I_GETENV_PROBE="hello there"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == '"hello there"\n'


def test_current_time_is_the_clock():
    before = int(time.time())
    proc = run_cli("eval", "-E", "builtins.currentTime")
    after = int(time.time())
    assert proc.returncode == 0, proc.stderr
    assert before <= int(proc.stdout) <= after


def test_current_time_is_constant_within_an_evaluation():
    proc = run_cli("eval", "-E", "let t = builtins.currentTime; in builtins.seq (builtins.genList (x: x) 100000) (t == builtins.currentTime)")
    assert proc.stdout == "true\n", proc.stderr


@pytest.mark.parametrize("system", ["x86_64-linux", "aarch64-linux"])
def test_current_system_follows_the_option(system):
    args = ["eval", "-E", "builtins.currentSystem"]
    if system != "x86_64-linux":
        args[1:1] = ["--system", system]
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f'"{system}"\n'


@pytest.mark.parametrize("expr,name,what", [
    ('builtins.fetchurl "https://example.org/a.tar.gz"', "fetchurl", "https://example.org/a.tar.gz"),
    ('builtins.fetchurl { url = "https://example.org/b"; sha256 = "0000000000000000000000000000000000000000000000000000"; }',
     "fetchurl", "https://example.org/b"),
    ('fetchTarball "https://example.org/c.tar.gz"', "fetchTarball", "https://example.org/c.tar.gz"),
    ('builtins.fetchGit { url = "https://example.org/d.git"; rev = "abc"; }', "fetchGit", "https://example.org/d.git"),
    ('fetchMercurial "https://example.org/e"', "fetchMercurial", "https://example.org/e"),
    ('builtins.fetchTree { type = "github"; owner = "o"; repo = "r"; }', "fetchTree", "github"),
])
def test_fetchers_fail_clearly_offline(expr, name, what):
    proc = run_cli("eval", "-E", f"let x = {expr}; in x")
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert first.startswith(f"error: 'builtins.{name}' cannot fetch '{what}'")
    assert "--bind" in first and "--catalog" in first
    assert "at «string»:1:9:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_fetcher_is_lazy():
    """Only forcing the fetch fails: an unused fetch is fine, as in Nix."""
    proc = run_cli("eval", "-E", 'let x = builtins.fetchurl "https://example.org/a"; in 1')
    assert proc.returncode == 0 and proc.stdout == "1\n"


@pytest.mark.nix
def test_to_file_result_is_readable_without_writing_the_store(tmp_path):
    """``import``, ``readFile`` and ``pathExists`` of a ``builtins.toFile`` path: Nix writes the
    file into its store first; nix2image never writes the store and reads the text it computed.
    (modules.sh's import-from-store check passed only when a Nix run had written the file.)"""
    import secrets
    import subprocess

    from conftest import need_tool, nix_env, run_cli

    need_tool("nix-instantiate")
    n = secrets.randbelow(10**12)  # a file no earlier run can have left in /nix/store
    expr = (f'let f = builtins.toFile "tofile-{n}.nix" "{{ a = 1 + {n}; }}"; in '
            "[ (import f).a (builtins.readFile f) (builtins.pathExists f) ]")
    ours = run_cli("eval", "--strict", "-E", expr)
    nix = subprocess.run(["nix-instantiate", "--store", str(tmp_path / "store"), "--read-write-mode", "--eval",
                          "--strict", "-E", expr], env=nix_env(), capture_output=True, text=True, timeout=120)
    assert nix.returncode == 0, nix.stderr
    assert (ours.returncode, ours.stdout) == (0, nix.stdout), ours.stderr
