"""``fork_map``: the same list as a plain map, a child really computing every other item where
forking is safe, and the parent computing everything itself whenever it is not (no fork, a
failing or crashing child, another thread alive)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from translator.store import forkmap
from translator.store.fsstate import tree_state, tree_states

N = forkmap.MIN_ITEMS + 5


def pid_of(x: int) -> tuple[int, int]:
    return (x * x, os.getpid())


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def two_cpus() -> bool:
    return sys.platform == "linux" and len(os.sched_getaffinity(0)) >= 2


_FRESH = """
import os, sys
sys.path.insert(0, sys.argv[1])
from translator.store import forkmap
def pid_of(x):
    return (x * x, os.getpid())
n = forkmap.MIN_ITEMS + 5
out = forkmap.fork_map(pid_of, list(range(n)))
assert [v for v, _ in out] == [x * x for x in range(n)]
me = os.getpid()
child = {p for _, p in out[1::2]}
assert {p for _, p in out[0::2]} == {me} and len(child) == 1 and me not in child, (me, child)
try:
    os.waitpid(-1, os.WNOHANG)
    raise AssertionError("a child was left")
except ChildProcessError:
    pass
print("forked")
"""


@pytest.mark.parametrize("sigchld", ["default", "ignored"])
def test_same_results_and_a_child_computes_the_odd_items(sigchld):
    """In a fresh process (one thread: a test run may have left threads of its own, and then
    fork_map rightly does not fork), the odd items are computed by one child, and it is reaped;
    also where SIGCHLD is ignored (inherited from a parent that ignores it: children are then
    reaped by the kernel and cannot be waited for)."""
    if not two_cpus():
        if os.environ.get("CI"):
            pytest.fail("CI runs on 2 cores: fork_map must fork there")
        pytest.skip("one CPU: fork_map does not fork")
    root = str(Path(__file__).resolve().parent.parent)
    code = _FRESH if sigchld == "default" else "import signal; signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n" + _FRESH
    proc = subprocess.run([sys.executable, "-c", code, root], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "forked\n", proc.stderr


def test_short_lists_stay_in_this_process():
    out = forkmap.fork_map(pid_of, list(range(forkmap.MIN_ITEMS - 1)))
    assert {p for _, p in out} == {os.getpid()}


def test_no_fork_no_pipe(monkeypatch):
    def refuse():
        raise OSError("no fork here")
    monkeypatch.setattr(os, "fork", refuse)
    out = forkmap.fork_map(pid_of, list(range(N)))
    assert out == [(x * x, os.getpid()) for x in range(N)]


@pytest.mark.parametrize("how", ["raises", "crashes"])
def test_a_failing_child_leaves_its_share_to_the_parent(how):
    parent = os.getpid()

    def only_here(x: int) -> tuple[int, int]:
        if os.getpid() != parent and x == 7:
            if how == "crashes":
                os.kill(os.getpid(), 9)
            raise RuntimeError("child fails")
        return pid_of(x)

    out = forkmap.fork_map(only_here, list(range(N)))
    assert out == [(x * x, parent) for x in range(N)]
    assert no_children_left()


@pytest.mark.parametrize("payload", [b"garbage", b"", None])
def test_malformed_or_short_answers_are_not_believed(monkeypatch, payload):
    def bad_child(fn, share, fd):
        data = payload if payload is not None else __import__("marshal").dumps([fn(x) for x in share][:-1])
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os._exit(0)

    monkeypatch.setattr(forkmap, "_child", bad_child)
    out = forkmap.fork_map(pid_of, list(range(N)))
    assert out == [(x * x, os.getpid()) for x in range(N)]
    assert no_children_left()


def test_another_thread_alive_means_no_fork():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        out = forkmap.fork_map(pid_of, list(range(N)))
    finally:
        stop.set()
        t.join()
    assert {p for _, p in out} == {os.getpid()}


def test_an_error_in_the_parent_propagates_and_the_child_is_reaped():
    parent = os.getpid()

    def parent_fails(x: int):
        if os.getpid() == parent and x == 10:
            raise ValueError("bad item")
        return x

    with pytest.raises(ValueError, match="bad item"):
        forkmap.fork_map(parent_fails, list(range(N)))
    assert no_children_left()


def test_tree_states_match_one_walk_each(tmp_path):
    dirs = []
    for i in range(N):
        d = tmp_path / f"p{i:03d}"
        (d / "bin").mkdir(parents=True)
        (d / "bin" / "tool").write_bytes(bytes([i % 256]) * (i + 1))
        if i % 3 == 0:
            (d / "link").symlink_to("bin/tool")
        dirs.append(str(d))
    dirs.append(str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError):
        tree_states(dirs)  # as tree_state of a missing path
    dirs.pop()
    states = tree_states(dirs)
    assert states == [tree_state(d) for d in dirs]
    assert len({s[0] for s in states}) == N  # every tree its own fingerprint
