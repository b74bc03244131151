"""Source hashes kept across runs (translator.store.source_hashes): a later process reuses the
hash of an unchanged file or tree, any change (even one that restores the mtime) is hashed again,
a source changed just now is not kept, and a damaged cache file is ignored."""

from __future__ import annotations

import os

import pytest

from translator.store import add, fsstate, nar, source_hashes


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A function that starts a 'new process': empty in-memory caches, same cache directory."""
    monkeypatch.setattr(source_hashes, "_file", None)
    source_hashes.configure(str(tmp_path / "cache" / "sources.marshal"))
    monkeypatch.setattr(fsstate, "SETTLED_NS", -10**18)  # keep even files written just now
    hashed: list[str] = []
    real = add.nar_hash
    monkeypatch.setattr(add, "nar_hash", lambda p, f=None: (hashed.append(p), real(p, f))[1])

    def new_process() -> list[str]:
        source_hashes.save()  # what the exit handler of the previous process does
        monkeypatch.setattr(source_hashes, "_known", None)
        monkeypatch.setattr(source_hashes, "_used", set())
        monkeypatch.setattr(source_hashes, "_added", {})
        add.clear_cache()
        hashed.clear()
        return hashed

    return new_process


def _sources(tmp_path):
    """A file and a two-level tree."""
    f = tmp_path / "builder.sh"
    f.write_text("echo one\n")
    d = tmp_path / "tree"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "a").write_text("a")
    (d / "b").write_text("bb")
    return f, d


def test_unchanged_sources_are_hashed_once_across_processes(tmp_path, fresh):
    f, d = _sources(tmp_path)
    hashed = fresh()
    first = (add.path_info(str(f)), add.path_info(str(d)))
    assert sorted(hashed) == sorted([str(f), str(d)])
    hashed = fresh()
    assert (add.path_info(str(f)), add.path_info(str(d))) == first
    assert hashed == []  # both from the kept hashes
    assert first[1][1] == nar.nar_hash(str(d))[0]


def test_any_change_is_hashed_again(tmp_path, fresh):
    f, d = _sources(tmp_path)
    fresh()
    before_f, before_d = add.path_info(str(f)), add.path_info(str(d))
    st = f.stat()
    f.write_text("echo two\n")  # same size; the mtime put back: the ctime still moves
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    (d / "sub" / "c").write_text("new")  # a file added two levels down
    hashed = fresh()
    after_f, after_d = add.path_info(str(f)), add.path_info(str(d))
    assert sorted(hashed) == sorted([str(f), str(d)])
    assert after_f != before_f and after_f[1] == nar.nar_hash(str(f))[0]
    assert after_d != before_d and after_d[1] == nar.nar_hash(str(d))[0]


def test_a_source_changed_just_now_is_not_kept(tmp_path, fresh, monkeypatch):
    monkeypatch.setattr(fsstate, "SETTLED_NS", 2_000_000_000)
    f = tmp_path / "new.sh"
    f.write_text("echo fresh\n")
    fresh()
    add.path_info(str(f))
    hashed = fresh()
    add.path_info(str(f))
    assert hashed == [str(f)]


def test_a_damaged_cache_file_is_ignored(tmp_path, fresh):
    f = tmp_path / "x.sh"
    f.write_text("x\n")
    fresh()
    want = add.path_info(str(f))
    hashed = fresh()
    cache_file = tmp_path / "cache" / "sources.marshal"
    assert cache_file.exists()
    cache_file.write_bytes(b"\x00not marshal")
    assert add.path_info(str(f)) == want and hashed == [str(f)]
    fresh()  # written again, whole
    hashed = fresh()
    assert add.path_info(str(f)) == want and hashed == []


def test_a_path_is_copied_once_per_evaluation_as_nix_does(tmp_path, monkeypatch):
    """Nix's srcToStore: within one evaluation a path interpolated again is not hashed (nor even
    stat-ed) again; the next evaluation hashes it as it is then."""
    from translator.nix.evaluator import Evaluator

    f = tmp_path / "setup.sh"
    f.write_text("one\n")
    asked: list[str] = []
    real = add.path_to_store_path
    monkeypatch.setattr(add, "path_to_store_path", lambda p, *a, **k: (asked.append(p), real(p, *a, **k))[1])
    expr = f'let f = {f}; in [ "${{f}}" "${{f}}" (toString [ "${{f}}" ]) ]'
    first = Evaluator().eval_string(expr).items
    texts = [t.force().s for t in first]
    assert asked == [str(f)] and len(set(texts)) == 1
    f.write_text("two\n")
    os.utime(f, ns=(1, 1))  # an old mtime: the ctime still tells the change
    again = [t.force().s for t in Evaluator().eval_string(expr).items]
    assert asked == [str(f), str(f)] and again[0] != texts[0]
