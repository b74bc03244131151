"""Unpacking a downloaded source (``--allow-fetch``) on every Python 3.11: with PEP 706's ``tar``
filter where the Python has it (3.11.4 and later), else members checked the same way one at a
time (Debian 12's python3 is 3.11.2, whose ``extractall`` has no ``filter``). Both give the same
tree and refuse the same escapes."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest

from translator.universe import source_fetch


def make_tar(path: Path, members: list[tuple[str, str, object]]) -> str:
    """members: (name, kind, data or link target); kinds: file, dir, sym, suid."""
    with tarfile.open(path, "w") as tf:
        for name, kind, extra in members:
            ti = tarfile.TarInfo(name)
            if kind == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o775
                tf.addfile(ti)
            elif kind == "sym":
                ti.type, ti.linkname = tarfile.SYMTYPE, str(extra)
                tf.addfile(ti)
            else:
                data = str(extra).encode()
                ti.size, ti.mode = len(data), 0o4777 if kind == "suid" else 0o644
                tf.addfile(ti, io.BytesIO(data))
    return str(path)


def tree(root: Path) -> dict[str, tuple]:
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            p = Path(dirpath) / name
            st = p.lstat()
            what = os.readlink(p) if p.is_symlink() else (p.read_bytes() if p.is_file() else None)
            out[str(p.relative_to(root))] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), what)
    return out


@pytest.fixture(params=["filter", "fallback"])
def how(request, monkeypatch):
    if request.param == "fallback":
        monkeypatch.delattr(tarfile, "tar_filter", raising=False)
    elif not hasattr(tarfile, "tar_filter"):
        pytest.skip("this Python has no extraction filters (the fallback is what runs here)")
    return request.param


def test_a_source_tree_unpacks_alike(tmp_path, how):
    archive = make_tar(tmp_path / "src.tar", [
        ("repo-abc", "dir", None), ("repo-abc/bin", "dir", None), ("repo-abc/bin/tool", "suid", "#!/bin/sh\n"),
        ("repo-abc/README", "file", "hello\n"), ("repo-abc/link", "sym", "README"),
        ("repo-abc/abs", "sym", "/usr/bin/env"),  # an absolute symlink is kept, as the tar filter keeps it
        ("/repo-abc/leading-slash", "file", "x"),
    ])
    into = tmp_path / "into"
    into.mkdir()
    top = source_fetch._unpack(archive, str(into))
    assert top == str(into / "repo-abc")
    got = tree(into)
    assert got["repo-abc/bin/tool"][1] == 0o755  # setuid and group/other write dropped
    assert got["repo-abc/link"][2] == "README" and got["repo-abc/abs"][2] == "/usr/bin/env"
    assert got["repo-abc/leading-slash"][2] == b"x"
    assert got["repo-abc/README"][1] == 0o644


@pytest.mark.parametrize("members", [
    [("../escape", "file", "x")],
    [("a", "dir", None), ("a/../../escape", "file", "x")],
    [("out", "sym", "/tmp"), ("out/escape", "file", "x")],  # through a symlink extracted before
], ids=["dotdot", "nested-dotdot", "via-symlink"])
def test_escapes_are_refused(tmp_path, how, members):
    archive = make_tar(tmp_path / "evil.tar", members)
    into = tmp_path / "into"
    into.mkdir()
    with pytest.raises(source_fetch.FetchError, match="unpacking the downloaded source"):
        source_fetch._unpack(archive, str(into))
    assert not (tmp_path / "escape").exists() and not Path("/tmp/escape").exists()
