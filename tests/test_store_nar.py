"""NAR serialisation and the store paths of imported files/directories, against the installed Nix.

Each generated tree is hashed by us and by ``nix hash path`` / ``nix-store --dump``, and named by
us and by ``builtins.path`` (read-only evaluation) and ``nix-store --add`` (the local store).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from translator.store.add import path_info, path_to_store_path, text_to_store_path, StorePathMismatch
from translator.store.nar import NarError, dump, nar_bytes, nar_hash


def _tree_plain(root: Path) -> Path:
    (root / "f").write_text("hello\n")
    return root / "f"


def _tree_mixed(root: Path) -> Path:
    d = root / "mixed"
    (d / "sub" / "deeper").mkdir(parents=True)
    (d / "empty").mkdir()
    (d / "a.txt").write_bytes(b"a" * 8)           # exactly one padding unit
    (d / "B").write_bytes(b"")                     # empty file, upper case sorts first
    (d / "a-b").write_bytes(b"x" * 13)
    (d / "a b").write_bytes(b"spaced")
    (d / "ünï").write_text("unicode name")
    (d / "sub" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    os.chmod(d / "sub" / "run.sh", 0o755)
    (d / "sub" / "deeper" / "data.bin").write_bytes(bytes(range(256)) * 9000)  # > 1 MiB block
    os.symlink("../a.txt", d / "sub" / "link")
    os.symlink("/nonexistent/target", d / "dangling")
    os.symlink("sub", d / "dirlink")
    os.chmod(d / "a-b", 0o600)
    return d


def _tree_bytes_name(root: Path) -> Path:
    d = root / "bytes"
    d.mkdir()
    for name in (b"\xff\xfe", b"z", b"Z", b"a\x01", b".hidden", b"_u"):
        with open(os.path.join(os.fsencode(d), name), "wb") as f:
            f.write(name)
    return d


def _tree_exec_root(root: Path) -> Path:
    p = root / "tool"
    p.write_bytes(b"\x7fELF fake")
    os.chmod(p, 0o555)
    return p


def _tree_symlink_root(root: Path) -> Path:
    p = root / "ln"
    os.symlink("somewhere/else", p)
    return p


def _tree_empty_dir(root: Path) -> Path:
    p = root / "nothing"
    p.mkdir()
    return p


def _tree_deep(root: Path) -> Path:
    p = root / "deep"
    cur = p
    for i in range(60):
        cur = cur / f"d{i}"
    cur.mkdir(parents=True)
    (cur / "leaf").write_text("bottom")
    return p


TREES = [_tree_plain, _tree_mixed, _tree_bytes_name, _tree_exec_root, _tree_symlink_root, _tree_empty_dir, _tree_deep]


@pytest.fixture(params=TREES, ids=lambda f: f.__name__[6:])
def tree(request, tmp_path):
    return request.param(tmp_path)


def _run(args, env, **kw):
    return subprocess.run(args, env=env, capture_output=True, check=True, **kw).stdout


def test_nar_bytes_equal_nix_store_dump(tree, nix):
    assert nar_bytes(tree) == _run(["nix-store", "--dump", str(tree)], nix)


def test_nar_hash_equals_nix_hash_path(tree, nix):
    h, size = nar_hash(tree)
    assert h.sri() == _run(["nix", "hash", "path", str(tree)], nix, text=True).strip()
    assert size == len(_run(["nix-store", "--dump", str(tree)], nix))


def test_store_path_equals_builtins_path(tree, nix):
    expr = f'builtins.path {{ path = "{tree}"; name = "src"; }}'
    ours = path_to_store_path(str(tree), "src")
    nix_path = _run(["nix-instantiate", "--store", "dummy://", "--eval", "-E", expr], nix, text=True).strip()
    assert nix_path == f'"{ours}"'


def test_store_path_equals_nix_store_add(tree, nix):
    if not os.path.basename(tree).isascii() or " " in os.path.basename(tree):
        pytest.skip("name not valid in the store")
    added = _run(["nix-store", "--add", str(tree)], nix, text=True).strip()
    assert path_to_store_path(str(tree)) == added


def test_flat_file_equals_nix_store_add_flat(tmp_path, nix):
    f = tmp_path / "flat.txt"
    f.write_bytes(b"flat contents\n" * 100)
    expr = f'builtins.path {{ path = "{f}"; recursive = false; }}'
    ours = path_to_store_path(str(f), recursive=False)
    assert _run(["nix-instantiate", "--store", "dummy://", "--eval", "-E", expr], nix, text=True).strip() == f'"{ours}"'
    assert _run(["nix-store", "--add-fixed", "sha256", str(f)], nix, text=True).strip() == ours


def test_filter_matches_filter_source(tmp_path, nix):
    d = _tree_mixed(tmp_path)
    seen = []

    def keep(path, kind):
        seen.append((path, kind))
        return kind != "symlink" and not path.endswith(".txt")

    ours = path_to_store_path(str(d), filter=keep)
    expr = (f'builtins.filterSource (p: t: t != "symlink" && builtins.match ".*\\\\.txt" p == null) {d}')
    assert _run(["nix-instantiate", "--store", "dummy://", "--eval", "-E", expr], nix, text=True).strip() == f'"{ours}"'
    # the filter sees full paths and Nix's type names, never the root, and not below pruned dirs
    assert (str(d / "dirlink"), "symlink") in seen
    assert (str(d / "empty"), "directory") in seen
    assert (str(d / "sub" / "run.sh"), "regular") in seen
    assert all(p != str(d) for p, _ in seen)


def test_filter_prunes_directories(tmp_path):
    d = _tree_mixed(tmp_path)
    seen = []

    def no_sub(path, kind):
        seen.append(path)
        return not path.endswith("/sub")

    path_to_store_path(str(d), filter=no_sub)
    assert not any("/sub/" in p for p in seen)


def test_expected_sha256(tmp_path):
    f = _tree_plain(tmp_path)
    _, h, _ = path_info(str(f))
    assert path_to_store_path(str(f), expected_sha256=h.base32()) == path_to_store_path(str(f))
    with pytest.raises(StorePathMismatch, match="store path mismatch in \\(possibly filtered\\) path added from"):
        path_to_store_path(str(f), expected_sha256="sha256-" + "A" * 43 + "=")


def test_streaming_sink_sees_blocks(tmp_path):
    d = _tree_mixed(tmp_path)
    blocks = []
    size = dump(d, blocks.append)
    assert size == sum(map(len, blocks)) == len(nar_bytes(d))
    assert max(map(len, blocks)) <= 1 << 20


def test_unsupported_file_type(tmp_path):
    d = tmp_path / "withfifo"
    d.mkdir()
    os.mkfifo(d / "pipe")
    with pytest.raises(NarError, match="has an unsupported type"):
        nar_hash(d)


def test_cache_sees_changed_file(tmp_path):
    f = tmp_path / "changing"
    f.write_text("one")
    first = path_to_store_path(str(f))
    f.write_text("two!")
    assert path_to_store_path(str(f)) != first


def test_text_path_equals_to_file(nix):
    ref = text_to_store_path("dep", "dependency")
    ours = text_to_store_path("script.sh", "#!/bin/sh\ncat " + ref + "\n", [ref])
    expr = ('let dep = builtins.toFile "dep" "dependency"; in '
            'builtins.toFile "script.sh" "#!/bin/sh\\ncat ${dep}\\n"')
    assert _run(["nix-instantiate", "--store", "dummy://", "--eval", "-E", expr], nix, text=True).strip() == f'"{ours}"'


def test_flat_import_follows_symlinks(tmp_path, nix):
    (tmp_path / "target").write_text("target contents")
    os.symlink("target", tmp_path / "link")
    expr = f'builtins.path {{ path = "{tmp_path / "link"}"; recursive = false; }}'
    ours = path_to_store_path(str(tmp_path / "link"), recursive=False)
    assert _run(["nix-instantiate", "--store", "dummy://", "--eval", "-E", expr], nix, text=True).strip() == f'"{ours}"'
    assert ours == path_to_store_path(str(tmp_path / "target"), "link", recursive=False)


def test_pinned_import_already_in_store(tmp_path, nix):
    d = tmp_path / "pinned"
    d.mkdir()
    (d / "f").write_text(f"unique {tmp_path}")
    added = _run(["nix-store", "--add", str(d)], nix, text=True).strip()
    _, h, _ = path_info(str(d))
    # the source is gone, but the pinned path is in the store: nothing needs to be read
    assert path_to_store_path(str(tmp_path / "gone"), "pinned", expected_sha256=h.sri()) == added
