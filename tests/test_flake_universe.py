"""Flakes through the installed CLI: flake-utils, flake-parts (perSystem, self', inputs',
withSystem), `self` bindings, unknown inputs and broken flakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CASES = Path(__file__).parent / "flake_cases"


def spec_json(cli, *args, cwd=None):
    proc = cli("spec", "--json", *args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), proc.stderr


def test_images_lists_current_system_only(cli):
    proc = cli("images", str(SAMPLES / "flake-utils"))
    assert proc.returncode == 0, proc.stderr
    attrs = [line.split("\t")[0] for line in proc.stdout.splitlines()]
    assert attrs == ["packages.x86_64-linux.image"]
    proc = cli("images", str(SAMPLES / "flake-utils"), "--system", "aarch64-linux")
    assert [l.split("\t")[0] for l in proc.stdout.splitlines()] == ["packages.aarch64-linux.image"]


def test_flake_utils_attr_forms_agree(cli, tmp_path):
    out = tmp_path / "result"
    (out / "bin").mkdir(parents=True)
    (out / "bin" / "server").write_text("#!/bin/sh\n")
    a, _ = spec_json(cli, f"{SAMPLES}/flake-utils#image", "--bind", f"server={out}")
    b, _ = spec_json(cli, str(SAMPLES / "flake-utils" / "flake.nix"), "-A", "packages.x86_64-linux.image",
                     "--bind", f"server={out}")
    c, _ = spec_json(cli, str(SAMPLES / "flake-utils"), "--bind", f"server={out}")  # the only image
    assert a["closure"] == b["closure"] == c["closure"]
    paths = [e["path"] for e in a["closure"]]
    bound = [p for p in paths if p.endswith("-result")]
    assert len(bound) == 1
    assert a["config"]["Cmd"] == [f"{bound[0]}/bin/server"]
    assert a["tag"] == "0.3.1"


def test_flake_utils_other_system_architecture(cli):
    s, _ = spec_json(cli, f"{SAMPLES}/flake-utils#image", "--system", "aarch64-linux", "--placeholders")
    assert s["architecture"] == "arm64"


def test_flake_parts_self_prime(cli):
    s, _ = spec_json(cli, f"{SAMPLES}/flake-parts#docker")
    names = sorted(e["path"].split("-", 1)[1] for e in s["closure"])
    assert "greeter" in names and "bash-interactive-5.2p26" in names
    greeter = next(e["path"] for e in s["closure"] if e["path"].endswith("-greeter"))
    assert s["config"]["Cmd"] == [f"{greeter}/bin/greeter"]


def test_flake_parts_with_system_and_inputs_prime(cli):
    d = CASES / "parts-flake-attr"
    proc = cli("images", str(d))
    assert proc.stdout.split("\t")[0] == "images.tool", proc.stderr
    s, _ = spec_json(cli, f"{d}#images.tool")
    assert s["builder"] == "streamLayeredImage"
    tool = next(e["path"] for e in s["closure"] if e["path"].endswith("-tool"))
    assert s["config"]["Entrypoint"] == [f"{tool}/bin/tool"]


def test_self_attribute_bind(cli, tmp_path):
    app = tmp_path / "webapp-2.1"
    (app / "bin").mkdir(parents=True)
    (app / "bin" / "app").write_text("#!/bin/sh\n")
    d = CASES / "self-bind"
    proc = cli("spec", f"{d}#docker")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "webapp-2.1" in proc.stderr and "stdenv.mkDerivation" in proc.stderr and "--bind webapp=" in proc.stderr
    s, err = spec_json(cli, f"{d}#docker", "--bind", f"self.packages.x86_64-linux.default={app}")
    bound = next(e["path"] for e in s["closure"] if e["path"].endswith("-webapp-2.1"))
    assert s["config"]["Cmd"] == [f"{bound}/bin/app"]
    assert s["tag"] == "2.1"
    assert "nothing in" not in err


def test_unknown_input_named(cli):
    d = CASES / "unknown-input"
    proc = cli("spec", f"{d}#image")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "flake input 'devenv' (github:cachix/devenv) is not known to nix2image" in proc.stderr
    assert "--placeholders" in proc.stderr
    # an image that does not use the unknown input works
    s, _ = spec_json(cli, f"{d}#plain")
    assert s["name"] == "plain"


def test_unknown_input_placeholder_warns(cli):
    d = CASES / "unknown-input"
    proc = cli("spec", f"{d}#plain", "--placeholders")
    assert proc.returncode == 0, proc.stderr
    assert "flake input 'devenv' (github:cachix/devenv) is not modelled" in proc.stderr


def test_broken_flake(cli):
    proc = cli("spec", str(CASES / "broken"))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "is not a flake: it must be an attribute set with 'outputs'" in proc.stderr


def test_missing_flake_attr_lists_images(cli):
    proc = cli("spec", f"{SAMPLES}/flake-parts#nope")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "attribute 'nope' not found" in proc.stderr and "packages.x86_64-linux.docker" in proc.stderr


def test_crane_and_rust_overlay_inputs(cli, tmp_path):
    d = CASES / "crane"
    proc = cli("spec", str(d))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "built by crane.buildPackage" in proc.stderr and "flake.nix:14:" in proc.stderr
    out = tmp_path / "crabby"
    (out / "bin").mkdir(parents=True)
    (out / "bin" / "crabby").write_text("#!/bin/sh\n")
    s, _ = spec_json(cli, str(d), "--bind", f"crabby={out}")
    assert [e["path"].split("-", 1)[1] for e in s["closure"]] == ["crabby"]
    assert s["config"]["Cmd"] == [s["closure"][0]["path"] + "/bin/crabby"]


@pytest.mark.nix
def test_git_flake_self_is_tracked_files(cli, nix, tmp_path):
    """`self` of a flake in a git work tree is its tracked files, the store path Nix gives them."""
    import subprocess

    from conftest import need_tool

    need_tool("git")
    d = tmp_path / "gf"
    (d / "src").mkdir(parents=True)
    (d / "flake.nix").write_text(
        '{ inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";\n'
        '  outputs = { self, nixpkgs }: { packages.x86_64-linux.image =\n'
        '    nixpkgs.legacyPackages.x86_64-linux.dockerTools.buildLayeredImage { name = "gf"; config.Labels.src = "${self}"; }; }; }\n')
    (d / "src" / "a.txt").write_text("tracked\n")
    (d / "junk.txt").write_text("untracked\n")
    env = dict(nix, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e")
    subprocess.run(["git", "init", "-q", str(d)], check=True, env=env)
    subprocess.run(["git", "-C", str(d), "add", "flake.nix", "src/a.txt"], check=True, env=env)
    want = subprocess.run(["nix-instantiate", "--eval", "--json", "-E", f"(builtins.fetchGit {d}).outPath"],
                          capture_output=True, text=True, env=env, check=True).stdout
    s, _ = spec_json(cli, str(d))
    assert s["config"]["Labels"]["src"] == json.loads(want)
    assert s["config"]["Labels"]["src"].endswith("-source")


def test_source_filter_inputs(cli):
    """gitignore.nix and nix-filter inputs filter sources; the image refers to the npm build."""
    s, err = spec_json(cli, str(CASES / "gitignore"), "--placeholders")
    web = next(e["path"] for e in s["closure"] if e["path"].endswith("-web-1.0.0"))
    assert s["config"]["Cmd"][1] == f"{web}/lib/node_modules/web/index.js"
    assert s["config"]["Labels"]["src"].endswith("-source")
    assert "'web-1.0.0' (buildNpmPackage) is replaced by synthetic content" in err
