"""The evaluation thread's frames have room: a recursion swinging across CPython's frame-stack
chunk boundaries does not map fresh memory on every swing (counted as page faults of the thread,
not timed)."""

from __future__ import annotations

import resource
import threading

import pytest

from translator.nix.evaluator import run_deep
from translator.nix.frame_room import call_with_room

pytestmark = pytest.mark.skipif(not hasattr(resource, "RUSAGE_THREAD"), reason="needs per-thread rusage (Linux)")


def _down(n: int) -> int:
    return 0 if n == 0 else 1 + _down(n - 1)


def _swings() -> int:
    """Minor page faults of this thread while a recursion 400 calls deep (past the first chunks)
    is made 3,000 times."""
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    for _ in range(3000):
        assert _down(400) == 400
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before


def _in_thread(fn):
    out = []
    th = threading.Thread(target=lambda: out.append(fn()))
    th.start()
    th.join()
    return out[0]


def test_without_room_every_swing_faults_in_fresh_chunks():
    # the measurement itself: plain CPython maps (and faults in) a chunk on each swing
    assert _in_thread(_swings) > 2000


def test_with_room_the_swings_stay_in_one_chunk():
    assert _in_thread(lambda: call_with_room(_swings)) < 300


def test_run_deep_gives_the_evaluation_room():
    assert run_deep(_swings) < 300


def test_call_with_room_passes_results_and_errors():
    assert call_with_room(lambda: 42) == 42
    with pytest.raises(KeyError):
        call_with_room(lambda: {}["x"])
