"""A short fuzz run over every reader of outside data (the long run is ``bench/fuzz.py``), and the
replay of every input that once crashed a reader (``tests/fuzz_regressions/<reader>/``).

A reader passes when it either reads the input or refuses it with the project's clean user
error; any other exception, or running past its time bound, fails. ``N2I_FUZZ_EXAMPLES`` raises
the number of hypothesis examples per reader (default: a small fixed, derandomized sample)."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzz_harness as fh

TARGETS = fh.targets()
EXAMPLES = int(os.environ.get("N2I_FUZZ_EXAMPLES", "25"))
# slower readers (a fake registry conversation, an unpacked layout) get fewer examples by default
SLOW = {"registry": 3, "oci-layout": 2, "nix-eval": 2}


def _fails(name: str, out: fh.Outcome) -> str:
    return f"{name}: {out.kind}\n{out.detail}"


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_seeds_are_read(name):
    """The seeds are valid inputs the reader accepts, so that one mutation lands near valid input."""
    t = TARGETS[name]
    for seed in t.seed_list():
        out = fh.run_one(t, seed)
        assert out.kind == "ok", _fails(name, out)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_mutants_are_refused_cleanly(name):
    """Hypothesis draws the mutation choices; every mutant is read or refused with a clean error."""
    t = TARGETS[name]

    @settings(max_examples=max(3, EXAMPLES // SLOW.get(name, 1)), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.randoms(use_true_random=False))
    def check(rng: random.Random):
        data = fh.mutant(t, rng)
        out = fh.run_one(t, data)
        assert out.kind in ("ok", "clean", "bounded"), _fails(name, out) + f"\ninput: {data[:400]!r}"

    check()


@pytest.mark.parametrize("name", ["docker-archive", "image-inspect", "nix-parse", "flake-lock", "registry"])
def test_mutations_reach_the_checks(name):
    """Structure-aware mutations keep enough structure to get past the first check: over a fixed
    sample, some mutants are still read and some are refused by the reader's own checks."""
    t = TARGETS[name]
    rng = random.Random(7)
    kinds = {fh.run_one(t, fh.mutant(t, rng, rounds=1)).kind for _ in range(30)}
    assert {"ok", "clean"} <= kinds, kinds


REGRESSIONS = fh.regression_files()


@pytest.mark.parametrize("name,path", REGRESSIONS, ids=[f"{n}/{p.name}" for n, p in REGRESSIONS])
def test_fuzz_regression(name, path):
    """Inputs that crashed a reader once (found by ``bench/fuzz.py``) are refused cleanly now."""
    out = fh.run_one(TARGETS[name], path.read_bytes())
    assert out.kind in ("ok", "clean"), _fails(name, out)


def test_regressions_exist_for_every_fixed_reader():
    assert {n for n, _ in REGRESSIONS} >= {"docker-archive", "image-inspect", "oci-layout", "flake-lock",
                                            "registry", "narinfo", "nix-cache-info"}


def test_a_crash_is_reported_as_a_crash():
    """The classifier itself: a reader that raises a non-user exception, or runs past its bound,
    is caught (so that a quiet run means something)."""
    def boom(data, tmp):
        raise KeyError("x")

    def slow(data, tmp):
        while True:
            pass

    assert fh.run_one(fh.Target("t", lambda: [b""], fh.mutate_bytes, boom), b"").kind == "crash"
    assert fh.run_one(fh.Target("t", lambda: [b""], fh.mutate_bytes, slow, timeout=0.2), b"").kind == "hang"
