"""docs/tutorial.md runs: every command in it, in order, in one bash session, and what each prints
must match what the tutorial shows, so the tutorial cannot go stale.

The conventions (stated at the end of docs/tutorial.md too):

* ``<!-- file: NAME -->`` right before a fenced block: the block is a file the reader saves as NAME.
* A fenced ``console`` block: ``$ `` starts a command, ``> `` continues it, the lines after it are
  what it prints (stdout and stderr together, as a terminal shows them).
* In shown output, ``…`` stands for any text within a line; a line that is only ``…`` stands for any
  number of lines. Used only where the bytes differ between machines (the host's busybox).

The tutorial's registry listens on 127.0.0.1:5000; the test moves it to a free port. Run this file
directly (``python tests/test_tutorial.py``) to print what every command prints now.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import ROOT, need_tool, nix2image_exe  # noqa: E402

TUTORIAL = ROOT / "docs" / "tutorial.md"
ELLIPSIS = "…"
PORT_RE = re.compile(r"127\.0\.0\.1([:/])5000\b")


@dataclass
class Command:
    line: int  # in the markdown, 1-based
    text: str
    expected: list[str]


def parse(markdown: str) -> tuple[dict[str, str], list[Command]]:
    """Files to create and commands to run, in order."""
    files: dict[str, str] = {}
    commands: list[Command] = []
    lines = markdown.splitlines()
    i = 0
    pending_file = None
    while i < len(lines):
        line = lines[i]
        m = re.fullmatch(r"<!-- file: (\S+) -->", line.strip())
        if m:
            pending_file = m.group(1)
            i += 1
            continue
        if line.startswith("```"):
            info = line[3:].strip()
            j = i + 1
            while not lines[j].startswith("```"):
                j += 1
            body = lines[i + 1:j]
            if pending_file:
                files[pending_file] = "\n".join(body) + "\n"
            elif info == "console":
                cur: Command | None = None
                for k, text in enumerate(body):
                    if text.startswith("$ "):
                        cur = Command(i + 2 + k, text[2:], [])
                        commands.append(cur)
                    elif text.startswith("> ") and cur is not None and not cur.expected:
                        cur.text += "\n" + text[2:]
                    elif cur is not None:
                        cur.expected.append(text)
            pending_file = None
            i = j + 1
            continue
        if line.strip():
            pending_file = None
        i += 1
    return files, commands


def _line_re(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split(ELLIPSIS)))


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` fits ``expected`` (with ``…`` wildcards), trailing blanks and blank ends ignored."""
    exp = [x.rstrip() for x in expected]
    act = [x.rstrip() for x in actual]
    while exp and not exp[-1]:
        exp.pop()
    while act and not act[-1]:
        act.pop()

    def go(i: int, j: int) -> bool:
        if i == len(exp):
            return j == len(act)
        if exp[i] == ELLIPSIS:
            return any(go(i + 1, k) for k in range(j, len(act) + 1))
        return j < len(act) and _line_re(exp[i]).fullmatch(act[j]) is not None and go(i + 1, j + 1)

    return go(0, 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_tutorial(workdir: Path, port: int, timeout: float = 900) -> tuple[list[Command], list[tuple[int, list[str]]]]:
    """Write the files, run every command in one bash session; (commands, [(status, output lines)])."""
    files, commands = parse(TUTORIAL.read_text(encoding="utf-8"))
    fix = (lambda s: PORT_RE.sub(lambda m: f"127.0.0.1{m.group(1)}{port}", s))
    for name, text in files.items():
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).write_text(fix(text))
    script = ["set +e"]
    for n, c in enumerate(commands):
        script.append(f"echo '@@@ {n}'")
        script.append(f"{{ {fix(c.text)}\n}} 2>&1")
        script.append(f"echo \"@@@ {n} status $?\"")
    env = dict(os.environ)
    env["PATH"] = str(Path(nix2image_exe()).parent) + os.pathsep + env.get("PATH", "")
    # a student's first run: nix2image's caches (layers, blobs, parsed files) start empty
    env["XDG_CACHE_HOME"] = str(workdir / ".cache")
    proc = subprocess.Popen(["bash", "-c", "\n".join(script)], cwd=workdir, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        try:  # the session's leftovers (a registry the tutorial forgot to stop): only our own group
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    results: list[tuple[int, list[str]]] = []
    chunks = re.split(r"^@@@ (\d+)\n", out, flags=re.M)
    for k in range(1, len(chunks), 2):
        body = chunks[k + 1]
        m = re.search(rf"^@@@ {chunks[k]} status (\d+)\n?\Z", body, flags=re.M)
        status = int(m.group(1)) if m else -1
        text = body[:m.start()] if m else body
        results.append((status, [fix_back(x, port) for x in text.splitlines()]))
    return [Command(c.line, c.text, [fix(x) for x in c.expected]) for c in commands], results


def fix_back(line: str, port: int) -> str:
    return line.replace(f"127.0.0.1:{port}", "127.0.0.1:5000")


def test_tutorial_commands_print_what_it_shows(tmp_path):
    need_tool("busybox", "podman", "runc", "docker-registry", "skopeo", "dot")
    port = free_port()
    commands, results = run_tutorial(tmp_path, port)
    assert len(commands) >= 15
    assert len(results) == len(commands), f"the session stopped after {len(results)} of {len(commands)} commands"
    problems = []
    for c, (status, actual) in zip(commands, results):
        expected = [fix_back(x, port) for x in c.expected]
        if status != 0 or not matches(expected, actual):
            problems.append(f"docs/tutorial.md:{c.line}: $ {c.text}\n  exit status {status}\n  shows:\n"
                            + "\n".join("    " + x for x in expected) + "\n  prints now:\n"
                            + "\n".join("    " + x for x in actual))
    assert not problems, "\n\n".join(problems)
    assert (tmp_path / "report.html").stat().st_size > 10000


@pytest.mark.parametrize("expected, actual, ok", [
    (["a", "b"], ["a", "b", ""], True),
    (["a …"], ["a sha256:1234"], True),
    (["…", "z"], ["x", "y", "z"], True),
    (["…"], [], True),
    (["a"], ["b"], False),
    (["a", "…", "c"], ["a", "c", "d"], False),
    (["a.b"], ["axb"], False),
])
def test_output_matching(expected, actual, ok):
    assert matches(expected, actual) is ok


if __name__ == "__main__":  # print what every command prints now (for editing the tutorial)
    with tempfile.TemporaryDirectory() as d:
        cmds, res = run_tutorial(Path(d), free_port())
        for c, (status, actual) in zip(cmds, res):
            print(f"$ {c.text}" + (f"   [exit {status}]" if status else ""))
            print("\n".join(actual))
        if len(res) < len(cmds):
            print(f"stopped after {len(res)} of {len(cmds)} commands")
