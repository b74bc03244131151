"""``fork_map``: the same list as a plain map, a child really computing every other item where
forking is safe, and the parent computing everything itself whenever it is not (no fork, a
failing or crashing child, another thread alive)."""

from __future__ import annotations

import os
import sys
import threading

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


def test_same_results_and_a_child_computes_the_odd_items():
    if not two_cpus() and os.environ.get("CI"):
        pytest.fail("CI runs on 2 cores: fork_map must fork there")
    if not two_cpus():
        pytest.skip("one CPU: fork_map does not fork")
    out = forkmap.fork_map(pid_of, list(range(N)))
    assert [v for v, _ in out] == [x * x for x in range(N)]
    me = os.getpid()
    assert {p for _, p in out[0::2]} == {me}
    child = {p for _, p in out[1::2]}
    assert len(child) == 1 and me not in child
    assert no_children_left()


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
