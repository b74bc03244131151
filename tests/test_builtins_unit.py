"""Unit tests of the pure helpers behind the builtins (the differential tests cover the rest)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translator.nix.builtins import all_builtins

all_builtins()

from translator.nix.builtins.files import base_name_of, canon_path, dir_of  # noqa: E402
from translator.nix.builtins.json_xml import _JSONError, parse_json  # noqa: E402
from translator.nix.builtins.lists import stable_sort  # noqa: E402
from translator.nix.builtins.regex import RegexSyntaxError, translate  # noqa: E402
from translator.nix.builtins.versions import compare_versions, parse_drv_name, split_version  # noqa: E402
from translator.nix.paths import canon_walk  # noqa: E402
from translator.nix.values import NixAttrs, NixList, NixString  # noqa: E402


def test_stable_sort_agrees_with_a_stable_sort_for_strict_orders():
    rnd = random.Random(1)
    for n in range(0, 300, 7):
        items = [(rnd.randint(0, 10), i) for i in range(n)]
        got = list(items)
        stable_sort(got, lambda a, b: a[0] < b[0])
        assert got == sorted(items, key=lambda x: x[0])


def test_stable_sort_reverses_equal_runs_for_non_strict_orders_like_libstdcxx():
    got = [(0, i) for i in range(7)]
    stable_sort(got, lambda a, b: a[0] <= b[0])
    # insertion sort of one 7-element chunk with `<=` moves each new element before its equals
    assert [i for _, i in got] == [6, 5, 4, 3, 2, 1, 0]


@pytest.mark.parametrize("pattern", ["\\d", "*a", "a{,2}", "a{", "[z-a]", "[[:foo:]]", "(a", "a)", "[a", "\\", "a{2,1}"])
def test_regex_rejects_what_libstdcxx_extended_rejects(pattern):
    with pytest.raises(RegexSyntaxError):
        translate(pattern)
        raise AssertionError  # pragma: no cover (translate must raise, or compile below)


def test_regex_translation_examples():
    assert translate("a.b$") == "a.b\\Z"
    assert translate("a**") == "(?:a*)*"
    assert translate("[]a]") == "[\\]a]"


def test_path_helpers():
    assert canon_path("/a/./b/../c//d/") == "/a/c/d"
    assert canon_path("/..") == "/"
    assert base_name_of("/a/b/") == "b"
    assert base_name_of("") == ""
    assert dir_of("a") == "."
    assert dir_of("/a") == "/"


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["/", ".", "..", "a", "b.c", ".h", "//", "x/", "/.", "/..", "..."]), max_size=8))
def test_canon_path_fast_path_agrees_with_the_component_walk(parts):
    """canon_path returns an already canonical path as it is; anything else goes through the
    walk over components: both must give Nix's canonPath."""
    path = "".join(parts)
    assert canon_path(path) == canon_walk(path)


def test_versions():
    assert compare_versions("2.3pre1", "2.3") == -1
    assert compare_versions("2.3a", "2.3.1") == -1
    assert compare_versions("1.0", "1.0") == 0
    assert split_version("1.2-rc3") == ["1", "2", "rc", "3"]
    assert parse_drv_name("foo-bar-1.0") == ("foo-bar", "1.0")


def test_parse_json_values_and_errors():
    v = parse_json('{"a": [1, 2.5, "x", null, true], "b": 18446744073709551615}')
    assert isinstance(v, NixAttrs)
    a = v.d["a"]
    assert isinstance(a, NixList) and a.items[0] == 1 and a.items[1] == 2.5
    assert isinstance(a.items[2], NixString) and a.items[2].s == "x"
    assert v.d["b"] == -1  # unsigned 64-bit wraps like Nix's cast
    with pytest.raises(_JSONError, match=r"line 2, column 1: syntax error while parsing value - unexpected '\]'; expected"):
        parse_json("[1,\n]")


def test_libstdcxx_engine_prunes_like_the_dfs_executor():
    from translator.nix.builtins.regex import translate
    from translator.nix.builtins.regex_engine import Program, find_all

    prog = Program(translate("[ab]{0,}[ab]((b|c)*[^a](a|ab)?[^a]+){1,2}(b?)*"))
    spans = [(start, end) for start, end, _ in find_all(prog, "c-.bb1caca-")]
    assert spans == [(3, 7), (7, 11)]  # what Nix 2.8 finds; the longest first match would be (3, 10)
    prog = Program(translate("a|ab"))
    assert [(s, e) for s, e, _ in find_all(prog, "xabx")] == [(1, 3)]


def _read_dir(path) -> dict:
    from translator.nix.evaluator import Evaluator

    v = Evaluator(nix_path_env=False).eval_string(f"builtins.readDir {path}")
    return {k: x.s for k, x in v.d.items()}


def test_read_dir_listing_is_kept_only_while_the_directory_is_unchanged(tmp_path, monkeypatch):
    import os

    from translator.nix.builtins import files
    from translator.store import fsstate

    # every listing kept, however recent the change (only the key decides)
    monkeypatch.setattr(fsstate, "SETTLED_NS", -10**18)
    d = tmp_path / "d"
    d.mkdir()
    (d / "a").write_text("")
    old = 1_000_000_000
    os.utime(d, (old, old))
    first = _read_dir(d)
    assert first == {"a": "regular"}
    assert _read_dir(d) == first  # a settled directory: the kept listing
    # an entry added, then the mtime put back: the change time still tells
    (d / "b").mkdir()
    os.utime(d, (old, old))
    assert _read_dir(d) == {"a": "regular", "b": "directory"}
    # a file replaced by a symbolic link of the same name
    os.unlink(d / "a")
    os.symlink("b", d / "a")
    assert _read_dir(d) == {"a": "symlink", "b": "directory"}
    os.rmdir(d / "b")
    assert _read_dir(d) == {"a": "symlink"}


def test_read_dir_of_an_unchanged_directory_is_listed_once(tmp_path, monkeypatch):
    import os

    from translator.nix.builtins import files
    from translator.store import fsstate

    (tmp_path / "x").write_text("")
    os.utime(tmp_path, (1_000_000_000, 1_000_000_000))
    listed = []
    real_scandir = os.scandir
    monkeypatch.setattr(files.os, "scandir", lambda p: listed.append(p) or real_scandir(p))
    # the ctime of the utime above is now: only a settled directory's listing is kept
    monkeypatch.setattr(fsstate, "SETTLED_NS", -10**18)
    for _ in range(3):
        assert _read_dir(tmp_path) == {"x": "regular"}
    assert len(listed) == 1


def test_read_dir_within_one_evaluation_stats_a_kept_directory_once(tmp_path, monkeypatch):
    """One evaluation sees one state of a directory: a kept listing is confirmed by one stat,
    then served without another (the stdenv bootstrap lists each by-name shard 16 times); the
    next evaluation confirms it again."""
    import os

    from translator.nix.builtins import files
    from translator.store import fsstate
    from translator.nix.evaluator import Evaluator

    (tmp_path / "x").write_text("")
    os.utime(tmp_path, (1_000_000_000, 1_000_000_000))
    monkeypatch.setattr(fsstate, "SETTLED_NS", -10**18)
    stats = []
    real_stat = os.stat
    monkeypatch.setattr(files.os, "stat", lambda p, *a, **k: (stats.append(p), real_stat(p, *a, **k))[1])
    expr = f"builtins.genList (i: builtins.attrNames (builtins.readDir {tmp_path})) 5"
    for _ in range(2):
        stats.clear()
        v = Evaluator(nix_path_env=False).eval_string(f"builtins.deepSeq ({expr}) ({expr})")
        assert [x.s for x in v.items[4].force().items] == ["x"]
        assert stats.count(str(tmp_path)) == 1

