"""Store path computation and validation (translator.store.storepath), checked against Nix 2.8."""

from __future__ import annotations

import subprocess

import pytest

from translator.store import storepath as sp
from translator.store.hashing import hash_string, parse_hash
from translator.store.add import text_to_store_path


def nix_eval(expr: str, env, extra=()) -> subprocess.CompletedProcess:
    return subprocess.run(["nix-instantiate", "--store", "dummy://", *extra, "--eval", "-E", expr], env=env,
                          capture_output=True, encoding="utf-8", errors="surrogateescape")


def test_text_path_known_value():
    # builtins.toFile "a" "b" in Nix 2.8
    assert text_to_store_path("a", "b") == "/nix/store/g76zcpqc540lrc8i6g7xy6ip0npn2hnp-a"


def test_store_dir_override(nix):
    old = sp.store_dir()
    try:
        sp.set_store_dir("/custom/store/")
        ours = text_to_store_path("a", "b")
    finally:
        sp.set_store_dir(old)
    theirs = nix_eval('builtins.toFile "a" "b"', nix, ["--store", "dummy://?store=/custom/store"])
    assert theirs.stdout.strip() == f'"{ours}"' == '"/custom/store/65fwvs5npc67x88qqnc77pvjpmcgxm8g-a"'
    assert sp.store_dir() == "/nix/store"


@pytest.mark.parametrize("name,fragment", [
    ("a b", "contains illegal character ' '"),
    ("", "has an empty name"),
    ("x" * 212, "has a name longer than 211 characters"),
    ("caf\u00e9", "contains illegal character"),
])
def test_bad_names_read_like_nix(nix, name, fragment):
    with pytest.raises(sp.BadStorePath) as e:
        text_to_store_path(name, "b")
    assert fragment in str(e.value)
    proc = nix_eval(f'builtins.toFile "{name}" "b"', nix)
    assert proc.returncode != 0
    if name.isascii():
        assert str(e.value) in proc.stderr
    else:  # Nix prints the first byte of a multi-byte character; we print the character
        assert str(e.value)[:-3] in proc.stderr


@pytest.mark.parametrize("name", ["x" * 211, ".dot", "a+b=c?d_e-f.g", "-", "0"])
def test_good_names(nix, name):
    proc = nix_eval(f'builtins.toFile "{name}" "b"', nix)
    assert proc.stdout.strip() == f'"{text_to_store_path(name, "b")}"'


def test_fixed_output_paths(nix):
    h = parse_hash("sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")
    cases = {
        "source": sp.make_fixed_output_path("source", h, recursive=True),
        "flat": sp.make_fixed_output_path("flat", h, recursive=False),
        "sha1r": sp.make_fixed_output_path("sha1r", hash_string("sha1", "x"), recursive=True),
    }
    assert cases["source"] != sp.make_fixed_output_path("source", h, recursive=False)
    # `nix-store --add-fixed --recursive sha1` is not needed: a FOD with that hash names the same path
    expr = ("[ (derivation { name = \"source\"; builder = \"b\"; system = \"s\"; outputHashMode = \"recursive\";"
            " outputHash = \"sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=\"; }).outPath"
            " (derivation { name = \"flat\"; builder = \"b\"; system = \"s\";"
            " outputHash = \"sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=\"; }).outPath"
            f" (derivation {{ name = \"sha1r\"; builder = \"b\"; system = \"s\"; outputHashMode = \"recursive\";"
            f" outputHashAlgo = \"sha1\"; outputHash = \"{hash_string('sha1', 'x').base16()}\"; }}).outPath ]")
    proc = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", "-E", expr],
                          env=nix, capture_output=True, text=True, check=True)
    import json
    assert json.loads(proc.stdout) == [cases["source"], cases["flat"], cases["sha1r"]]


def test_references_only_for_source_paths():
    with pytest.raises(ValueError):
        sp.make_fixed_output_path("x", hash_string("sha1", "x"), recursive=True, references=["/nix/store/a"])


def test_parse_and_split():
    p = "/nix/store/g76zcpqc540lrc8i6g7xy6ip0npn2hnp-a"
    assert sp.parse_store_path(p) == ("g76zcpqc540lrc8i6g7xy6ip0npn2hnp", "a")
    assert sp.is_store_path(p)
    assert not sp.is_store_path(p + "/bin")
    assert not sp.is_store_path("/nix/store/short-a")
    assert not sp.is_store_path("/nix/store/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-a")  # 'e' is not base32
    assert not sp.is_store_path("/tmp/g76zcpqc540lrc8i6g7xy6ip0npn2hnp-a")
    assert sp.to_store_path(p + "/bin/sh") == (p, "/bin/sh")
    assert sp.to_store_path(p) == (p, "")
    assert sp.is_in_store(p + "/x") and not sp.is_in_store("/nix/store")
    assert sp.store_path_name(p) == "a"
    assert sp.output_path_name("hello", "out") == "hello"
    assert sp.output_path_name("hello", "dev") == "hello-dev"


def test_make_type():
    assert sp.make_type("text", ["/nix/store/b", "/nix/store/a", "/nix/store/a"]) == "text:/nix/store/a:/nix/store/b"
    assert sp.make_type("source", [], True) == "source:self"
