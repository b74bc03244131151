"""Bad catalog files and bad `nix2image catalog` arguments: positioned errors, exit 1, no traceback."""

from __future__ import annotations

import json

import pytest

A = "/nix/store/" + "a" * 32 + "-x-1.0"
B = "/nix/store/" + "b" * 32 + "-y-2.0"

CASES = {
    # name: (file text, expected message part, expected "file:line:col" or None)
    "syntax": ('{\n  "paths": {\n    "%s": {"narSize": 1, "references": []},\n  }\n}\n' % A,
               "invalid JSON", ":4:3"),
    "dangling-reference": ('{\n  "paths": {\n    "%s": {"narSize": 1, "references": ["%s"]}\n  }\n}\n' % (A, B),
                           f"reference {B} is not described", ":3:5"),
    "output-not-described": ('{\n  "paths": {},\n  "packages": {\n    "app": {"pname": "app", "version": "1", "outputs": {"out": "%s"}}\n  }\n}\n' % A,
                             "packages.app.outputs.out", ":4:5"),
    "not-an-object": ("[1, 2]\n", "expected a JSON object", ":1:1"),
    "bad-store-path": ('{"paths": {"/nix/store/short-x": {"narSize": 1}}}', "is not a store path", ":1:12"),
    "negative-size": ('{\n "paths": {\n  "%s": {"narSize": -1}\n }\n}' % A, "narSize must be a non-negative integer", ":3:3"),
    "missing-pname": ('{\n "paths": {"%s": {"narSize": 1}},\n "packages": {\n  "x": {"version": "1", "outputs": {"out": "%s"}}\n }\n}' % (A, A),
                      "packages.x: pname must be a non-empty string", ":4:3"),
    "unknown-field": ('{\n "paths": {"%s": {"narSize": 1, "refs": []}}\n}' % A, "unknown field(s) refs", ":2:12"),
    "bad-attr": ('{\n "paths": {"%s": {"narSize": 1}},\n "packages": {\n  "9 lives": {"pname": "x", "outputs": {"out": "%s"}}\n }\n}' % (A, A),
                 "is not an attribute path", ":4:3"),
    "bad-alias": ('{\n "aliases": {\n  "jdk": "nope"\n }\n}', "aliases.jdk: target 'nope' is not a package", ":3:3"),
    "wrong-format": ('{"format": "nix2image-catalog/9"}', "unsupported format", ":1:2"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("mode", ["check", "input"])
def test_bad_catalog_file(cli, tmp_path, case, mode):
    text, message, where = CASES[case]
    if case == "not-an-object" and mode == "input":  # read as a (bad) closure list instead
        message, where = "entry 0 is not an object", ":1:2"
    f = tmp_path / f"{case}.json"
    f.write_text(text)
    args = ["catalog", "--check", str(f)] if mode == "check" else ["catalog", str(f), "-o", str(tmp_path / "out.json")]
    proc = cli(*args)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: "), proc.stderr
    assert message in proc.stderr
    assert f"{f}{where}" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert not (tmp_path / "out.json").exists()


def test_good_catalog_checks(cli, tmp_path):
    f = tmp_path / "ok.json"
    f.write_text(json.dumps({"paths": {A: {"narSize": 3, "references": [A]}},
                             "packages": {"x": {"pname": "x", "version": "1.0", "outputs": {"out": A}}}}))
    proc = cli("catalog", "--check", str(f))
    assert proc.returncode == 0, proc.stderr
    assert "1 packages, 1 paths" in proc.stdout


@pytest.mark.parametrize("args,message", [
    (["catalog"], "nothing to read"),
    (["catalog", "/no/such/file.json"], "input /no/such/file.json does not exist"),
    (["catalog", "--roots", "/tmp"], "--roots /tmp: not a store path"),
    (["catalog", "--db", "/no/such/db.sqlite"], "no Nix database at /no/such/db.sqlite"),
    (["catalog", "--store", "/no/such/dir"], "--store /no/such/dir: no such directory"),
    (["catalog", "--check"], "--check needs catalog files"),
])
def test_bad_arguments(cli, args, message):
    proc = cli(*args)
    assert proc.returncode == 1
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_bad_closure_inputs(cli, tmp_path):
    f = tmp_path / "open.json"
    f.write_text(json.dumps([{"path": A, "narSize": 1, "references": [B]}]))
    proc = cli("catalog", str(f))
    assert proc.returncode == 1 and "not closed" in proc.stderr and "Traceback" not in proc.stderr
    g = tmp_path / "reg"
    g.write_text(f"{A}\nsha256:{'0' * 52}\n12\n\n2\n{B}\n")
    proc = cli("catalog", str(g))
    assert proc.returncode == 1 and f"{g}:5:1" in proc.stderr and "Traceback" not in proc.stderr
    h = tmp_path / "db.sqlite"
    h.write_bytes(b"not a database at all" * 10)
    proc = cli("catalog", "--db", str(h))
    assert proc.returncode == 1 and "Nix database" in proc.stderr and "Traceback" not in proc.stderr
