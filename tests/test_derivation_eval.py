"""Derivations and store builtins through the whole front end: ``nix2image eval`` against
``nix-instantiate --eval`` on the same files (JSON and Nix's printed format)."""

from __future__ import annotations

import json
import os
import time
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli


def write_sources(root: Path) -> None:
    (root / "src" / "sub").mkdir(parents=True)
    (root / "src" / "main.c").write_text("int main() { return 0; }\n")
    (root / "src" / "notes.txt").write_text("notes\n")
    (root / "src" / "sub" / "helper.sh").write_text("#!/bin/sh\necho help\n")
    (root / "src" / "sub" / "helper.sh").chmod(0o755)
    (root / "src" / "link").symlink_to("main.c")
    (root / "builder.sh").write_text("#!/bin/sh\necho build > $out\n")
    # unique contents: the sources are new to the Nix store on every run
    (root / "src" / "sub" / "stamp").write_text(f"{time.time_ns()} {os.getpid()}\n")


CASES = {
    "plain": 'derivation { name = "hello"; builder = "/bin/sh"; system = "x86_64-linux"; }',
    "plain_attrs": 'let d = derivation { name = "hello"; builder = "/bin/sh"; system = "x86_64-linux"; }; in '
                   '{ inherit (d) name type outputName drvPath outPath system; all = map (x: x.outPath) d.all; '
                   'drvAttrs = d.drvAttrs; }',
    "multi": 'let d = derivation { name = "m"; builder = "/bin/sh"; system = "x86_64-linux"; '
             'outputs = [ "out" "dev" "lib" ]; }; in { out = d.outPath; dev = d.dev.outPath; lib = d.lib.outPath; '
             'devName = d.dev.outputName; names = map (o: o.outputName) d.all; same = d.dev.drvPath == d.drvPath; '
             'first = d.outputName; libdev = d.lib.dev.outPath; }',
    "dependency": 'let a = derivation { name = "a"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = ["out" "bin"]; }; '
                  'b = derivation { name = "b"; builder = "/bin/sh"; system = "x86_64-linux"; '
                  'args = [ "-c" "${a.bin}/bin/a > $out" ]; inherit a; }; in [ b.drvPath b.outPath ]',
    "source_interpolation": 'derivation { name = "s"; system = "x86_64-linux"; builder = ./builder.sh; '
                            'src = ./src; main = "${./src/main.c}"; }',
    "path_builtin": '{ plain = builtins.path { path = ./src; }; named = builtins.path { path = ./src; name = "source"; }; '
                    'flat = builtins.path { path = ./src/main.c; recursive = false; }; '
                    'filtered = builtins.path { path = ./src; name = "f"; filter = p: t: t != "symlink" && baseNameOf p != "notes.txt"; }; }',
    "filter_source": 'builtins.filterSource (path: type: type == "directory" || builtins.match ".*\\\\.c" path != null) ./src',
    "to_file": 'let a = builtins.toFile "a.txt" "hello"; b = builtins.toFile "b.sh" "cat ${a} ${./src/main.c}\\n"; in '
               '{ inherit a b; ctx = builtins.getContext b; }',
    "placeholder": '{ p = builtins.placeholder "out"; d = builtins.placeholder "dev"; sd = builtins.storeDir; '
                   'd2 = (derivation { name = "ph"; builder = "/bin/sh"; system = "x86_64-linux"; '
                   'outputs = [ "out" "dev" ]; flags = "--dev=${builtins.placeholder "dev"}"; }).drvPath; }',
    "contexts": 'let d = derivation { name = "c"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = ["out" "dev"]; }; in '
                '{ o = builtins.getContext d.outPath; dv = builtins.getContext d.dev.outPath; '
                'drv = builtins.getContext d.drvPath; s = builtins.getContext "${d} ${d.dev}"; }',
    "fixed_output": '[ (derivation { name = "src.tar.gz"; builder = "/bin/sh"; system = "x86_64-linux"; '
                    'outputHash = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="; }).outPath '
                    '(derivation { name = "src"; builder = "/bin/sh"; system = "x86_64-linux"; outputHashMode = "recursive"; '
                    'outputHashAlgo = "sha256"; outputHash = "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s"; }).drvPath ]',
    "structured": '(derivation { name = "st"; builder = "/bin/sh"; system = "x86_64-linux"; __structuredAttrs = true; '
                  'list = [ 1 2 { a = ./src/main.c; } ]; float = 0.1; }).drvPath',
    "ignore_nulls": '(derivation { name = "n"; builder = "/bin/sh"; system = "x86_64-linux"; __ignoreNulls = true; x = null; }).drvPath',
    "lazy_attrs": '(derivation { name = "lazy"; builder = "/bin/sh"; system = "x86_64-linux"; broken = throw "never"; }).name',
    "override_style": 'let mk = attrs: derivation ({ builder = "/bin/sh"; system = "x86_64-linux"; } // attrs); '
                      'a = mk { name = "a"; }; b = mk { name = "b"; deps = [ a a.drvPath ]; }; in b.outPath',
    "string_coercions": '(derivation { name = "co"; builder = "/bin/sh"; system = "x86_64-linux"; '
                        'l = [ "a" 1 true null [ "b" ] 2.5 ./src/main.c ]; i = 3; t = true; f = false; n = null; '
                        'args = [ 1 true null ./builder.sh ]; }).drvPath',
    "global_names": '[ (placeholder "out") (derivationStrict { name = "g"; builder = "b"; system = "s"; }).out '
                    '(__toFile "t" "x") __storeDir (__path { path = ./src/main.c; }) (__filterSource (p: t: true) ./src) '
                    '(builtins ? placeholder) (builtins ? derivationStrict) (builtins.typeOf derivation) ]',
    "whole_multi": 'derivation { name = "m"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = [ "dev" "out" ]; }',
    "whole_list": 'let d = derivation { name = "m"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = [ "out" "lib" ]; }; '
                  'in [ d d.lib d.out.drvAttrs d.all ]',
    "store_subpath": '{ a = builtins.path { path = "${./src}/sub"; name = "x"; }; '
                     'b = builtins.filterSource (p: t: builtins.match "/nix/store/.*" p != null) "${./src}"; }',
}

# Cases whose `=` (drvPath) context or store path arguments Nix resolves by reading the store: Nix
# evaluates these with a writable local store (we compute the same without writing anything).
NEEDS_STORE = {"override_style", "store_subpath"}


def nix_instantiate(file: Path, env, *, json_out: bool, local_store: bool) -> subprocess.CompletedProcess:
    store = ["--read-write-mode"] if local_store else ["--store", "dummy://"]
    args = ["nix-instantiate", *store, "--eval", "--strict", *(["--json"] if json_out else []), str(file)]
    return subprocess.run(args, env=env, capture_output=True, text=True)


@pytest.fixture
def workdir(tmp_path):
    write_sources(tmp_path)
    return tmp_path


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("json_out", [True, False], ids=["json", "printed"])
def test_eval_matches_nix(nix, workdir, case, json_out):
    f = workdir / f"{case}.nix"
    f.write_text(CASES[case] + "\n")
    # ours first: Nix may add the sources to the store, and we must not depend on finding them there
    got = run_cli("eval", "--strict", *(["--json"] if json_out else []), str(f))
    expected = nix_instantiate(f, nix, json_out=json_out, local_store=case in NEEDS_STORE)
    assert expected.returncode == 0, expected.stderr
    assert got.returncode == 0, got.stderr
    if json_out:
        assert json.loads(got.stdout) == json.loads(expected.stdout)
    else:
        assert got.stdout == expected.stdout


ERROR_CASES = {
    "missing_builder": ('derivation {\n  name = "a";\n  system = "x";\n}', "required attribute 'builder' missing", (2, 3)),
    "bad_output_mode": ('derivation {\n  name = "a"; builder = "b"; system = "x";\n  outputHashMode = "deep";\n}',
                        "invalid value 'deep' for 'outputHashMode' attribute", (2, 3)),
    "set_in_env": ('derivation {\n  name = "a"; builder = "b"; system = "x";\n  bad = { };\n}',
                   "cannot coerce a set to a string", (3, 3)),
    "to_file_drv": ('builtins.toFile "f" "${derivation { name = "a"; builder = "b"; system = "x"; }}"',
                    "in 'toFile': the file named 'f' must not contain a reference to a derivation", (1, 1)),
    "path_unknown_arg": ('builtins.path {\n  path = ./src;\n  foo = 1;\n}', "unsupported argument 'foo' to 'addPath'", (3, 3)),
    "path_required": ('builtins.path { name = "x"; }', "'path' required", (1, 1)),
    "filter_not_function": ('builtins.filterSource 1 ./src', "first argument in call to 'filterSource' is not a function but an integer", (1, 1)),
    "store_path_outside": ('builtins.storePath /tmp', "path '/tmp' is not in the Nix store", (1, 1)),
    "path_mismatch": ('builtins.path { path = ./src; sha256 = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; }',
                      "store path mismatch in (possibly filtered) path added from", None),
    "flat_directory": ('builtins.path { path = ./src; recursive = false; }', "reading from file: Is a directory", None),
    "missing_source": ('"${./nonexistent}"', "getting status of", None),
    "bad_import_name": ('builtins.path { path = ./src; name = "a b"; }', "contains illegal character ' '", None),
    "bad_sha256": ('builtins.path {\n  path = ./src;\n  sha256 = "abc"; }', "hash 'abc' has wrong length for hash type 'sha256'", None),
    "filter_not_bool": ('builtins.path { path = ./src; filter = p: t: 1; }', "value is an integer while a Boolean was expected", (1, 1)),
    "drv_name": ('derivation { name = "x.drv"; builder = "b"; system = "s"; }', "derivation names are not allowed to end in '.drv'", (1, 14)),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_match_nix(nix, workdir, case):
    src, message, line_col = ERROR_CASES[case]
    f = workdir / f"{case}.nix"
    f.write_text(src + "\n")
    expected = nix_instantiate(f, nix, json_out=True, local_store=False)
    assert expected.returncode != 0 and message in expected.stderr
    got = run_cli("eval", "--strict", "--json", str(f))
    assert got.returncode != 0
    assert message in got.stderr
    assert "Traceback" not in got.stderr
    if line_col is not None:
        assert f"{f}:{line_col[0]}:{line_col[1]}" in expected.stderr
        assert f"{f}:{line_col[0]}:{line_col[1]}" in got.stderr


def test_inputs_read_from_store_derivations(nix, workdir):
    """A derivation this evaluation did not create (a .drv Nix wrote to the store) is read from disk
    and hashed like any other input: outputs through appendContext, and `=` (all outputs)."""
    dep = workdir / "dep.nix"
    dep.write_text(f'derivation {{ name = "ondisk-{time.time_ns()}"; builder = "/bin/sh"; system = "x86_64-linux"; '
                   'outputs = [ "out" "lib" ]; env = "a\\"b\\\\c\\nd"; }\n')
    drv = subprocess.run(["nix-instantiate", str(dep)], env=nix, capture_output=True, text=True,
                         check=True).stdout.strip().split("!")[0]
    f = workdir / "user.nix"
    f.write_text(f'(derivation {{ name = "user"; builder = "/bin/sh"; system = "x86_64-linux"; '
                 f'x = builtins.appendContext "x" {{ "{drv}" = {{ outputs = [ "lib" ]; }}; }}; '
                 f'y = builtins.appendContext "y" {{ "{drv}" = {{ allOutputs = true; }}; }}; }}).drvPath\n')
    got = run_cli("eval", "--json", str(f))
    expected = nix_instantiate(f, nix, json_out=True, local_store=True)
    assert expected.returncode == 0, expected.stderr
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == json.loads(expected.stdout)
