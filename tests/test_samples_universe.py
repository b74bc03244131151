"""Every sample in samples/ evaluates through the installed CLI to the spec it describes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def names(spec) -> set[str]:
    return {e["path"].split("-", 1)[1] for e in spec["closure"]}


# sample -> (extra options, builder, image name, store path names the closure must contain)
EXPECT = {
    "hello-layered.nix": ([], "buildLayeredImage", "hello", {"hello-2.12.1", "glibc-2.39-52"}),
    "redis-buildimage.nix": (["--placeholders"], "buildImage", "redis", {"image-root", "redis-7.2.4"}),
    "nginx-fakenss.nix": ([], "buildLayeredImage", "nginx-container", {"nginx-1.26.0", "fake-nss", "passwd"}),
    "app-callpackage.nix": (["--bind", "app=@APP@"], "buildLayeredImage", "my-app", {"nss-cacert-3.98", "tzdata-2024a"}),
    "with-pkgs.nix": (["--placeholders"], "buildImage", "toolbox", {"toolbox-root", "jq-1.7.1-bin", "ca-certificates"}),
    "pullimage-base.nix": ([], "buildImage", "hello-on-debian", {"hello-2.12.1"}),
    "shell-application.nix": ([], "streamLayeredImage", "py-http", {"healthcheck", "entrypoint", "python3-3.11.9", "curl-8.7.1-bin"}),
    "run-command.nix": (["--placeholders"], "buildLayeredImage", "run-command", {"motd", "tools", "farm"}),
    "static-busybox.nix": ([], "buildImage", "busybox-static", {"busybox-static-x86_64-unknown-linux-musl-1.36.1"}),
    "cross-aarch64.nix": ([], "buildLayeredImage", "hello-arm64", {"hello-aarch64-unknown-linux-gnu-2.12.1"}),
    "overlay.nix": ([], "buildLayeredImage", "overlay-demo", {"greet", "hello-2.12.1", "coreutils-9.5"}),
    "rust-opaque.nix": (["--placeholders"], "buildLayeredImage", "myservice", {"myservice-1.4.0", "nss-cacert-3.98"}),
    "python-env.nix": (["--placeholders"], "buildLayeredImage", "flask-app", {"python3-3.11.9-env", "app.py"}),
    "stacked.nix": ([], "buildLayeredImage", "app-on-base", {"jq-1.7.1-bin"}),
    "merge-images.nix": ([], "mergeImages", "merged", set()),
    "export-image.nix": ([], "exportImage", "hello-rootfs", set()),
    "nix-db.nix": ([], "buildLayeredImageWithNixDb", "nix-inside", {"nix-2.18.2", "fake-nss", "bin-sh"}),
    "substitute.nix": ([], "buildLayeredImage", "substitute", {"bash-5.2p26", "start.sh", "app.conf.in"}),
    "buildenv-postbuild.nix": (["--placeholders"], "buildImage", "usr-local", {"usr-local", "curl-8.7.1-bin", "jq-1.7.1-bin"}),
    "shadow-setup.nix": (["--placeholders"], "buildImage", "with-user", {"root"}),
    "fileset-source.nix": ([], "buildLayeredImage", "static-files", {"busybox-1.36.1", "source"}),
    "mkderivation-script.nix": (["--bind", "tool=@APP@"], "streamLayeredImage", "mkderivation", {"app-config", "result"}),
    "niv-pinned.nix": ([], "buildLayeredImage", "pinned", {"curl-8.7.1-bin"}),
    "multi-image.nix": (["-A", "backend"], "streamLayeredImage", "backend", {"nodejs-20.12.2"}),
    "flake-utils": (["--placeholders"], "buildLayeredImage", "server", {"server-0.3.1", "ca-certificates"}),
    "flake-parts#docker": ([], "buildLayeredImage", "greeter", {"greeter", "bash-interactive-5.2p26"}),
    # the real tree when it is in the store (a test adds it), else the model: the same names
    "real-nixpkgs-flake": (["--placeholders"], "buildLayeredImage", "pinned-real", {"coreutils-9.5", "bash-5.2p26"}),
}


def test_every_sample_is_covered():
    files = {p.name for p in SAMPLES.glob("*.nix")} | {p.parent.name for p in SAMPLES.glob("*/flake.nix")}
    covered = {k.split("#")[0] for k in EXPECT}
    assert files - {"store"} <= covered, files - covered
    assert len(EXPECT) >= 20


@pytest.mark.parametrize("sample", sorted(EXPECT))
def test_sample(sample, cli, tmp_path):
    options, builder, name, must = EXPECT[sample]
    app = tmp_path / "result"
    (app / "bin").mkdir(parents=True)
    (app / "bin" / "app").write_text("#!/bin/sh\necho app\n")
    options = [o.replace("@APP@", str(app)) for o in options]
    proc = cli("spec", "--json", str(SAMPLES / sample), *options)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    spec = json.loads(proc.stdout)
    assert spec["builder"] == builder and spec["name"] == name
    missing = must - names(spec)
    assert not missing, f"closure lacks {missing}: {sorted(names(spec))}"
    if builder == "exportImage":
        assert spec["from_image"]["kind"] == "spec"
    if builder == "mergeImages":
        assert [s["name"] for s in spec["images"]] == ["a", "b"]


def test_pull_base_recorded(cli):
    spec = json.loads(cli("spec", "--json", str(SAMPLES / "pullimage-base.nix")).stdout)
    fi = spec["from_image"]
    assert fi["kind"] == "pull" and fi["image_name"] == "debian" and fi["image_tag"] == "bookworm-slim"
    assert fi["pull"]["imageDigest"].startswith("sha256:b5ace515")


def test_cross_sample_architecture(cli):
    spec = json.loads(cli("spec", "--json", str(SAMPLES / "cross-aarch64.nix")).stdout)
    assert spec["architecture"] == "arm64"


def test_unbound_opaque_sample_errors(cli):
    proc = cli("spec", str(SAMPLES / "rust-opaque.nix"))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "rustPlatform.buildRustPackage" in proc.stderr and "rust-opaque.nix:8:5" in proc.stderr
    assert "--bind myservice=" in proc.stderr


def test_unknown_attribute_names_the_images(cli):
    one = cli("spec", str(SAMPLES / "hello-layered.nix"), "-A", "nosuch")
    assert one.returncode == 1 and "the file itself is the image (omit -A)" in one.stderr
    several = cli("spec", str(SAMPLES / "multi-image.nix"), "-A", "nosuch")
    assert several.returncode == 1 and "(images: backend, frontend, merged)" in several.stderr
    assert "Traceback" not in one.stderr + several.stderr
