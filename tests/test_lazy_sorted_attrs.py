"""``//`` results whose right side adds names among the left's keep their names in merge order
until first iterated (translator.nix.values.LazySortedDict): every way Python or its C code
iterates such a dict sees the sorted order, and every Nix operation that shows an order agrees
with nix-instantiate."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import need_tool, nix_env, run_cli
from translator.nix.values import LazySortedDict, merged_unsorted

NAMES = ["d", "a", "c", "b"]  # merge order; sorted: a b c d


def fresh() -> LazySortedDict:
    return merged_unsorted({"b": 2, "d": 4}, {"a": 1, "c": 3})


@pytest.mark.parametrize("view", [
    list, sorted, lambda d: list(d.keys()), lambda d: [k for k, _ in d.items()], lambda d: list(dict(d)),
    lambda d: list({**d}), lambda d: list(json.loads(json.dumps(d))), lambda d: list(d.copy()),
    lambda d: list(reversed(list(reversed(d)))), lambda d: [k for k in iter(d)], lambda d: list(dict.fromkeys(d)),
    lambda d: [next(iter(d))] + list(d)[1:], lambda d: list(eval(repr(d))), lambda d: list(dict(**d)),
], ids=["list", "sorted", "keys", "items", "dict()", "{**}", "json", "copy", "reversed", "iter", "fromkeys",
        "next-iter", "repr", "kwargs"])
def test_every_iteration_sees_sorted_names(view):
    d = fresh()
    assert d.unsorted
    assert view(d) == ["a", "b", "c", "d"]


def test_values_follow_their_names_and_lookups_need_no_sort():
    d = fresh()
    assert d["c"] == 3 and d.get("a") == 1 and "d" in d and len(d) == 4
    assert d.unsorted  # lookups leave the order alone
    assert list(d.values()) == [1, 2, 3, 4] and not d.unsorted
    assert d == {"a": 1, "b": 2, "c": 3, "d": 4} and d.popitem() == ("d", 4)


def test_merging_unsorted_sides_keeps_right_values_and_all_names():
    left = fresh()
    d = merged_unsorted(left, {"b": 20, "aa": 5})
    assert left.unsorted and d.unsorted  # neither side was sorted to merge them
    assert list(d.items()) == [("a", 1), ("aa", 5), ("b", 20), ("c", 3), ("d", 4)]


EXPRS = [
    'builtins.attrNames ({ b = 1; d = 2; } // { a = 3; c = 4; })',
    'builtins.attrValues ({ b = 1; d = 2; } // { a = 3; c = 4; b = 5; })',
    'builtins.toJSON ({ z = 1; b = 1; } // { a = 2; y = 3; } // { c = 4; })',
    'builtins.mapAttrs (n: v: n + toString v) ({ m = 1; } // { a = 2; z = 3; } // { b = 4; })',
    'builtins.foldl\' (a: b: a // b) {} (builtins.genList (i: { "k${toString (9 - i)}" = i; "j${toString i}" = i; }) 10)',
    'let s = { b = 1; d = 2; } // { a = 3; c = 4; }; in [ (s ? a) s.c (builtins.attrNames (s // {})) (s == { a = 3; b = 1; c = 4; d = 2; }) ]',
    'let s = { b = 1; d = 2; } // { a = 3; }; in builtins.attrNames (builtins.removeAttrs s [ "d" ] // { c = 0; })',
    'let s = { b = 1; d = 2; } // { a = 3; }; in builtins.attrNames (builtins.intersectAttrs { a = 0; d = 0; z = 0; } s)',
    'let s = { b = 1; d = 2; } // { a = 3; }; in builtins.listToAttrs (map (n: { name = n; value = n; }) (builtins.attrNames s))',
    'let s = { b = "x"; d = "y"; } // { a = "z"; }; in builtins.concatStringsSep "," (builtins.attrValues s)',
    '(derivation ({ name = "m"; system = "x86_64-linux"; builder = "/bin/sh"; zz = "1"; } // { aa = "2"; mm = "3"; })).drvPath',
    'builtins.toXML ({ b = 1; } // { a = 2; })',
    'builtins.attrNames (builtins.functionArgs ({ b, a ? 1 }: a) // { c = true; a0 = false; })',
]


def test_nix_operations_agree_with_nix():
    need_tool("nix-instantiate")
    for expr in EXPRS:
        ours = run_cli("eval", "--strict", "--json", "-E", expr)
        nix = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", "-E", expr],
                             capture_output=True, text=True, env=nix_env(), timeout=120)
        if "drvPath" in expr:  # a derivation needs a store that takes writes
            nix = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "--read-write-mode", "-E", expr],
                                 capture_output=True, text=True, env=nix_env(), timeout=120)
        assert nix.returncode == 0, (expr, nix.stderr)
        assert (ours.returncode, ours.stdout.strip()) == (0, nix.stdout.strip()), expr


def test_printed_value_agrees_with_nix():
    need_tool("nix-instantiate")
    expr = '{ b = 1; d = { y = 1; } // { x = 2; }; } // { a = 3; c = 4; }'
    ours = run_cli("eval", "--strict", "-E", expr)
    nix = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "-E", expr],
                         capture_output=True, text=True, env=nix_env(), timeout=120)
    assert ours.stdout == nix.stdout
