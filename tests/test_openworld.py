"""The open package world (issue 10 items 2-4): missing packages listed all at once, stand-ins
under --placeholders named in one warning, the shape of packages, overrideAttrs forms, and the
parse cache of nix2image's own Nix files (item 8)."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from conftest import run_cli

MISSING = textwrap.dedent("""\
    let pkgs = import <nixpkgs> { }; in
    pkgs.dockerTools.buildLayeredImage {
      name = "x";
      contents = [ pkgs.kmod pkgs.python3Packages.not-in-catalog ]
        ++ (with pkgs; [ psmisc kmod ]);
      config.Cmd = [ "${pkgs.haskellPackages.my-tool}/bin/t" ];
    }
    """)


def _write(tmp_path: Path, text: str, name: str = "image.nix") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_every_missing_package_in_one_error(tmp_path: Path) -> None:
    f = _write(tmp_path, MISSING)
    proc = run_cli("spec", str(f))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr == (
        "error: 4 packages are not in nix2image's catalog (attribute path and where it is used):\n"
        f"         pkgs.haskellPackages.my-tool         at {f}:6:21\n"
        f"         pkgs.kmod                            at {f}:4:16, {f}:5:29\n"
        f"         pkgs.psmisc                          at {f}:5:22\n"
        f"         pkgs.python3Packages.not-in-catalog  at {f}:4:26\n"
        "\n"
        "       hint: describe them with --catalog FILE (see `nix2image catalog`), provide each build with "
        "--bind NAME=PATH (e.g. --bind my-tool=./result), or use --placeholders for labelled synthetic stand-ins\n")


def test_placeholders_name_them_in_one_warning(tmp_path: Path) -> None:
    f = _write(tmp_path, MISSING)
    proc = run_cli("spec", str(f), "--placeholders", "--json")
    assert proc.returncode == 0, proc.stderr
    warning = ("warning: --placeholders: 4 packages not in nix2image's catalog are replaced by labelled synthetic "
               "packages:\n"
               f"         pkgs.haskellPackages.my-tool         at {f}:6:21\n"
               f"         pkgs.kmod                            at {f}:4:16, {f}:5:29\n"
               f"         pkgs.psmisc                          at {f}:5:22\n"
               f"         pkgs.python3Packages.not-in-catalog  at {f}:4:26")
    assert proc.stderr.count("pkgs.kmod") == 1, proc.stderr
    assert warning in proc.stderr
    spec = json.loads(proc.stdout)
    names = {p["path"].split("-", 1)[1] for p in spec["closure"]}
    # each stand-in has its kind's runtime: C on glibc, Python on the set's interpreter, a
    # Haskell program on gmp/libffi
    assert {"kmod", "psmisc", "not-in-catalog", "my-tool", "glibc-2.39-52", "python3-3.11.9", "gmp-with-cxx-6.3.0", "libffi-3.4.6"} <= names


def test_bind_supplies_a_missing_package(tmp_path: Path) -> None:
    f = _write(tmp_path, textwrap.dedent("""\
        let pkgs = import <nixpkgs> { }; in
        pkgs.dockerTools.buildLayeredImage { name = "x"; contents = [ pkgs.my-tool ]; }
        """))
    out = tmp_path / "result"
    (out / "bin").mkdir(parents=True)
    (out / "bin" / "my-tool").write_text("#!/bin/sh\n")
    proc = run_cli("spec", str(f), "--bind", f"my-tool={out}")
    assert proc.returncode == 0, proc.stderr
    assert "not in nix2image's catalog" not in proc.stderr


def test_closed_where_nix_code_asks(tmp_path: Path) -> None:
    """`?`, `or`, attrByPath and attrNames see only existing packages (no stand-ins, no warning)."""
    f = _write(tmp_path, textwrap.dedent("""\
        let pkgs = import <nixpkgs> { }; lib = pkgs.lib; in
        pkgs.dockerTools.buildLayeredImage {
          name = "x";
          config.Env = [
            "HAS=${lib.boolToString (pkgs ? kmod)}"
            "OR=${(pkgs.kmod or pkgs.hello).pname}"
            "BYPATH=${(lib.attrByPath [ "python3Packages" "nope" ] pkgs.hello pkgs).pname}"
            "NAMES=${lib.boolToString (builtins.elem "kmod" (builtins.attrNames pkgs))}"
            "HASSET=${lib.boolToString (pkgs.python3Packages ? nope)}"
          ];
        }
        """))
    proc = run_cli("spec", str(f), "--json")
    assert proc.returncode == 0, proc.stderr
    assert "not in nix2image's catalog" not in proc.stderr
    env = json.loads(proc.stdout)["config"]["Env"]
    assert env == ["HAS=false", "OR=hello", "BYPATH=hello", "NAMES=false", "HASSET=false"]


SHAPE = ["name", "pname", "version", "outputs", "out", "all", "drvPath", "outPath", "type", "meta", "passthru",
         "src", "buildInputs", "nativeBuildInputs", "propagatedBuildInputs", "override", "overrideAttrs",
         "overrideDerivation"]


def test_package_shape(tmp_path: Path) -> None:
    """Catalog, builder and stand-in packages carry what a mkDerivation result carries."""
    f = _write(tmp_path, textwrap.dedent(f"""\
        let pkgs = import <nixpkgs> {{ }};
            want = [ {" ".join(json.dumps(n) for n in SHAPE)} ];
            go = pkgs.buildGoModule {{ pname = "svc"; version = "1.0"; src = ./.; vendorHash = null; }};
            check = what: p: map (n: if p ? ${{n}} then "ok" else "${{what}} lacks ${{n}}") want;
            drv = builtins.match "/nix/store/[0-9a-z]{{32}}-svc-1.0.drv" go.drvPath;
        in pkgs.dockerTools.buildLayeredImage {{
          name = "x";
          config.Env = pkgs.lib.unique (check "catalog" pkgs.hello ++ check "builder" go
            ++ check "stand-in" pkgs.not-in-catalog ++ check "override" (go.overrideAttrs (o: {{ }})))
            ++ [ (builtins.toJSON (drv != null)) go.pname go.version (builtins.head go.all).name ];
        }}
        """))
    proc = run_cli("spec", str(f), "--placeholders", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["config"]["Env"] == ["ok", "true", "svc", "1.0", "svc-1.0"]


def test_override_attrs_forms(tmp_path: Path) -> None:
    f = _write(tmp_path, textwrap.dedent("""\
        let pkgs = import <nixpkgs> { };
            a = pkgs.hello.overrideAttrs (old: { version = "9.9"; });
            b = pkgs.hello.overrideAttrs (final: prev: { pname = "hi"; version = "1.${prev.version}"; });
            c = (pkgs.python3Packages.buildPythonApplication { pname = "app"; version = "1"; src = ./.; })
                  .overrideAttrs (final: prev: { version = "2"; passthru.v = final.version; });
            d = pkgs.not-in-catalog.overrideAttrs (old: { version = "3"; });
        in pkgs.dockerTools.buildLayeredImage {
          name = "x";
          config.Env = [ a.name b.name c.name c.v d.name d.pname ];
        }
        """))
    proc = run_cli("spec", str(f), "--placeholders", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["config"]["Env"] == [
        "hello-9.9", "hi-1.2.12.1", "app-2", "2", "not-in-catalog-3", "not-in-catalog"]


def test_parse_cache_entries(tmp_path: Path) -> None:
    """Parsed modelled files are cached under $XDG_CACHE_HOME/nix2image/ast; a corrupt entry is
    ignored (parsed again, the same result)."""
    f = _write(tmp_path, "let pkgs = import <nixpkgs> { }; in pkgs.dockerTools.buildImage { name = pkgs.hello.name; }\n")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    first = run_cli("spec", str(f), "--json", env=env)
    assert first.returncode == 0, first.stderr
    entries = sorted((tmp_path / "cache" / "nix2image" / "ast").rglob("*.ast"))
    assert len(entries) > 5, "no cache entries written"
    for e in entries:
        e.write_bytes(b"\x00garbage")
    again = run_cli("spec", str(f), "--json", env=env)
    assert (again.returncode, again.stdout) == (0, first.stdout), again.stderr
    third = run_cli("spec", str(f), "--json", env=env)  # from the rewritten entries
    assert third.stdout == first.stdout


def test_parse_cache_round_trip() -> None:
    from translator.nix import parse_cache
    from translator.nix.ast_dump import to_json
    from translator.nix.parser import _parse

    src = Path(__file__).parent.parent / "translator/universe/nixpkgs/pkgs/top-level.nix"
    text = src.read_text()
    node = _parse(text, str(src), str(src.parent))
    back = parse_cache.decode(parse_cache.encode(node))
    assert to_json(back) == to_json(node)


def test_shape_matches_real_mkderivation(tmp_path: Path, nix: dict) -> None:
    """The attributes a real nixpkgs (../shared/nixpkgs-core, under Nix 2.8) gives a
    mkDerivation result, of those in the package shape, are all on our builder's package."""
    import re
    import subprocess

    tree = Path(__file__).parent.parent.parent / "shared" / "nixpkgs-core" / "tree"
    expr = (f'let pkgs = import {tree} {{ system = "x86_64-linux"; config = {{ }}; overlays = [ ]; }}; '
            'd = pkgs.stdenv.mkDerivation { pname = "x"; version = "1"; dontUnpack = true; }; '
            'in derivation { name = "names"; system = "x86_64-linux"; builder = "/bin/sh"; '
            'names = builtins.toJSON (builtins.attrNames d); }')
    store = tmp_path / "store"
    proc = subprocess.run(["nix-instantiate", "--store", str(store), "-E", expr], env=nix,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    drv = store / proc.stdout.strip().lstrip("/")
    real = set(json.loads(re.search(r'"names","(\[.*?\])"', drv.read_text()).group(1).replace('\\"', '"')))
    public = (set(SHAPE) | {"outputName", "stdenv", "system"}) & real
    assert {"overrideAttrs", "passthru", "drvPath", "nativeBuildInputs"} <= public  # the oracle works

    f = _write(tmp_path, textwrap.dedent(f"""\
        let pkgs = import <nixpkgs> {{ }};
            d = pkgs.stdenv.mkDerivation {{ pname = "x"; version = "1"; src = ./.; }};
        in pkgs.dockerTools.buildLayeredImage {{
          name = "x"; config.Env = builtins.filter (n: !(d ? ${{n}})) [ {" ".join(json.dumps(n) for n in sorted(public))} ];
        }}
        """))
    proc = run_cli("spec", str(f), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["config"].get("Env") == []
