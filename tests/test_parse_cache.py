"""Parsed files are kept per file state (inode, size, mtime): a long-lived process parses an
unchanged file once; a changed file is parsed again; a file changed just now is not kept."""

from __future__ import annotations

import os

import pytest

from translator.nix.parser import parse_file


def test_unchanged_file_parsed_once_changed_file_again(tmp_path, monkeypatch):
    # the file counts as settled at once: a ctime cannot be set back, and a file whose mtime or
    # ctime is within the last two seconds is not kept (translator.store.fsstate)
    monkeypatch.setattr("translator.store.fsstate.SETTLED_NS", 0)
    f = tmp_path / "a.nix"
    f.write_text("{ a = 1; }\n")
    os.utime(f, ns=(10**18, 10**18))
    first = parse_file(str(f))
    assert parse_file(str(f)) is first
    f.write_text("{ a = 22; }\n")
    os.utime(f, ns=(2 * 10**18, 2 * 10**18))
    second = parse_file(str(f))
    assert second is not first and second.attrs["a"].expr.value == 22


def test_fresh_file_is_not_kept(tmp_path):
    f = tmp_path / "b.nix"
    f.write_text("1\n")
    one = parse_file(str(f))
    f.write_text("2\n")  # same size, same inode, maybe the same mtime tick
    assert parse_file(str(f)).value == 2 and one.value == 1


def test_imported_user_files_cached_on_disk_by_content(tmp_path):
    """Every imported file goes through the on-disk cache (not only nix2image's own): a second
    process reads it from there, a corrupt entry is parsed again, an edit makes a new entry."""
    from conftest import run_cli

    lib = tmp_path / "lib.nix"
    lib.write_text("{ x }: { y = x * 2; }\n")
    main = tmp_path / "main.nix"
    main.write_text("(import ./lib.nix { x = 21; }).y\n")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    first = run_cli("eval", str(main), env=env)
    assert (first.returncode, first.stdout) == (0, "42\n"), first.stderr
    root = tmp_path / "cache" / "nix2image" / "ast"
    entries = sorted(root.rglob("*.ast"))
    assert len(entries) == 2  # main.nix and lib.nix
    for e in entries:
        e.write_bytes(b"\x00garbage")
    again = run_cli("eval", str(main), env=env)
    assert (again.returncode, again.stdout) == (0, "42\n"), again.stderr
    lib.write_text("{ x }: { y = x * 3; }\n")
    edited = run_cli("eval", str(main), env=env)
    assert edited.stdout == "63\n"
    assert len(list(root.rglob("*.ast"))) == 3
    off = run_cli("eval", str(main), env=dict(env, NIX2IMAGE_AST_CACHE_MB="0", XDG_CACHE_HOME=str(tmp_path / "c2")))
    assert off.stdout == "63\n" and not (tmp_path / "c2" / "nix2image" / "ast").exists()


def test_sweep_removes_least_recently_used_beyond_bound(tmp_path):
    from translator.nix.parse_cache import sweep

    sub = tmp_path / "ab"
    sub.mkdir()
    for i in range(5):
        f = sub / f"{i}.ast"
        f.write_bytes(b"x" * 100)
        os.utime(f, (1000 + i, 1000 + i))  # 0 is the least recently used
    sweep(str(tmp_path), 300)
    assert sorted(p.name for p in sub.iterdir()) == ["2.ast", "3.ast", "4.ast"]
    sweep(str(tmp_path), 300)  # within the bound: nothing more
    assert len(list(sub.iterdir())) == 3


# --- the entry format (translator.nix.ast_codec) ----------------------------------------------

def _same_tree(a, b, pairs: dict) -> None:
    """``b`` has ``a``'s shape, classes, values and positions, and shares nodes where ``a`` does."""
    from translator.errors import Pos
    from translator.nix.ast import Node

    assert type(a) is type(b), (a, b)
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same_tree(x, y, pairs)
    elif isinstance(a, dict):
        assert list(a) == list(b)  # source order kept
        for k in a:
            _same_tree(a[k], b[k], pairs)
    elif not isinstance(a, Node):
        assert a == b and (type(a) is not float or str(a) == str(b))
    else:
        if id(a) in pairs:  # a node met again: met again in the copy too
            assert pairs[id(a)] is b
            return
        pairs[id(a)] = b
        for f in type(a)._fields:
            _same_tree(getattr(a, f), getattr(b, f), pairs)


def _nix_files():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "translator").rglob("*.nix"))
    lib = root.parent / "shared" / "nixpkgs-core" / "tree" / "lib"
    if lib.is_dir():
        files += sorted(lib.glob("*.nix"))
    return files


def test_entries_decode_to_the_same_tree():
    """Every AST shape the parser makes survives the entry format: the modelled nixpkgs, a real
    nixpkgs lib, and the parser's own accepted cases."""
    import marshal

    from parser_cases import ACCEPTED
    from translator.nix.ast_codec import decode, encode
    from translator.nix.parser import parse_string

    trees = [parse_file(str(f)) for f in _nix_files()]
    trees += [parse_string(text, "«case»", "/base") for text in ACCEPTED]
    trees.append(parse_string('let e = { a = 1; b = 2; }; in { inherit (e) a b; "${"c"}" = 3; x = e.${"a"} or 4; }',
                              "«shared»", "/base"))
    assert len(trees) > 100
    for tree in trees:
        _same_tree(tree, decode(marshal.loads(marshal.dumps(encode(tree)))), {})
    shared = decode(encode(trees[-1])).body.attrs
    assert shared["a"].expr.expr is shared["b"].expr.expr  # `inherit (e)` shares `e`


def test_decoded_positions_share_one_object_per_line_number():
    """Positions read back from an entry hold one int per line number (Python shares only the
    ints up to 256 by itself): a real nixpkgs package's positions held ten times more."""
    import marshal

    from translator.errors import Pos
    from translator.nix.ast_codec import decode, encode
    from translator.nix.parser import parse_string

    text = "\n" * 400 + "{ a = x: x + 1; b = [ 1 2 3 ]; c = { d = 4; }; }\n"
    tree = decode(marshal.loads(marshal.dumps(encode(parse_string(text, "«lines»", "/base")))))
    found: list[Pos] = []

    def walk(v) -> None:
        if isinstance(v, Pos):
            found.append(v)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif hasattr(type(v), "_fields"):
            for f in type(v)._fields:
                walk(getattr(v, f))

    walk(tree)
    on_401 = [p for p in found if p.line == 401]
    assert len(on_401) >= 5
    assert len({id(p.line) for p in on_401}) == 1


def test_malformed_entries_are_refused_with_value_error():
    import pytest

    from translator.nix.ast_codec import decode

    for bad in [(), ((), ()), ((("f", 1, 1),), ((99, 0),)), ((("f", 1, 1),), ((0, 5, 1, 1),)), None, 1]:
        with pytest.raises(ValueError):
            decode(bad)


# --- the bind check recorded in entries ---------------------------------------------------------

def test_bind_check_recorded_in_entry_and_not_repeated(tmp_path, monkeypatch):
    """A file's variables are checked (Nix's parse-time ``undefined variable``) the first time;
    the entry then records the global scope, and a later process reading the entry skips the
    walk. Another global scope (pure mode lacks currentTime) is checked again; a file with an
    undefined variable is never recorded and fails every time."""
    import marshal

    import pytest

    from translator.nix import bind_check, evaluator, limits, parse_cache, source_files

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NIX2IMAGE_CACHE", raising=False)
    calls = []
    real = bind_check.check_variables
    monkeypatch.setattr(evaluator, "check_variables", lambda node, scope: (calls.append(node), real(node, scope)))
    f = tmp_path / "lib.nix"
    f.write_text("{ x }: { y = x * 2; }\n")
    os.utime(f, ns=(10**18, 10**18))

    def fresh_process():  # what a new process starts with: no in-memory caches
        monkeypatch.setattr(source_files, "_file_cache", {})
        monkeypatch.setattr(parse_cache, "_origin", {})

    def y() -> int:
        return evaluator.Evaluator().eval_string(f"(import {f} {{ x = 21; }}).y")

    fresh_process()
    assert y() == 42 and len(calls) == 2  # the -E string and the file
    entries = sorted((tmp_path / "cache" / "nix2image" / "ast").rglob("*.ast"))
    assert len(entries) == 2  # the -E text is cached like a file (keyed by its text, name and directory)
    assert [len(marshal.loads(e.read_bytes())[1]) for e in entries] == [1, 1]
    fresh_process()
    calls.clear()
    assert y() == 42 and calls == []  # both entries say they are bound in this scope
    fresh_process()
    calls.clear()
    other = evaluator.Evaluator()
    other._global_key = "another-scope"
    assert other.eval_string(f"(import {f} {{ x = 21; }}).y") == 42 and len(calls) == 2  # checked again
    assert [len(marshal.loads(e.read_bytes())[1]) for e in entries] == [2, 2]  # and recorded too
    impure = parse_cache.scope_key(evaluator.Evaluator().global_names)
    monkeypatch.setattr(limits.SETTINGS, "pure_eval", True)
    assert parse_cache.scope_key(evaluator.Evaluator().global_names) != impure  # no currentTime
    monkeypatch.setattr(limits.SETTINGS, "pure_eval", False)

    bad = tmp_path / "bad.nix"
    bad.write_text("{ x }: if x then nope else 1\n")
    os.utime(bad, ns=(10**18, 10**18))
    for _ in range(2):
        fresh_process()
        with pytest.raises(evaluator.EvalError, match="undefined variable 'nope'"):
            evaluator.Evaluator().eval_string(f"import {bad}")


# --- lambda bodies stored apart ----------------------------------------------------------------

_BIG_BODY = "{ a, b ? 2 }: let x = a + b; y = [ x x x ]; in { inherit x y; z = builtins.map (v: v * a) y; w = \"${toString x}-${toString b}\"; }"


def test_large_lambda_bodies_are_decoded_when_first_read():
    """A large body is stored as bytes and decoded on first read (then kept); a small one is
    decoded with its file; re-encoding an unread body keeps its bytes; what is read equals the
    parse."""
    import marshal

    from translator.nix import ast
    from translator.nix.ast_codec import LAZY_BODY_NODES, decode, encode
    from translator.nix.parser import parse_string

    src = f"{{ big = {_BIG_BODY}; small = x: x; }}"
    tree = parse_string(src, "«lazy»", "/base")
    back = decode(marshal.loads(marshal.dumps(encode(tree))))
    big, small = back.attrs["big"].expr, back.attrs["small"].expr
    assert type(big.raw_body) is ast.LazyExpr and type(small.raw_body) is ast.Var
    assert len(encode(tree.attrs["big"].expr.body)[1]) >= LAZY_BODY_NODES
    lazy_bytes = big.raw_body.data
    again = decode(marshal.loads(marshal.dumps(encode(back))))  # not read: stored as it was
    assert again.attrs["big"].expr.raw_body.data == lazy_bytes
    _same_tree(tree, back, {})  # reading every field decodes the body
    assert type(big.raw_body) is ast.Let and big.body is big.raw_body  # kept once decoded


def test_cached_lazy_bodies_evaluate_and_report_positions(tmp_path):
    """From the cache (second run), a function whose body was stored apart evaluates as from
    source, errors inside it name the right line and column, and ``parse`` prints it whole."""
    from conftest import run_cli

    f = tmp_path / "f.nix"
    f.write_text(f"let f = {_BIG_BODY};\n  g = {{ n }}: let q = n * 2; r = [ q q q q q ]; s = builtins.head r; in\n"
                 "    if n > 100 then q + \"too big\" else { inherit q r s; t = s + n; u = [ q r s ]; };\n"
                 "in [ (f { a = 3; }).z (g { n = 5; }).t (g { n = 500; }) ]\n")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    runs = [run_cli("eval", "--strict", str(f), env=env) for _ in range(2)]
    for r in runs:
        assert r.returncode == 1 and "cannot add a string to an integer" in r.stderr, r.stderr
    assert runs[0].stderr == runs[1].stderr and f"at {f}:3:" in runs[0].stderr
    good = tmp_path / "good.nix"
    good.write_text(f"let f = {_BIG_BODY}; in (f {{ a = 3; }}).z\n")
    first, second = (run_cli("eval", "--strict", str(good), env=env) for _ in range(2))
    assert first.stdout == second.stdout == "[ 15 15 15 ]\n", (first.stderr, second.stderr)
    parsed = [run_cli("parse", str(good), env=env).stdout for _ in range(2)]
    assert parsed[0] == parsed[1] and "map" in parsed[0]


@pytest.fixture
def file_runs(tmp_path, monkeypatch):
    """``(f, opened, parsed, run)``: a settled file ``f.nix`` (written just now, yet trusted),
    the files source_files opened and parsed, and ``run()`` parsing it as a new process would
    (no in-memory caches; the same cache directory)."""
    import builtins

    from translator.nix import parse_cache, source_files
    from translator.store import fsstate

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NIX2IMAGE_CACHE", raising=False)
    monkeypatch.setattr(fsstate, "SETTLED_NS", -10**18)
    opened: list[str] = []
    parsed: list[str] = []
    real_open, real_parse = builtins.open, source_files._parse_text
    monkeypatch.setattr(source_files, "open", lambda p, *a, **k: (opened.append(str(p)), real_open(p, *a, **k))[1],
                        raising=False)
    monkeypatch.setattr(source_files, "_parse_text", lambda text, p: (parsed.append(p), real_parse(text, p))[1])
    f = tmp_path / "f.nix"
    f.write_text("{ a = 1; }\n")

    def run():
        monkeypatch.setattr(source_files, "_file_cache", {})
        monkeypatch.setattr(parse_cache, "_origin", {})
        opened.clear()
        parsed.clear()
        return source_files.parse_file(str(f))

    return f, opened, parsed, run


def test_unchanged_file_found_by_identity_without_reading_it(file_runs):
    """A settled regular file's entry is found by its identity (device, inode, size, mtime,
    ctime): a later process neither reads nor hashes it. An edit that keeps the size and puts the
    mtime back still moves the ctime: read and parsed again."""
    f, opened, _parsed, fresh_parse = file_runs
    assert fresh_parse().attrs["a"].expr.value == 1 and opened == [str(f)]
    assert fresh_parse().attrs["a"].expr.value == 1 and opened == []  # from the entry, unread
    st = f.stat()
    f.write_text("{ a = 2; }\n")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert fresh_parse().attrs["a"].expr.value == 2 and opened == [str(f)]


def test_touched_file_is_read_again_but_not_parsed(file_runs):
    """An identity change without a content change (touch, a fresh checkout) costs a read and a
    hash: the content's entry is still there, so the file is not parsed again."""
    f, _opened, parsed, fresh_parse = file_runs
    assert fresh_parse().attrs["a"].expr.value == 1 and parsed == [str(f)]
    os.utime(f)  # touched: new mtime and ctime, same content
    assert fresh_parse().attrs["a"].expr.value == 1 and parsed == []
