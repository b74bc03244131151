"""Flakes as people write them and fetches of known libraries, through the installed CLI.

Flakes: ``builtins.getFlake``, ``self.rev``/``shortRev``/``dirtyRev``/``lastModifiedDate`` from a
real git repository made here, flake-utils and flake-parts forms, ``follows`` through
flake.lock, and ``nix2image images`` finding images under packages, legacyPackages, checks,
hydraJobs, nested sets, functions with defaulted arguments and overlays. Fetches: niv pins,
flake.lock pins, ``fetchTarball`` by URL, flake-compat, an unknown URL (error naming the URL and
its lock entry; a labelled synthetic tree under ``--placeholders``) and missing local paths.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from conftest import NIX_CONFIG, need_tool

ROOT = Path(__file__).resolve().parent.parent
FLAKE_UTILS = ROOT / "translator" / "universe" / "libraries" / "flake-utils"

IMAGE = 'pkgs.dockerTools.buildLayeredImage {{ name = "{name}"; tag = {tag}; contents = [ pkgs.hello ]; }}'


def write(d: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = d / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return d


def spec(cli, *args, cwd=None) -> tuple[dict, str]:
    proc = cli("spec", "--json", *args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout), proc.stderr


def images(cli, *args, cwd=None) -> list[str]:
    proc = cli("images", *args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return [line.split("\t")[0] for line in proc.stdout.splitlines()]


# --- self and git ---------------------------------------------------------------------------------

TAGGED_FLAKE = """\
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, nixpkgs }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
    packages.x86_64-linux.image = pkgs.dockerTools.buildLayeredImage {
      name = "tagged";
      tag = self.shortRev or self.dirtyShortRev or "no-git";
      created = let d = self.lastModifiedDate; in
        "${builtins.substring 0 4 d}-${builtins.substring 4 2 d}-${builtins.substring 6 2 d}T00:00:00Z";
      config.Labels = { rev = self.rev or "none"; dirty = self.dirtyRev or "clean"; };
    };
  };
}
"""


def _git(d: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org", GIT_AUTHOR_DATE="2021-03-04T05:06:07Z",
               GIT_COMMITTER_DATE="2021-03-04T05:06:07Z", HOME=str(d))
    return subprocess.run(["git", "-C", str(d), *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


def test_self_rev_from_a_git_repository(cli, tmp_path):
    need_tool("git")
    d = write(tmp_path / "repo", {"flake.nix": TAGGED_FLAKE})
    _git(d, "init", "-q")
    _git(d, "add", "flake.nix")
    _git(d, "commit", "-q", "-m", "one")
    rev = _git(d, "rev-parse", "HEAD")
    s, _ = spec(cli, f"{d}#image")
    assert s["tag"] == rev[:7]
    assert s["config"]["Labels"] == {"rev": rev, "dirty": "clean"}
    assert s["created"] == "2021-03-04T00:00:00Z"  # lastModifiedDate is the commit's time
    # a tracked file changed: dirty, as Nix sees it (no rev; dirtyRev/dirtyShortRev)
    (d / "flake.nix").write_text(TAGGED_FLAKE + "\n")
    s, _ = spec(cli, f"{d}#image")
    assert s["tag"] == rev[:7] + "-dirty"
    assert s["config"]["Labels"] == {"rev": "none", "dirty": rev + "-dirty"}


def test_self_without_git_metadata(cli, tmp_path):
    d = write(tmp_path / "plain", {"flake.nix": TAGGED_FLAKE})
    s, _ = spec(cli, f"{d}#image")
    assert s["tag"] == "no-git" and s["config"]["Labels"] == {"rev": "none", "dirty": "clean"}
    assert s["created"] == "1970-01-01T00:00:00Z"
    # with --placeholders the checkout is taken for a dirty git tree, and says so
    s, err = spec(cli, f"{d}#image", "--placeholders")
    assert s["tag"] == "0000000-dirty" and "has no git metadata" in err


def test_get_flake(cli, tmp_path):
    write(tmp_path / "app", {"flake.nix": """\
        {
          inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
          outputs = { self, nixpkgs }: {
            packages.x86_64-linux.image = nixpkgs.legacyPackages.x86_64-linux.dockerTools.buildImage {
              name = "from-get-flake"; tag = "1"; copyToRoot = [ nixpkgs.legacyPackages.x86_64-linux.hello ];
            };
          };
        }
        """})
    f = write(tmp_path, {"use.nix": """\
        let
          app = builtins.getFlake (toString ./app);
          nixpkgs = builtins.getFlake "github:NixOS/nixpkgs/nixos-24.05";
        in {
          local = app.packages.x86_64-linux.image;
          viaRegistry = nixpkgs.legacyPackages.x86_64-linux.dockerTools.buildImage { name = "registry"; tag = "2"; };
        }
        """}) / "use.nix"
    assert images(cli, str(f)) == ["local", "viaRegistry"]
    s, _ = spec(cli, str(f), "-A", "local")
    assert s["name"] == "from-get-flake"
    assert any(e["path"].endswith("-hello-2.12.1") for e in s["closure"])
    proc = cli("spec", str(f), "-A", "local", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    bad = write(tmp_path, {"bad.nix": 'builtins.getFlake "github:someone/unknown-flake"'}) / "bad.nix"
    proc = cli("spec", str(bad))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "cannot fetch flake 'github:someone/unknown-flake'" in proc.stderr


# --- flake-utils ----------------------------------------------------------------------------------

FLAKE_UTILS_EXPR = f"""
let
  fu = import {FLAKE_UTILS};
  drv = name: {{ type = "derivation"; inherit name; outPath = "/x/" + name; meta = {{}}; }};
  each = fu.eachSystem [ "x86_64-linux" "aarch64-linux" ] (system: {{
    packages.default = system; hydraJobs.build = "job-" + system;
  }});
in {{
  packages = each.packages;
  hydraJobs = each.hydraJobs;
  map = fu.eachDefaultSystemMap (s: s + "!");
  through = fu.eachSystemPassThrough [ "a" "b" ] (s: {{ ${{s}} = 1; }});
  flat = builtins.attrNames (fu.flattenTree {{
    a = drv "a"; b = {{ recurseForDerivations = true; c = drv "c"; d = {{ e = drv "e"; }}; }}; n = 3;
  }});
  filtered = builtins.attrNames (fu.filterPackages "x86_64-linux" {{
    ok = drv "ok";
    darwin = drv "darwin" // {{ meta.platforms = [ "aarch64-darwin" ]; }};
    broken = drv "broken" // {{ meta.broken = true; }};
  }});
  app = fu.mkApp {{ drv = drv "tool" // {{ pname = "tool"; }}; }};
  app2 = fu.mkApp {{ drv = drv "tool"; exePath = "/libexec/t"; }};
  systems = [ fu.system.x86_64-linux (builtins.length fu.defaultSystems) (builtins.elem "riscv64-linux" fu.allSystems) ];
  meld = fu.meld {{ x = 1; }} [ (i: {{ a.b = i.x; }}) (i: {{ a.c = 2; }}) ];
}}
"""
FLAKE_UTILS_EXPECTED = {
    "packages": {"x86_64-linux": {"default": "x86_64-linux"}, "aarch64-linux": {"default": "aarch64-linux"}},
    "hydraJobs": {"build": {"x86_64-linux": "job-x86_64-linux", "aarch64-linux": "job-aarch64-linux"}},
    "map": {s: s + "!" for s in ("x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin")},
    "through": {"a": 1, "b": 1},
    "flat": ["a", "b/c"],
    "filtered": ["ok"],
    "app": {"type": "app", "program": "/x/tool/bin/tool"},
    "app2": {"type": "app", "program": "/x/tool/libexec/t"},
    "systems": ["x86_64-linux", 4, True],
    "meld": {"a": {"b": 1, "c": 2}},
}


def test_flake_utils_functions(cli):
    proc = cli("eval", "--json", "--strict", "-E", FLAKE_UTILS_EXPR)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == FLAKE_UTILS_EXPECTED


@pytest.mark.nix
def test_flake_utils_functions_under_nix(nix):
    """The model is plain Nix: Nix 2.8 gives the same values."""
    proc = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", FLAKE_UTILS_EXPR],
                          capture_output=True, text=True, env=nix, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == FLAKE_UTILS_EXPECTED


def test_flake_utils_simple_flake_and_each_system_images(cli, tmp_path):
    d = write(tmp_path / "f", {"flake.nix": """\
        {
          inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
          inputs.utils.url = "github:numtide/flake-utils";
          outputs = { self, nixpkgs, utils }:
            utils.lib.eachDefaultSystem (system:
              let pkgs = nixpkgs.legacyPackages.${system}; in {
                packages.image = pkgs.dockerTools.buildImage { name = "each"; tag = system; };
                checks.imageCheck = pkgs.dockerTools.streamLayeredImage { name = "checked"; };
              }) // {
              apps = utils.lib.eachDefaultSystemMap (system: { default = utils.lib.mkApp { drv = nixpkgs.legacyPackages.${system}.hello; }; });
            };
        }
        """})
    assert images(cli, str(d)) == ["packages.x86_64-linux.image", "checks.x86_64-linux.imageCheck"]
    s, _ = spec(cli, f"{d}#image", "--system", "aarch64-linux")
    assert s["tag"] == "aarch64-linux" and s["architecture"] == "arm64"


# --- flake-parts ----------------------------------------------------------------------------------

def test_flake_parts_module_args_imports_and_with_system(cli, tmp_path):
    d = write(tmp_path / "p", {
        "flake.nix": """\
            {
              inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
              inputs.flake-parts.url = "github:hercules-ci/flake-parts";
              inputs.treefmt-nix.url = "github:numtide/treefmt-nix";
              outputs = inputs@{ flake-parts, ... }:
                flake-parts.lib.mkFlake { inherit inputs; } ({ withSystem, ... }: {
                  imports = [ ./nix/args.nix ./nix/images.nix inputs.treefmt-nix.flakeModule ];
                  systems = [ "x86_64-linux" "aarch64-linux" ];
                  flake.images.fromWithSystem = withSystem "x86_64-linux" ({ config, pkgs, ... }:
                    pkgs.dockerTools.buildImage { name = "with-system"; copyToRoot = [ config.packages.greeting ]; });
                });
            }
            """,
        "nix/args.nix": """\
            { inputs, ... }: {
              perSystem = { system, ... }: {
                _module.args.pkgs = import inputs.nixpkgs { inherit system; config.allowUnfree = true; };
                _module.args.greeting = "hello from ${system}";
              };
            }
            """,
        "nix/images.nix": """\
            {
              perSystem = { pkgs, greeting, self', ... }: {
                packages.greeting = pkgs.writeText "greeting" greeting;
                packages.image = pkgs.dockerTools.buildLayeredImage {
                  name = "parts"; contents = [ self'.packages.greeting ];
                };
              };
            }
            """})
    proc = cli("spec", f"{d}#image")
    assert proc.returncode != 0 and "flake input 'treefmt-nix'" in proc.stderr and "Traceback" not in proc.stderr
    found = images(cli, str(d))  # listing stands in for what is missing
    assert found == ["packages.x86_64-linux.image", "images.fromWithSystem"]
    s, err = spec(cli, f"{d}#image", "--placeholders")
    assert "flake input 'treefmt-nix'" in err
    greeting = [e["path"] for e in s["closure"] if e["path"].endswith("-greeting")]
    assert len(greeting) == 1
    s2, _ = spec(cli, str(d), "-A", "images.fromWithSystem", "--placeholders")
    assert greeting[0] in [e["path"] for e in s2["closure"]]


# --- where images are -----------------------------------------------------------------------------

def test_images_found_wherever_they_are(cli, tmp_path):
    d = write(tmp_path / "w", {"flake.nix": """\
        {
          inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
          outputs = { self, nixpkgs }:
            let pkgs = nixpkgs.legacyPackages.x86_64-linux;
                img = name: pkgs.dockerTools.buildLayeredImage { inherit name; contents = [ pkgs.hello ]; };
            in {
              packages.x86_64-linux = { top = img "top"; nested.deeper = { inner = img "inner"; }; };
              legacyPackages.x86_64-linux = pkgs.extend (final: prev: { fromOverlaySet = img "legacy"; });
              checks.x86_64-linux.check = img "check";
              hydraJobs.release.x86_64-linux = img "hydra";
              lib.notSearched = img "lib";
              overlays.default = final: prev: { overlaid = final.dockerTools.buildImage { name = "overlaid"; }; };
              withArgs = { name ? "defaulted", hello }: pkgs.dockerTools.buildImage { inherit name; copyToRoot = [ hello ]; };
            };
        }
        """})
    assert images(cli, str(d)) == [
        "packages.x86_64-linux.nested.deeper.inner", "packages.x86_64-linux.top",
        "legacyPackages.x86_64-linux.fromOverlaySet", "checks.x86_64-linux.check",
        "hydraJobs.release.x86_64-linux", "overlays.default.overlaid", "withArgs"]
    for attr, name in (("overlays.default.overlaid", "overlaid"), ("withArgs", "defaulted")):
        s, _ = spec(cli, str(d), "-A", attr)
        assert s["name"] == name


# --- fetches --------------------------------------------------------------------------------------

NIV_SOURCES = {
    "nixpkgs": {"owner": "NixOS", "repo": "nixpkgs", "rev": "a" * 40, "type": "tarball",
                "url": f"https://github.com/NixOS/nixpkgs/archive/{'a' * 40}.tar.gz"},
    "naersk": {"owner": "nmattia", "repo": "naersk", "rev": "b" * 40, "type": "tarball",
               "url": f"https://github.com/nmattia/naersk/archive/{'b' * 40}.tar.gz"},
    "mystery": {"owner": "someone", "repo": "mystery", "rev": "c" * 40, "type": "tarball",
                "url": f"https://github.com/someone/mystery/archive/{'c' * 40}.tar.gz"},
}
# a small reader of niv's sources.json, as niv's generated sources.nix does it
NIV_READER = """\
    let spec = builtins.fromJSON (builtins.readFile ./sources.json); in
    builtins.mapAttrs (name: s: builtins.fetchTarball { inherit (s) url; name = name; }) spec
    """


def test_niv_pins_resolve_to_models(cli, tmp_path):
    d = write(tmp_path / "niv", {
        "nix/sources.json": json.dumps(NIV_SOURCES),
        "nix/sources.nix": NIV_READER,
        "Cargo.toml": '[package]\nname = "crabby"\nversion = "0.3.0"\n',
        "docker.nix": """\
            let
              sources = import ./nix/sources.nix;
              pkgs = import sources.nixpkgs { };
              naersk = pkgs.callPackage sources.naersk { };
              app = naersk.buildPackage { src = ./.; };
            in pkgs.dockerTools.buildLayeredImage { name = "niv"; contents = [ app pkgs.hello ]; config.Cmd = [ "${app}/bin/crabby" ]; }
            """})
    s, err = spec(cli, "docker.nix", "--placeholders", cwd=d)
    app = next(e["path"] for e in s["closure"] if e["path"].endswith("-crabby-0.3.0"))
    assert s["config"]["Cmd"] == [f"{app}/bin/crabby"]
    assert any(e["path"].endswith("-hello-2.12.1") for e in s["closure"])
    # without --placeholders the Rust build is what is missing, named with its builder
    proc = cli("spec", "docker.nix", cwd=d)
    assert proc.returncode != 0 and "built by naersk.buildPackage" in proc.stderr


def test_unknown_fetch_names_url_and_lock_entry(cli, tmp_path):
    d = write(tmp_path / "unknown", {
        "nix/sources.json": json.dumps(NIV_SOURCES),
        "nix/sources.nix": NIV_READER,
        "docker.nix": """\
            let
              sources = import ./nix/sources.nix;
              pkgs = import sources.nixpkgs { };
              tool = import sources.mystery { inherit pkgs; };
            in pkgs.dockerTools.buildImage { name = "mystery"; copyToRoot = [ tool.package ]; }
            """})
    proc = cli("spec", "docker.nix", cwd=d)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    url = NIV_SOURCES["mystery"]["url"]
    assert f"cannot fetch '{url}' (pinned by niv source 'mystery' in nix/sources.json)" in proc.stderr
    assert "docker.nix:4:" in proc.stderr or "sources.nix" in proc.stderr
    s, err = spec(cli, "docker.nix", "--placeholders", cwd=d)
    assert f"builtins.fetchTarball of {url} (pinned by niv source 'mystery'" in err
    assert "labelled synthetic source tree" in err
    assert int(s["config"]["Labels"]["org.nix2image.placeholders"]) >= 1


def test_flake_lock_follows_and_unknown_input_entry(cli, tmp_path):
    lock = {"version": 7, "root": "root", "nodes": {
        "root": {"inputs": {"nixpkgs": ["haskellish", "nixpkgs-unstable"], "haskellish": "haskellish",
                            "tool": "tool_2"}},
        "haskellish": {"inputs": {"nixpkgs-unstable": "nixpkgs_2"},
                       "locked": {"type": "github", "owner": "someone", "repo": "haskellish", "rev": "d" * 40},
                       "original": {"type": "github", "owner": "someone", "repo": "haskellish"}},
        "nixpkgs_2": {"locked": {"type": "github", "owner": "NixOS", "repo": "nixpkgs", "rev": "e" * 40},
                      "original": {"type": "github", "owner": "NixOS", "repo": "nixpkgs"}},
        "tool_2": {"locked": {"type": "github", "owner": "acme", "repo": "tool", "rev": "f" * 40},
                   "original": {"type": "github", "owner": "acme", "repo": "tool"}},
    }}
    d = write(tmp_path / "locked", {
        "flake.lock": json.dumps(lock),
        "flake.nix": """\
            {
              inputs.nixpkgs.follows = "haskellish/nixpkgs-unstable";
              inputs.haskellish.url = "github:someone/haskellish";
              inputs.tool.url = "github:acme/tool";
              outputs = { self, nixpkgs, tool, ... }: let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
                packages.x86_64-linux.plain = pkgs.dockerTools.buildImage { name = "plain"; copyToRoot = [ pkgs.hello ]; };
                packages.x86_64-linux.tooled = pkgs.dockerTools.buildImage { name = "tooled"; copyToRoot = [ tool.packages.x86_64-linux.default ]; };
              };
            }
            """})
    s, _ = spec(cli, f"{d}#plain")  # nixpkgs follows a node of the lock that is nixpkgs
    assert any(e["path"].endswith("-hello-2.12.1") for e in s["closure"])
    proc = cli("spec", f"{d}#tooled")
    assert proc.returncode != 0
    assert "flake input 'tool' (github:acme/tool, flake.lock node 'tool_2') is not known" in proc.stderr
    s, err = spec(cli, f"{d}#tooled", "--placeholders")
    assert "open stand-in" in err and int(s["config"]["Labels"]["org.nix2image.placeholders"]) >= 1


def test_fetch_tarball_url_and_flake_compat(cli, tmp_path):
    lock = {"version": 7, "root": "root", "nodes": {
        "root": {"inputs": {"nixpkgs": "nixpkgs", "flake-compat": "flake-compat"}},
        "nixpkgs": {"locked": {"type": "github", "owner": "NixOS", "repo": "nixpkgs", "rev": "1" * 40},
                    "original": {"type": "indirect", "id": "nixpkgs"}},
        "flake-compat": {"locked": {"type": "github", "owner": "edolstra", "repo": "flake-compat", "rev": "2" * 40},
                         "original": {"type": "github", "owner": "edolstra", "repo": "flake-compat"}},
    }}
    d = write(tmp_path / "compat", {
        "flake.lock": json.dumps(lock),
        "flake.nix": """\
            {
              outputs = { self, nixpkgs, ... }: {
                packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.dockerTools.buildImage { name = "compat"; };
              };
            }
            """,
        "default.nix": """\
            let
              lock = builtins.fromJSON (builtins.readFile ./flake.lock);
              compat = fetchTarball "https://github.com/edolstra/flake-compat/archive/${lock.nodes.flake-compat.locked.rev}.tar.gz";
            in (import compat { src = ./.; }).defaultNix.packages.x86_64-linux.default
            """,
        "pinned.nix": """\
            let pkgs = import (fetchTarball "https://github.com/NixOS/nixpkgs/archive/0123456789abcdef0123456789abcdef01234567.tar.gz") { };
                older = import (builtins.fetchGit { url = "https://github.com/NixOS/nixpkgs.git"; ref = "nixos-20.09"; }) { };
                channel = import (fetchTarball "https://nixos.org/channels/nixos-23.11/nixexprs.tar.xz") { };
            in pkgs.dockerTools.buildImage { name = "pinned"; copyToRoot = [ older.hello channel.bash ]; }
            """})
    s, _ = spec(cli, "default.nix", cwd=d)
    assert s["name"] == "compat"
    s, _ = spec(cli, "pinned.nix", cwd=d)
    assert s["name"] == "pinned" and any(e["path"].endswith("-hello-2.12.1") for e in s["closure"])


def test_missing_local_path(cli, tmp_path):
    d = write(tmp_path / "result-less", {"image.nix": """\
        { pkgs ? import <nixpkgs> { } }:
        pkgs.dockerTools.buildImage { name = "built-elsewhere"; copyToRoot = [ ./result/bin ]; }
        """})
    proc = cli("spec", "image.nix", cwd=d)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert f"getting status of '{d}/result/bin': No such file or directory" in proc.stderr
    s, err = spec(cli, "image.nix", "--placeholders", cwd=d)
    assert f"{d}/result/bin does not exist" in err and "labelled synthetic tree" in err
    assert any(e["path"].endswith("-bin") for e in s["closure"])
    assert s["config"]["Labels"]["org.nix2image.placeholders"] == "1"
