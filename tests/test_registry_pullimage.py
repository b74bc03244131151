"""pullImage bases end to end: a base pushed to a real registry, pulled into the offline cache,
used as fromImage by buildImage and buildLayeredImage, and the results run in podman."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import need_tool, run_cli
from registry_support import Registry, make_docker_archive
from test_image_support import podman  # noqa: F401  (fixture)

NIX_FILE = """
let
  pkgs = import <nixpkgs> {{ }};
  base = pkgs.dockerTools.pullImage {{
    imageName = "{host}/base/busybox";
    imageDigest = "{digest}";
    sha256 = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    finalImageName = "busybox-base";
    finalImageTag = "pinned";
  }};
  greeting = pkgs.writeTextDir "etc/greeting" "hello from the {kind} layer\\n";
in
pkgs.dockerTools.{builder} {{
  name = "on-pulled-base-{kind}";
  tag = "1";
  fromImage = base;
  {contents} = [ greeting ];
  config.Cmd = [ "/bin/busybox" "sh" "-c" "cat /etc/greeting /etc/base-marker" ];
}}
"""


@pytest.fixture(scope="module")
def pulled_base(tmp_path_factory):
    """A busybox base image in a real registry, pulled into a pull cache; yields (cache, host, digest)."""
    need_tool("busybox")
    work = tmp_path_factory.mktemp("pullbase")
    reg = Registry(work / "registry").start()
    try:
        busybox = Path(shutil.which("busybox")).read_bytes()
        base = work / "base.tar"
        make_docker_archive(base, [{"bin/busybox": busybox}, {"etc/base-marker": b"base marker\n"}], "busybox:1",
                            cmd=["/bin/busybox", "sh"])
        push = run_cli("push", str(base), f"docker://{reg.host}/base/busybox:1", "--insecure", "--json",
                       "--cache-dir", str(work / "cache"))
        assert push.returncode == 0, push.stderr
        digest = json.loads(push.stdout)["digest"]
        cache = work / "pull-cache"
        pulled = run_cli("pull", f"docker://{reg.host}/base/busybox@{digest}", "--to-cache", str(cache), "--insecure", "-q")
        assert pulled.returncode == 0, pulled.stderr
        yield cache, reg.host, digest
    finally:
        reg.stop()


@pytest.mark.parametrize("builder,contents,kind", [("buildImage", "copyToRoot", "stacked"),
                                                   ("buildLayeredImage", "contents", "layered")])
def test_pullimage_base_builds_and_runs(pulled_base, podman, tmp_path, builder, contents, kind):  # noqa: F811
    cache, host, digest = pulled_base
    nix = tmp_path / "image.nix"
    nix.write_text(NIX_FILE.format(host=host, digest=digest, builder=builder, contents=contents, kind=kind))
    out = tmp_path / "image.tar"

    offline = run_cli("build", str(nix), "-o", str(out))
    assert offline.returncode != 0 and not out.exists()
    assert digest in offline.stderr and "--to-cache" in offline.stderr and "Traceback" not in offline.stderr

    built = run_cli("build", str(nix), "-o", str(out), "--pull-cache", str(cache), "--quiet")
    assert built.returncode == 0, built.stderr
    podman.load(out)
    printed = podman.run(f"localhost/on-pulled-base-{kind}:1")
    assert printed == f"hello from the {kind} layer\nbase marker\n"
