"""The modelled lib's module system (lib/modules.nix, options.nix, types.nix) and lib.systems,
checked with nixpkgs' own lib tests (../shared/nixpkgs-lib-tests, nixpkgs 25.11) under Nix 2.8 and
under nix2image.

At test time a scratch directory is laid out as nixpkgs has it: ``scratch/lib`` is a copy of the
modelled lib and ``scratch/lib/tests`` a copy of the shared lib tests (copies are never committed).

``tests/modules.sh`` runs ~350 evaluations of the form ``nix-instantiate --timeout 1 --eval-only
--show-trace --read-write-mode --json -E 'import ./default.nix { modules = [ ... ]; }' -A ATTR``
and matches stdout (checkConfigOutput, ``grep -E`` per line) or stderr (checkConfigError,
``grep -zP``, plus the infinite-recursion-hint check) against a regex. The checks are extracted
from the script here (``set --`` positional lists, ``"$@"``, brace expansions and the
``REQUIRE_INFINITE_RECURSION_HINT``/``NIX_ABORT_ON_WARN`` prefixes resolved as bash would) and run
with the same command line under both evaluators: Nix directly, nix2image through a stand-in
``nix-instantiate`` script on PATH that maps those flags to ``nix2image eval``.

Which checks: all of them except the few whose feature the model leaves out on purpose
(``SKIPPED`` below, each with its reason). Every evaluation costs a process start (about a second
of CPU for nix2image), so by default a fixed sample (every ``SAMPLE_STRIDE``-th chosen check,
spread over the whole script) runs under both evaluators; ``NIX2IMAGE_LIB_TESTS=full`` runs every
chosen check (minutes; the counts are recorded in docs/universe.md). ``tests/systems.nix`` is
small and always runs whole.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import NIX_CONFIG, SHARED, in_ci, need_tool, nix2image_exe

ROOT = Path(__file__).resolve().parent.parent
MODEL_LIB = ROOT / "translator" / "universe" / "nixpkgs" / "lib"
LIB_TESTS = SHARED / "nixpkgs-lib-tests" / "tests"

SAMPLE_STRIDE = 15

# Checks left out: (module file, attribute or None for all of that file's checks) and why.
SKIPPED = {
    ("gvariant.nix", None): "lib.gvariant (GVariant serialisation for dconf) is not part of the model",
}

HINT = "if you get an infinite recursion here"

# The stand-in: nix-instantiate's flags as modules.sh uses them, mapped to `nix2image eval`.
STAND_IN = '''#!{python}
import os, sys
args, out, i = sys.argv[1:], ["eval"], 0
while i < len(args):
    a = args[i]
    if a == "--timeout":
        i += 2
    elif a in ("--eval-only", "--eval", "--read-write-mode", "--show-trace"):
        i += 1
    elif a in ("-E", "--expr", "-A", "--attr"):
        out += [a, args[i + 1]]
        i += 2
    else:
        out.append(a)
        i += 1
os.execv({exe!r}, [{exe!r}] + out)
'''


@dataclass(frozen=True)
class Check:
    """One check of modules.sh: what it evaluates and what it expects."""

    line: int
    kind: str  # "output", "error" or "expression"
    pattern: str
    attr: str
    files: tuple[str, ...]
    env: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        return f"modules.sh:{self.line} {self.kind} {self.attr} {' '.join(self.files)}"


def _brace_expand(word: str) -> list[str]:
    m = re.match(r"^(.*)\{([^{}]*,[^{}]*)\}(.*)$", word)
    if not m:
        return [word]
    return [x for alt in m.group(2).split(",") for x in _brace_expand(m.group(1) + alt + m.group(3))]


def extract_checks(script: Path) -> list[Check]:
    """The checks of modules.sh in order, with bash's `set --`/"$@" and brace expansion applied."""
    lines = script.read_text().splitlines()
    checks: list[Check] = []
    positional: list[str] = []
    i = 0
    while i < len(lines):
        start = i
        text = lines[i]
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text[:-1] + " " + lines[i]
        i += 1
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            words = shlex.split(stripped.replace('"$@"', "__POSITIONAL__"), comments=True)
        except ValueError:
            continue
        env = []
        while words and re.match(r"^[A-Z_]+=", words[0]):
            name, _, value = words.pop(0).partition("=")
            env.append((name, value))
        if not words:
            continue
        expanded: list[str] = []
        for w in words[1:]:
            expanded.extend(positional if w == "__POSITIONAL__" else _brace_expand(w))
        if words[0] == "set" and expanded[:1] == ["--"]:
            positional = expanded[1:]
        elif words[0] in ("checkConfigOutput", "checkConfigError") and len(expanded) >= 2:
            kind = "output" if words[0] == "checkConfigOutput" else "error"
            checks.append(Check(start + 1, kind, expanded[0], expanded[1], tuple(expanded[2:]), tuple(env)))
        elif words[0] == "checkExpression" and expanded:
            checks.append(Check(start + 1, "expression", "", "", (expanded[0],), tuple(env)))
    return checks


def chosen_checks(checks: list[Check]) -> list[Check]:
    def skipped(c: Check) -> bool:
        return any(f.endswith(name) and attr in (None, c.attr) for f in c.files for name, attr in SKIPPED)
    return [c for c in checks if not skipped(c)]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """scratch/lib = the modelled lib, scratch/lib/tests = the shared lib tests, plus the stand-in."""
    if not LIB_TESTS.exists():
        if in_ci():
            pytest.fail(f"missing {LIB_TESTS}")
        pytest.skip(f"missing {LIB_TESTS}")
    root = tmp_path_factory.mktemp("libscratch")
    shutil.copytree(MODEL_LIB, root / "lib")
    shutil.copytree(LIB_TESTS, root / "lib" / "tests")
    bindir = root / "stand-in"
    bindir.mkdir()
    stand_in = bindir / "nix-instantiate"
    stand_in.write_text(STAND_IN.format(python=sys.executable, exe=nix2image_exe()))
    stand_in.chmod(0o755)
    return root


def _env(scratch: Path, evaluator: str, extra: tuple[tuple[str, str], ...]) -> dict[str, str]:
    env = dict(os.environ)
    env["NIX_CONFIG"] = NIX_CONFIG
    env.pop("NIX_ABORT_ON_WARN", None)
    env.pop("REQUIRE_INFINITE_RECURSION_HINT", None)
    env.update(dict(extra))
    if evaluator == "nix2image":
        env["PATH"] = f"{scratch / 'stand-in'}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_check(scratch: Path, evaluator: str, check: Check) -> str | None:
    """Run one check as modules.sh does; None when it passes, else why not."""
    cwd = scratch / "lib" / "tests" / "modules"
    base = ["nix-instantiate", "--timeout", "1", "--eval-only", "--show-trace", "--read-write-mode", "--json"]
    if check.kind == "expression":
        argv = base + ["--strict", check.files[0]]
    else:
        argv = base + ["-E", f"import ./default.nix {{ modules = [ {' '.join(check.files)} ];}}", "-A", check.attr]
    env = _env(scratch, evaluator, check.env)
    try:
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return f"{check.label}: timed out"
    if check.kind == "expression":
        return None if proc.returncode == 0 else f"{check.label}: failed:\n{proc.stderr[-1500:]}"
    if check.kind == "output":
        if proc.returncode == 0 and any(re.search(check.pattern, ln) for ln in proc.stdout.splitlines()):
            return None
        return f"{check.label}: expected output matching {check.pattern!r}, got rc={proc.returncode} " \
               f"stdout={proc.stdout[:300]!r} stderr={proc.stderr[-1500:]}"
    if proc.returncode == 0:
        return f"{check.label}: expected an error matching {check.pattern!r}, but it succeeded: {proc.stdout[:300]!r}"
    wants_hint = bool(dict(check.env).get("REQUIRE_INFINITE_RECURSION_HINT"))
    if (HINT in proc.stderr.lower()) != wants_hint:
        return f"{check.label}: infinite recursion hint {'missing' if wants_hint else 'unexpected'}:\n{proc.stderr[-1500:]}"
    if re.search(check.pattern, proc.stderr):
        return None
    return f"{check.label}: expected an error matching {check.pattern!r}, got:\n{proc.stderr[-1500:]}"


def run_all(scratch: Path, evaluator: str, checks: list[Check]) -> list[str]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda c: run_check(scratch, evaluator, c), checks))
    return [r for r in results if r is not None]


def test_extraction_finds_the_script_checks(scratch):
    """The extraction must see (nearly) every check of the script, with "$@" resolved."""
    checks = extract_checks(scratch / "lib" / "tests" / "modules.sh")
    assert len(checks) >= 340
    by_line = {c.line: c for c in checks}
    mkforce = [c for c in checks if c.files[-1:] == ("./define-force-enable.nix",) and c.attr == "config.enable"]
    assert mkforce and mkforce[0].files[:2] == ("./declare-enable.nix", "./define-enable.nix")
    hints = [c for c in checks if ("REQUIRE_INFINITE_RECURSION_HINT", "1") in c.env]
    assert len(hints) == 3
    braces = [c for c in checks if "./disable-recursive/disable-bar.nix" in c.files]
    assert braces and all("./disable-recursive/main.nix" in c.files for c in braces)
    assert len(chosen_checks(checks)) >= len(checks) - 3 and by_line


def _selected(scratch: Path) -> list[Check]:
    checks = chosen_checks(extract_checks(scratch / "lib" / "tests" / "modules.sh"))
    if os.environ.get("NIX2IMAGE_LIB_TESTS") == "full":
        return checks
    return checks[::SAMPLE_STRIDE]


@pytest.mark.nix
@pytest.mark.slow
def test_modules_sh_under_nix(scratch):
    need_tool("nix-instantiate")
    checks = _selected(scratch)
    failures = run_all(scratch, "nix", checks)
    assert not failures, f"{len(failures)} of {len(checks)} module checks fail under Nix:\n" + "\n\n".join(failures)


@pytest.mark.slow
def test_modules_sh_under_nix2image(scratch):
    checks = _selected(scratch)
    failures = run_all(scratch, "nix2image", checks)
    assert not failures, f"{len(failures)} of {len(checks)} module checks fail under nix2image:\n" + "\n\n".join(failures)


@pytest.mark.parametrize("evaluator", ["nix", "nix2image"])
def test_systems_nix(scratch, evaluator):
    """tests/systems.nix (doubles, elaborate, equals) gives [] (no failed case)."""
    if evaluator == "nix":
        need_tool("nix-instantiate")
        argv = ["nix-instantiate", "--eval", "--strict", "--json", "systems.nix"]
    else:
        argv = [nix2image_exe(), "eval", "--strict", "--json", "systems.nix"]
    proc = subprocess.run(argv, cwd=scratch / "lib" / "tests", env=_env(scratch, "nix", ()),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "[]"


# A NixOS-style module set as image repositories write them: an enable switch guarding config,
# submodules keyed by name, defaults depending on other options, priorities, ordering, an alias,
# _module.args and specialArgs, a freeform settings attrset.
NIXOS_STYLE = r'''
let
  lib = import LIB;
  inherit (lib) mkOption mkEnableOption mkIf mkMerge mkDefault mkForce mkBefore mkAfter types;
  web = { config, lib, pkgsName, ... }:
    let cfg = config.services.web; in {
      options.services.web = {
        enable = mkEnableOption "the web server";
        port = mkOption { type = types.port; default = 8080; };
        package = mkOption { type = types.str; default = "${pkgsName}.nginx"; };
        virtualHosts = mkOption {
          default = { };
          type = types.attrsOf (types.submodule ({ name, config, ... }: {
            options.serverName = mkOption { type = types.str; default = name; };
            options.root = mkOption { type = types.nullOr types.path; default = null; };
            options.aliases = mkOption { type = types.listOf types.str; default = [ ]; };
            options.url = mkOption { type = types.str; readOnly = true; default = "http://${config.serverName}/"; };
          }));
        };
        settings = mkOption {
          default = { };
          type = types.submodule { freeformType = with types; attrsOf (oneOf [ str int bool ]); };
        };
      };
      options.environment.etc = mkOption { type = types.attrsOf types.lines; default = { }; };
      options.ports = mkOption { type = types.listOf types.port; default = [ ]; };
      config = mkIf cfg.enable {
        environment.etc."web.conf" = mkMerge [
          (mkAfter "listen ${toString cfg.port}")
          (mkBefore "# generated")
          (lib.concatStringsSep "\n" (lib.mapAttrsToList (n: v: "host ${v.serverName} ${v.url}") cfg.virtualHosts))
        ];
        ports = [ cfg.port ];
        services.web.settings.workers = mkDefault 4;
      };
    };
  eval = lib.evalModules {
    specialArgs.pkgsName = "pkgs";
    modules = [
      web
      (lib.mkAliasOptionModule [ "webPort" ] [ "services" "web" "port" ])
      { services.web.enable = true; webPort = 9000; }
      { services.web.virtualHosts.example.aliases = [ "www.example.org" ]; }
      { services.web.virtualHosts.other = { serverName = "other.example.org"; root = /srv; }; }
      { services.web.settings = { workers = 8; gzip = true; }; ports = mkForce [ 443 ]; }
      ({ config, ... }: { _module.args.unused = throw "never forced"; })
    ];
  };
in {
  inherit (eval.config) environment ports;
  web = removeAttrs eval.config.services.web [ "virtualHosts" ] // {
    hosts = lib.mapAttrs (n: v: { inherit (v) serverName aliases url; root = toString v.root; })
      eval.config.services.web.virtualHosts;
  };
  portDefinedIn = map baseNameOf (map toString eval.options.services.web.port.files);
  types = [ eval.options.services.web.virtualHosts.type.description eval.options.ports.type.description ];
}
'''


@pytest.mark.parametrize("evaluator", ["nix", "nix2image"])
def test_nixos_style_modules(evaluator, scratch):
    """Typical NixOS-style module code gives the same configuration under Nix and nix2image."""
    expr = NIXOS_STYLE.replace("LIB", str(MODEL_LIB))
    if evaluator == "nix":
        need_tool("nix-instantiate")
        argv = ["nix-instantiate", "--eval", "--strict", "--json", "-E", expr]
    else:
        argv = [nix2image_exe(), "eval", "--strict", "--json", "-E", expr]
    proc = subprocess.run(argv, env=_env(scratch, "nix", ()), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout)
    assert got["environment"]["etc"]["web.conf"] == (
        "# generated\nhost example http://example/\nhost other.example.org http://other.example.org/\nlisten 9000")
    assert got["ports"] == [443]
    assert got["web"]["port"] == 9000 and got["web"]["enable"] is True and got["web"]["package"] == "pkgs.nginx"
    assert got["web"]["settings"] == {"workers": 8, "gzip": True}
    assert got["web"]["hosts"]["example"] == {"serverName": "example", "aliases": ["www.example.org"],
                                              "url": "http://example/", "root": ""}
    assert got["web"]["hosts"]["other"]["root"] == "/srv"
    assert got["types"] == ["attribute set of (submodule)", "list of 16 bit unsigned integer; between 0 and 65535 (both inclusive)"]
    assert got["portDefinedIn"] == ["<unknown-file>"]
