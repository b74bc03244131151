"""A Nix file built straight into a real registry: same layers as `nix2image build`, and layers
the registry has are neither rebuilt nor uploaded on the next push."""

from __future__ import annotations

import json
import subprocess
import tarfile

import pytest

from conftest import need_tool, run_cli
from registry_support import Registry

NIX = """
{{ pkgs ? import <nixpkgs> {{ }} }}:
pkgs.dockerTools.buildLayeredImage {{
  name = "webapp";
  tag = "v{version}";
  contents = [ pkgs.bashInteractive pkgs.coreutils (pkgs.writeTextDir "etc/app-version" "{version}\\n") ];
  config.Cmd = [ "/bin/bash" "-c" "cat /etc/app-version" ];
  maxLayers = 6;
}}
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    reg = Registry(tmp_path_factory.mktemp("registry")).start()
    yield reg
    reg.stop()


def push_nix(path, dest, cache) -> dict:
    proc = run_cli("push", str(path), dest, "--insecure", "--json", "--cache-dir", str(cache), "--placeholders")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_nix_file_pushed_without_archive_matches_build(registry, tmp_path):
    need_tool("skopeo")
    cache = tmp_path / "cache"
    v1 = tmp_path / "v1.nix"
    v1.write_text(NIX.format(version=1))
    first = push_nix(v1, f"docker://{registry.host}/web/app", cache)
    assert first["reference"].endswith("/web/app:v1")  # no tag given: the image's own tag
    assert all(b["action"] == "uploaded" for b in first["blobs"])

    # the same bytes as an archive build of the same file
    archive = tmp_path / "v1.tar"
    assert run_cli("build", str(v1), "-o", str(archive), "--placeholders", "--quiet").returncode == 0
    with tarfile.open(archive) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))
        config = json.load(tf.extractfile(manifest[0]["Config"]))
    raw = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--config", "--raw",
                          f"docker://{registry.host}/web/app:v1"], capture_output=True, check=True).stdout
    assert json.loads(raw)["rootfs"]["diff_ids"] == config["rootfs"]["diff_ids"]

    # pushing again: every store layer is known and present, so only the customisation layer is tarred
    again = push_nix(v1, f"docker://{registry.host}/web/app:again", cache)
    assert again["bytes_sent"] == 0
    assert len(again["layers_built"]) == 1
    assert again["digest"] == first["digest"]


def test_one_package_change_moves_one_layer(registry, tmp_path):
    cache = tmp_path / "cache"
    v1, v2 = tmp_path / "v1.nix", tmp_path / "v2.nix"
    v1.write_text(NIX.format(version=1))
    v2.write_text(NIX.format(version=2))
    push_nix(v1, f"docker://{registry.host}/seq/app", cache)
    second = push_nix(v2, f"docker://{registry.host}/seq/app", cache)
    uploaded = [b for b in second["blobs"] if b["action"] == "uploaded"]
    # the changed writeTextDir's store layer, the customisation layer and the config
    assert len(uploaded) == 3
    assert second["bytes_sent"] == sum(b["size"] for b in uploaded)
