"""Nix 2.8's own language tests (``tests/lang`` of Nix's source), run as its ``tests/lang.sh``
runs them, with ``nix2image`` in place of ``nix-instantiate``:

* ``parse-fail-*``: ``parse -`` (the file on standard input) must fail; with Nix at hand the whole
  error report must be Nix's, byte for byte;
* ``parse-okay-*``: ``parse -`` must succeed;
* ``eval-fail-*``: ``eval FILE`` must fail;
* ``eval-okay-*`` with an ``.exp``: ``NIX_PATH=lang/dir3:lang/dir4 eval $(cat .flags) --strict
  lang/NAME.nix`` from the directory holding ``lang/``, with ``TEST_VAR=foo``, prints the ``.exp``.

The files are Nix's (third-party): never copied into this project. ``.ci/run`` fetches Debian's
source package of Nix and passes the directory as ``NIX_LANG_TESTS`` (the ``tests/lang`` folder);
without it the tests skip, in CI they fail. Commands run in-process through the real click command
(``CliRunner``), so the ~100 cases take seconds, not a process start each.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import in_ci, nix_env

LANG = Path(os.environ["NIX_LANG_TESTS"]) if os.environ.get("NIX_LANG_TESTS") else None


def _names(pattern: str) -> list[str]:
    if LANG is None or not LANG.is_dir():
        return []
    return sorted(p.stem for p in LANG.glob(pattern))


PARSE_FAIL = _names("parse-fail-*.nix")
PARSE_OKAY = _names("parse-okay-*.nix")
EVAL_FAIL = _names("eval-fail-*.nix")
EVAL_OKAY = [n for n in _names("eval-okay-*.nix") if (LANG / f"{n}.exp").exists()] if LANG else []


def _need_lang() -> Path:
    if LANG is None or not LANG.is_dir():
        msg = f"Nix 2.8's lang tests not found (NIX_LANG_TESTS={os.environ.get('NIX_LANG_TESTS')!r})"
        if in_ci():
            pytest.fail(msg + ": .ci/run fetches them with apt-get source nix")
        pytest.skip(msg)
    return LANG


def _run(args: list[str], *, input: bytes | None = None, env: dict[str, str] | None = None):
    from translator.cli import main

    return CliRunner().invoke(main, args, input=input, env=env, catch_exceptions=False)


@pytest.fixture
def in_tests_dir(monkeypatch):
    lang = _need_lang()
    monkeypatch.chdir(lang.parent)
    monkeypatch.delenv("NIX_PATH", raising=False)
    return lang


def test_the_suite_is_all_there():
    _need_lang()
    assert (len(PARSE_FAIL), len(EVAL_OKAY)) == (13, 92)  # 2.8 has 93 .exp: eval-okay-hash.exp has no .nix
    assert len(PARSE_OKAY) >= 10 and len(EVAL_FAIL) >= 15


@pytest.mark.parametrize("name", PARSE_FAIL)
def test_parse_fail(name, in_tests_dir):
    src = (in_tests_dir / f"{name}.nix").read_bytes()
    res = _run(["parse", "-"], input=src)
    assert res.exit_code == 1, res.stdout
    assert "Traceback" not in res.stderr and res.stderr.startswith("error: ")
    try:
        nix = subprocess.run(["nix-instantiate", "--parse", "-"], input=src, capture_output=True, env=nix_env())
    except FileNotFoundError:
        return
    assert nix.returncode == 1
    assert res.stderr == nix.stderr.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("name", PARSE_OKAY)
def test_parse_okay(name, in_tests_dir):
    res = _run(["parse", "-"], input=(in_tests_dir / f"{name}.nix").read_bytes())
    assert res.exit_code == 0, res.stderr


@pytest.mark.parametrize("name", EVAL_FAIL)
def test_eval_fail(name, in_tests_dir):
    res = _run(["eval", f"lang/{name}.nix"], env={"TEST_VAR": "foo", "NIX_REMOTE": "dummy://"})
    assert res.exit_code != 0, res.stdout
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr


@pytest.mark.parametrize("name", EVAL_OKAY)
def test_eval_okay(name, in_tests_dir):
    flags_file = in_tests_dir / f"{name}.flags"
    flags = shlex.split(flags_file.read_text()) if flags_file.exists() else []
    res = _run(["eval", *flags, "--strict", f"lang/{name}.nix"],
               env={"TEST_VAR": "foo", "NIX_REMOTE": "dummy://", "NIX_PATH": "lang/dir3:lang/dir4"})
    assert res.exit_code == 0, res.stderr
    assert res.stdout_bytes == (in_tests_dir / f"{name}.exp").read_bytes()
