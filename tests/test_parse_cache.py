"""Parsed files are kept per file state (inode, size, mtime): a long-lived process parses an
unchanged file once; a changed file is parsed again; a file changed just now is not kept."""

from __future__ import annotations

import os

from translator.nix.parser import parse_file


def test_unchanged_file_parsed_once_changed_file_again(tmp_path):
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
