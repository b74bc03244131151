"""The modelled nixpkgs ``lib`` against nixpkgs' own ``lib/tests/misc.nix`` (324 tests).

The scratch layout is nixpkgs' (see ``../shared/nixpkgs-lib-tests/README.md``): ``scratch/lib`` is
a copy of ``translator/universe/nixpkgs/lib`` and ``scratch/lib/tests`` a copy of nixpkgs'
``lib/tests``, made in a temporary directory for each run. ``misc.nix`` ends in ``runTests { ... }``
and evaluates to the list of failing tests; both Nix 2.8 (``nix-instantiate``) and the installed
``nix2image eval`` evaluate it, and the two lists must be equal.

``misc.nix`` is all-or-nothing: one test that errors (rather than failing) aborts the whole list,
and a few tests need the module system (``evalModules``, ``types``, ``options``), which lives in
``lib/modules.nix``, ``lib/options.nix`` and ``lib/types.nix`` (written separately). So:

* ``test_misc_outside_module_system`` runs misc.nix without the module-system tests listed in
  ``MODULE_SYSTEM_TESTS`` (named one by one, plus every ``testTypeDescription*``): all pass under
  both tools.
* ``test_misc_whole_file`` runs misc.nix unchanged: at most 4 failing tests under each tool and
  the same list under both. While the module-system files are absent it is a strict xfail (it
  must fail then, and must pass once they exist).

With this lib all 300 tests outside the module system pass under both tools (no known failures).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, in_ci, nix_env, run_cli

LIB = ROOT / "translator" / "universe" / "nixpkgs" / "lib"
LIB_TESTS = SHARED / "nixpkgs-lib-tests" / "tests"

# Tests of misc.nix that exercise the module system (evalModules, types, options).
MODULE_SYSTEM_TESTS = [
    "testAttrsWithName",
    "testFreeformOptions",
    "testMergeTypesEnum",
    "testMergeTypesFail",
    "testMergeTypesSimple",
    "testShowOptionWithPlaceholder",
    "testTypeFunctionToPropagateFunctionArgs",
    "test: submodule definitions aren't unchecked when evaluating submodule documentation",
]
MODULE_SYSTEM_PREFIX = "testTypeDescription"

HAS_MODULE_SYSTEM = all((LIB / f).exists() for f in ("modules.nix", "options.nix", "types.nix"))


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """``tmp/lib`` (the modelled lib) with ``tmp/lib/tests`` (nixpkgs' lib tests) inside it."""
    if not (LIB_TESTS / "misc.nix").exists():
        msg = f"missing test data: {LIB_TESTS} (../shared/nixpkgs-lib-tests beside the project)"
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    shutil.copytree(LIB, tmp_path / "lib")
    shutil.copytree(LIB_TESTS, tmp_path / "lib" / "tests")
    for p in (tmp_path / "lib").rglob("*"):
        p.chmod(p.stat().st_mode | 0o200)
    return tmp_path


def _without_module_system(misc: Path) -> None:
    """Rewrite the copy of misc.nix so that runTests gets the tests minus MODULE_SYSTEM_TESTS."""
    text = misc.read_text()
    at = text.rindex("runTests {")
    names = " ".join(json.dumps(n) for n in MODULE_SYSTEM_TESTS)
    wrapper = ("(tests: runTests (builtins.removeAttrs tests ([ " + names + " ] ++ builtins.filter "
               f"(n: builtins.substring 0 {len(MODULE_SYSTEM_PREFIX)} n == \"{MODULE_SYSTEM_PREFIX}\") "
               "(builtins.attrNames tests)))) {")
    misc.write_text(text[:at] + wrapper + text[at + len("runTests {"):])


def _names_expr(misc: Path) -> str:
    # Only the names: a failing test's `result` may be a function, which JSON cannot show.
    return f"map (t: t.name) (import {misc})"


def _erroring_tests(misc: Path) -> list[str]:
    """When misc.nix as a whole errors: which tests error on their own (under nix-instantiate)."""
    text = misc.read_text()
    at = text.rindex("runTests {")
    single = misc.with_name("misc-each.nix")
    single.write_text(text[:at] + "(x: x) {" + text[at + len("runTests {"):])
    names = json.loads(_nix(f"builtins.attrNames (import {single})").stdout)
    bad = []
    for n in names:
        if not n.startswith("test"):
            continue
        r = _nix(f"let t = (import {single}).{json.dumps(n)}; in t.expr == t.expected")
        if r.returncode != 0:
            bad.append(f"{n}: {r.stderr.strip().splitlines()[0] if r.stderr.strip() else '?'}")
    return bad


def _nix(expr: str) -> subprocess.CompletedProcess:
    return subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json",
                           "-E", expr], capture_output=True, text=True, env=nix_env(), timeout=600)


def _failing_under_both(misc: Path, diagnose: bool = True) -> tuple[list[str], list[str]]:
    """The failing test names of misc.nix under nix-instantiate and under nix2image eval; when
    Nix cannot evaluate the file, the failure names the tests that error (if ``diagnose``)."""
    expr = _names_expr(misc)
    by_nix = _nix(expr)
    if by_nix.returncode != 0:
        erroring = "\n".join(_erroring_tests(misc)) if diagnose else "(not looked for)"
        pytest.fail("nix-instantiate could not evaluate misc.nix:\n" + by_nix.stderr[-2000:]
                    + "\ntests that error:\n" + erroring)
    by_n2i = run_cli("eval", "--strict", "--json", "-E", expr)
    assert by_n2i.returncode == 0, "nix2image could not evaluate misc.nix:\n" + by_n2i.stderr[-2000:]
    return json.loads(by_nix.stdout), json.loads(by_n2i.stdout)


@pytest.mark.nix
@pytest.mark.slow
def test_misc_outside_module_system(nix, scratch):
    misc = scratch / "lib" / "tests" / "misc.nix"
    _without_module_system(misc)
    failing_nix, failing_n2i = _failing_under_both(misc)
    assert failing_nix == [], f"failing under nix-instantiate: {failing_nix}"
    assert failing_n2i == [], f"failing under nix2image: {failing_n2i}"


@pytest.mark.nix
@pytest.mark.slow
@pytest.mark.xfail(not HAS_MODULE_SYSTEM, strict=True,
                   reason="lib/modules.nix, options.nix and types.nix are not in the modelled lib yet")
def test_misc_whole_file(nix, scratch):
    misc = scratch / "lib" / "tests" / "misc.nix"
    failing_nix, failing_n2i = _failing_under_both(misc, diagnose=HAS_MODULE_SYSTEM)
    assert len(failing_nix) <= 4, f"failing under nix-instantiate: {failing_nix}"
    assert failing_n2i == failing_nix
