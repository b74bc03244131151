"""Content sources: real store directories, bound files, and synthetic placeholders."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from translator.errors import UserError
from translator.storeinfo import PathInfo
from translator.universe.catalog import load_default
from translator.universe.contents import (DEFAULT_SCALE, LABEL_FILE, BoundContents, ChainContents, PlaceholderContents, build_content_source,
                                          StoreContents, clear_cache, default_cache_dir, remove_tree)


def tree_digest(root: str) -> str:
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            h.update(os.path.relpath(p, root).encode() + oct(st.st_mode).encode() + Path(p).read_bytes())
    return h.hexdigest()


def test_placeholder_layout_sizes_and_label(tmp_path):
    cat = load_default()
    py = cat.package("python3")
    src = PlaceholderContents(cat.paths, str(tmp_path), programs={py.out_path: "python3"})
    loc = src.location(py.out_path)
    assert loc.startswith(str(tmp_path)) and loc.endswith(py.out_path.rsplit("/", 1)[1])
    label = Path(loc, LABEL_FILE).read_text()
    assert "NOT the real package" in label and py.out_path in label
    refs = Path(loc, "nix-support/references").read_text().split()
    assert refs == list(py.outputs["out"].references)
    data = sum(f.stat().st_size for f in Path(loc, "share/nix2image-placeholder").iterdir())
    assert data == py.outputs["out"].nar_size // DEFAULT_SCALE
    prog = Path(loc, "bin/python3")
    assert prog.stat().st_mode & 0o111 and "placeholder" in prog.read_text()
    assert oct(Path(loc).stat().st_mode & 0o777) == "0o555"
    assert src.generated == {py.out_path}


def test_placeholder_full_size_and_determinism(tmp_path):
    cat = load_default()
    info = cat.path_info(cat.package("hello").out_path)
    a = PlaceholderContents(cat.paths, str(tmp_path / "a"), full_size=True).location(info.path)
    b = PlaceholderContents(cat.paths, str(tmp_path / "b"), full_size=True).location(info.path)
    assert tree_digest(a) == tree_digest(b)
    data = sum(f.stat().st_size for f in Path(a, "share/nix2image-placeholder").iterdir())
    assert data == info.nar_size
    # a different process (another hash seed) makes the same bytes
    code = ("import sys; from translator.universe.catalog import load_default; from translator.universe.contents import "
            "PlaceholderContents; c = load_default(); print(PlaceholderContents(c.paths, sys.argv[1], full_size=True)"
            ".location(c.package('hello').out_path))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c")], cwd=ROOT, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONHASHSEED="77"), check=True).stdout.strip()
    assert tree_digest(out) == tree_digest(a)


def test_placeholder_cache_is_reused_and_atomic(tmp_path):
    cat = load_default()
    p = cat.package("zlib").out_path
    src = PlaceholderContents(cat.paths, str(tmp_path))
    loc = src.location(p)
    mtime = os.stat(os.path.join(loc, LABEL_FILE)).st_mtime_ns
    assert PlaceholderContents(cat.paths, str(tmp_path)).location(p) == loc
    assert os.stat(os.path.join(loc, LABEL_FILE)).st_mtime_ns == mtime
    leftovers = [n for n in os.listdir(src.dir) if n.startswith(".tmp-")]
    assert leftovers == []
    clear_cache(str(tmp_path))
    assert not os.path.exists(tmp_path)


def test_placeholder_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == str(tmp_path / "nix2image")
    cat = load_default()
    loc = PlaceholderContents(cat.paths).location(cat.package("which").out_path)
    assert loc.startswith(str(tmp_path / "nix2image" / "placeholders"))


def test_unknown_paths_are_clear_errors(tmp_path):
    src = PlaceholderContents({}, str(tmp_path))
    with pytest.raises(UserError, match="no content for store path"):
        src.location("/nix/store/" + "0" * 32 + "-x")
    with pytest.raises(UserError, match="--bind"):
        StoreContents(str(tmp_path)).location("/nix/store/" + "0" * 32 + "-x")
    with pytest.raises(UserError):
        ChainContents(StoreContents(str(tmp_path)), BoundContents()).location("/nix/store/" + "0" * 32 + "-x")


def test_chain_and_bound(tmp_path):
    cat = load_default()
    local = tmp_path / "mine"
    local.mkdir()
    sp = "/nix/store/" + "1" * 32 + "-mine"
    root = tmp_path / "chroot"
    hello = cat.package("hello").out_path
    (root / hello[1:]).mkdir(parents=True)
    chain = ChainContents(BoundContents({sp: str(local)}), StoreContents(str(root)),
                          PlaceholderContents(cat.paths, str(tmp_path / "cache")))
    assert chain.location(sp) == str(local)
    assert chain.location(hello) == str(root) + hello  # the real store wins over placeholders
    glibc = cat.package("glibc").out_path
    assert chain.location(glibc).startswith(str(tmp_path / "cache"))
    assert chain.has(sp) and chain.has(glibc) and not chain.has("/nix/store/" + "2" * 32 + "-z")


def test_remove_tree_handles_read_only_dirs(tmp_path):
    d = tmp_path / "ro" / "inner"
    d.mkdir(parents=True)
    (d / "f").write_text("x")
    os.chmod(d, 0o555)
    os.chmod(d.parent, 0o555)
    remove_tree(tmp_path / "ro")
    assert not (tmp_path / "ro").exists()


def test_build_content_source(tmp_path):
    cat = load_default()
    src = build_content_source(cat.paths, packages=cat.packages, store_root=str(tmp_path / "none"),
                               placeholders=True, cache_dir=str(tmp_path / "cache"))
    jq = cat.package("jq")
    loc = src.location(jq.default_output.path)
    assert Path(loc, "bin", "jq").is_file()
    plain = build_content_source(cat.paths, store_root=str(tmp_path / "none"))
    with pytest.raises(UserError, match="--placeholders"):
        plain.location(jq.default_output.path)
