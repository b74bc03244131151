"""Limits for untrusted Nix files: ``--restrict-eval`` / ``--pure-eval`` compared with Nix 2.8's
``--option restrict-eval true`` / ``pure-eval true`` (same values, same error wording), and the
memory and time limits ending evaluation with an error that names the limit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import run_cli


@pytest.fixture
def tree(tmp_path) -> Path:
    """allowed/ (the -I entry) with a file, an importable file, a symlink leading out, and a
    secret beside it."""
    files = {"secret.txt": "secret\n", "evil.nix": '"evil"\n', "allowed/a.txt": "inside\n",
             "allowed/lib.nix": '{ x = "from lib"; }\n'}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    for link, target in {"allowed/out.txt": "secret.txt", "allowed/escape.nix": "evil.nix"}.items():
        (tmp_path / link).symlink_to(tmp_path / target)
    return tmp_path


def cases(t: Path) -> list[tuple[list[str], str]]:
    """(mode options for both tools, expression); what may be read is read in one list."""
    a = t / "allowed"
    r = ["--restrict-eval", "-I", str(a)]
    p = ["--pure-eval"]
    return [
        (r, f"builtins.readFile {t}/secret.txt"),  # outside: refused
        (r, f"builtins.readFile {a}/out.txt"),  # a symlink leading out: refused by its target
        (r, f"builtins.readFile {a}/../secret.txt"),  # .. folded first
        (r, f"import {t}/evil.nix"),
        (r, f"import {a}/escape.nix"),
        (r, f"builtins.readDir {t}"),
        (r, f"builtins.hashFile \"sha256\" {t}/secret.txt"),
        (r, f"[ (builtins.readFile {a}/a.txt) (import {a}/lib.nix).x (builtins.pathExists {t}/secret.txt) "
            f"(builtins.pathExists {a}/a.txt) (builtins.getEnv \"HOME\") ]"),  # forbidden: "does not exist"
        (["--restrict-eval", "-I", f"x={a}"], "builtins.readFile <x/a.txt>"),
        (p, f"builtins.readFile {t}/secret.txt"),
        (p, "builtins.currentTime"),
        (p, "[ (builtins.getEnv \"HOME\") builtins.nixPath ]"),
    ]


def nix_options(opts: list[str]) -> list[str]:
    out = []
    for o in opts:
        if o == "--restrict-eval":
            out += ["--option", "restrict-eval", "true"]
        elif o == "--pure-eval":
            out += ["--option", "pure-eval", "true"]
        else:
            out.append(o)
    return out


def first_error_line(stderr: str) -> str:
    return next((l for l in stderr.splitlines() if l.startswith("error:")), "")


def test_restrict_and_pure_eval_match_nix(tree, nix):
    for opts, expr in cases(tree):
        ours = run_cli("eval", "--json", "--strict", *opts, "-E", expr)
        theirs = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json",
                                 *nix_options(opts), "-E", expr], capture_output=True, text=True, env=nix)
        assert "Traceback" not in ours.stderr
        assert (ours.returncode == 0) == (theirs.returncode == 0), (expr, ours.stderr, theirs.stderr)
        assert ours.stdout == theirs.stdout, expr
        assert first_error_line(ours.stderr) == first_error_line(theirs.stderr), expr


def test_restrict_eval_refuses_read_file_outside(tree):
    proc = run_cli("eval", "--restrict-eval", "-I", str(tree / "allowed"), "-E",
                   f"builtins.readFile {tree}/secret.txt")
    assert proc.returncode == 1
    assert f"error: access to absolute path '{tree}/secret.txt' is forbidden in restricted mode" in proc.stderr
    assert "secret" not in proc.stdout


def test_build_restrict_eval_needs_the_file_allowed(tree):
    (tree / "allowed" / "img.nix").write_text(
        'let pkgs = import <nixpkgs> {}; in pkgs.dockerTools.buildLayeredImage '
        f'{{ name = "x"; extraCommands = builtins.readFile {tree}/secret.txt; }}\n')
    proc = run_cli("build", str(tree / "allowed" / "img.nix"), "--restrict-eval", "-I", str(tree / "allowed"),
                   "-o", str(tree / "x.tar"))
    assert proc.returncode == 1
    assert "is forbidden in restricted mode" in proc.stderr
    assert not (tree / "x.tar").exists()


UNBOUNDED = "let f = x: builtins.seq (builtins.length x) (f (x ++ x)); in f [ 1 ]"


def test_unbounded_allocation_stops_at_the_memory_limit():
    proc = run_cli("eval", "--max-memory", "300M", "-E", UNBOUNDED)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: evaluation stopped: it used more than the memory limit of 300.0 MiB "
                                  "(--max-memory)"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_memory_limit_also_stops_a_build(tmp_path):
    f = tmp_path / "big.nix"
    f.write_text('let pkgs = import <nixpkgs> {}; f = s: builtins.seq (builtins.stringLength s) (f (s + s)); in '
                 'pkgs.dockerTools.buildLayeredImage { name = f "x"; }\n')
    proc = run_cli("build", str(f), "--max-memory", "300M", "-o", str(tmp_path / "x.tar"))
    assert proc.returncode == 1
    assert "memory limit of 300.0 MiB (--max-memory)" in proc.stderr, proc.stderr


def test_time_limit():
    proc = run_cli("eval", "--eval-timeout", "1", "-E", "let f = n: f (n + 1) + 0; in builtins.foldl' "
                   "(a: b: a + b) 0 (builtins.genList (x: x) 100000000)")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: evaluation stopped: it ran longer than the time limit of 1 s (--eval-timeout)")


def test_bad_limit_values():
    proc = run_cli("eval", "--max-memory", "lots", "-E", "1")
    assert proc.returncode == 2 and "--max-memory" in proc.stderr and "not a size" in proc.stderr
    assert run_cli("eval", "--max-memory", "1G", "-E", "1 + 1").stdout == "2\n"


def test_watchdog_samples_the_resident_size_through_one_descriptor():
    from translator.nix.limits import _ResidentSize, _statm

    resident = _ResidentSize()
    try:
        now = resident()
        assert now > 1 << 20 and abs(now - _statm(1)) < 64 << 20
    finally:
        resident.close()
    assert resident() == 0  # closed: no sample, no error


def test_a_stop_landing_as_the_evaluation_thread_ends_prints_nothing():
    """(In a fresh interpreter: pytest installs its own thread excepthook.)"""
    import subprocess
    import sys

    script = """
import threading
from translator.nix.limits import TimeLimitExceeded, _quiet_late_stops

_quiet_late_stops()

def late():
    raise TimeLimitExceeded

for target in (late, lambda: {}["other errors are still shown"]):
    th = threading.Thread(target=target)
    th.start()
    th.join()
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "TimeLimitExceeded" not in proc.stderr
    assert "KeyError: 'other errors are still shown'" in proc.stderr
