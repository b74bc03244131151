"""Large and deep inputs for the builtins: they must evaluate (no Python recursion, no crash).

Values are checked against results computed independently in Python (and, where cheap, Nix).
"""

from __future__ import annotations

import json

from conftest import run_cli


def _eval(expr: str) -> object:
    proc = run_cli("eval", "--strict", "--json", "-E", expr)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_foldl_strict_over_a_million_elements():
    n = 1_000_000
    assert _eval(f"builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) {n})") == n * (n - 1) // 2


def test_foldl_forces_only_to_weak_head_normal_form():
    # foldl' forces each accumulator, but not inside it: like Nix 2.8, the 200,000-deep chain
    # of `acc.n + x` thunks left inside the set overflows when finally forced (a clean error)
    proc = run_cli("eval", "--strict", "--json", "-E",
                   "builtins.foldl' (acc: x: { n = acc.n + x; }) { n = 0; } (builtins.genList (x: 1) 200000)")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: stack overflow (possible infinite recursion)")
    assert "Traceback" not in proc.stderr


def test_sort_and_elemAt_on_large_lists():
    expr = ("let l = builtins.sort builtins.lessThan (builtins.genList (x: 100000 - x) 100000); in "
            "[ (builtins.length l) (builtins.head l) (builtins.elemAt l 99999) ]")
    assert _eval(expr) == [100000, 1, 100000]


def test_deeply_nested_json_and_xml():
    depth = 5000
    doc = "[" * depth + "]" * depth
    expr = f'let v = builtins.fromJSON "{doc}"; in builtins.stringLength (builtins.toXML v)'
    n = _eval(expr)
    # each level adds an indented "<list>" and "</list>" line; the innermost is "<list>\n</list>"
    assert isinstance(n, int) and n > depth * 10


def test_generic_closure_long_chain():
    expr = ("builtins.length (builtins.genericClosure { startSet = [ { key = 0; } ]; "
            "operator = x: if x.key < 50000 then [ { key = x.key + 1; } ] else [ ]; })")
    assert _eval(expr) == 50001


def test_split_and_replace_on_long_strings():
    expr = ('let s = builtins.concatStringsSep "," (builtins.genList toString 20000); in '
            '[ (builtins.length (builtins.split "," s)) '
            '(builtins.stringLength (builtins.replaceStrings [ "," ] [ ";;" ] s)) ]')
    s = ",".join(str(i) for i in range(20000))
    assert _eval(expr) == [2 * 20000 - 1, len(s) + s.count(",")]
