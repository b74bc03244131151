"""The compiled evaluator (setup.py, docs/compiled.md): CI's install is compiled as a whole, a
build that cannot compile installs the pure-Python package, and the compiled build's own guard
gives Nix's errors where CPython's frames give them to the pure one.

(A build that cannot compile is checked through setup.py's build_ext on a copy of the tree: the
venv's setuptools, without building a whole wheel.)

The guard's tests run the installed command, so in CI they run the compiled build; the same
assertions hold for the pure-Python one (as an editable install runs them)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent


def _compiled_list() -> list[str]:
    """setup.py's COMPILED, read without running setup.py."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "COMPILED":
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py has no COMPILED list")


def _installed_files(modules: list[str], tmp_path: Path) -> dict[str, str]:
    """Where the installed package (not the source tree) has each module."""
    names = [os.path.splitext(m)[0].replace("/", ".") for m in modules]
    code = ("import importlib, json, sys\n"
            "print(json.dumps({n: importlib.import_module(n).__file__ for n in sys.argv[1:]}))")
    proc = subprocess.run([sys.executable, "-c", code, *names], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _needs_compiled(compiled: bool) -> None:
    """Skip a test of the compiled build on a pure-Python install - but not in CI, whose install
    compiles (gcc and Python's headers are there)."""
    if not compiled:
        if os.environ.get("CI"):
            pytest.fail("CI's install runs the pure-Python evaluator")
        pytest.skip("this install runs the pure-Python evaluator (an editable install, or no compiler)")


def test_ci_install_is_compiled_as_a_whole(tmp_path):
    modules = _compiled_list()
    assert "translator/nix/stack_guard.pyx" in modules and "translator/nix/evaluator.py" in modules
    python_modules = [m for m in modules if m.endswith(".py")]
    files = _installed_files(python_modules, tmp_path)
    compiled = {n for n, f in files.items() if not f.endswith(".py")}
    _needs_compiled(bool(compiled))
    assert compiled == set(files), f"partly compiled: {sorted(set(files) - compiled)} stayed Python"
    assert all(ROOT / "translator" not in Path(f).parents for f in files.values())  # the install, not the tree
    guard = _installed_files(["translator/nix/stack_guard"], tmp_path)
    assert guard["translator.nix.stack_guard"].endswith(".so")


def test_compiled_values_are_c_types(tmp_path):
    """values.pxd/evaluator.pxd took effect: the installed value classes are C types (not classes
    made at run time), an object made as the evaluator makes it has its fields, and one of them
    made the pure way (``object.__new__``) is refused, as the reason the sources say
    ``Cls.__new__(Cls)``."""
    code = ("import json\n"
            "from translator.nix import evaluator as e, values as v\n"
            "heap = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class statement's class\n"
            "names = ['Thunk', 'Apply', 'Lazy', 'NixString', 'NixPath', 'NixAttrs', 'NixList', 'Lambda', 'PrimOp']\n"
            "kinds = {n: not getattr(v, n).__flags__ & heap for n in names}\n"
            "kinds['CThunk'] = not e.CThunk.__flags__ & heap\n"
            "t = e.CThunk.__new__(e.CThunk); t.expr = lambda env: env + 1; t.env = 41; t.value = v._UNSET\n"
            "try:\n"
            "    object.__new__(v.NixAttrs); refused = False\n"
            "except TypeError:\n"
            "    refused = True\n"
            "print(json.dumps({'c_types': kinds, 'forced': t.force(), 'refused': refused, 'file': v.__file__}))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["forced"] == 42
    _needs_compiled(not got["file"].endswith(".py"))
    assert all(got["c_types"].values()), got["c_types"]
    assert got["refused"]


def _build_ext(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run setup.py's build_ext on a copy of the tree (with this venv's setuptools); returns the
    process and the files it built."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.c")
    shutil.copytree(ROOT / "translator", src / "translator", ignore=ignore)
    shutil.copytree(ROOT / "grammar", src / "grammar", ignore=ignore)
    out = tmp_path / "lib"
    proc = subprocess.run([sys.executable, "setup.py", "build_ext", "--build-lib", str(out),
                           "--build-temp", str(tmp_path / "temp")],
                          cwd=src, capture_output=True, text=True, env=env, timeout=600)
    built = [str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()] if out.exists() else []
    return proc, built


@pytest.mark.slow
def test_a_build_told_not_to_compile_builds_nothing(tmp_path):
    pytest.importorskip("setuptools")
    # a compiled module an earlier build left in the build directory is not installed either
    stale = tmp_path / "lib" / "translator" / "nix" / ("evaluator" + sysconfig.get_config_var("EXT_SUFFIX"))
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an earlier build's module")
    proc, built = _build_ext(tmp_path, dict(os.environ, NIX2IMAGE_PURE_PYTHON="1"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "nix2image: the evaluator stays pure Python: NIX2IMAGE_PURE_PYTHON is set" in proc.stdout
    assert built == []


@pytest.mark.slow
def test_a_build_without_cython_builds_nothing(tmp_path):
    pytest.importorskip("setuptools")
    try:
        import Cython  # noqa: F401
        pytest.skip("Cython is installed here: this build would compile")
    except ImportError:
        pass
    proc, built = _build_ext(tmp_path, {k: v for k, v in os.environ.items() if k != "NIX2IMAGE_PURE_PYTHON"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "nix2image: the evaluator stays pure Python: Cython failed" in proc.stdout
    assert built == []


def _eval_json(expr: str) -> subprocess.CompletedProcess:
    return run_cli("eval", "--strict", "--json", "-E", expr)


def test_deep_recursion_within_the_stack_evaluates():
    proc = _eval_json("let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 50000")  # Nix 2.8 too
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "50000"


def _deep_list(n: int) -> str:
    """A list nested ``n`` deep, made without recursion."""
    return f"builtins.foldl' (acc: x: [ acc ]) [ ] (builtins.genList (x: x) {n})"


_DEEP_LIST = _deep_list(2_000_000)


@pytest.mark.parametrize("expr", [
    "let f = x: f x + 1; in f 1",  # through function calls
    # through thunks only: foldl' leaves a chain of two million `acc.n + x` inside the set
    "builtins.foldl' (acc: x: { n = acc.n + x; }) { n = 0; } (builtins.genList (x: 1) 2000000)",
    # a body with deep expressions between the calls
    "let f = n: 1 + (1 + (1 + (1 + (1 + (1 + (1 + (1 + (f (n - 1))))))))); in f 0",
    # recursions over data (operations.py)
    f"let d = {_deep_list(1_000_000)}; e = {_deep_list(1_000_000)}; in d == e",  # (d == d: the same cells)
    f"let d = {_DEEP_LIST}; in builtins.deepSeq d 1",
    f"let d = {_DEEP_LIST}; in builtins.toString d",
], ids=["calls", "thunks", "deep-body", "equality", "deepSeq", "toString"])
def test_runaway_recursion_is_nix_stack_overflow_not_a_crash(expr):
    proc = _eval_json(expr)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-500:])
    assert proc.stderr.startswith("error: stack overflow (possible infinite recursion)"), proc.stderr[-500:]


def test_time_limit_stops_an_evaluation_that_never_leaves_the_evaluator():
    # fib recurses through `<`, `+`, `-`, `if` and calls only: compiled, no Python frame runs
    # but the guard's
    proc = run_cli("eval", "--eval-timeout", "1", "-E",
                   "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 60")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: evaluation stopped: it ran longer than the time limit of 1 s"), proc.stderr
