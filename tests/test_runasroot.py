"""buildImage's runAsRoot without a VM (translator/runasroot): the script runs as root in private
namespaces over the base image, and what it changed becomes the layer.

* nixpkgs' own examples (pkgs/build-support/docker/examples.nix of ../shared/nixpkgs-core) build
  with --placeholders - the runAsRoot ones run with the host's static busybox - and so does every
  other example that needs no network;
* with real content (../shared/conformance/image's store paths, built by nix-build): a user added,
  a directory chowned to it, a base file deleted - checked in podman, skopeo and umoci; builds
  byte-identical, across overlay modes and as an unprivileged user with subordinate ids;
* failures: the script's output and exit status, the time limit, SIGINT of the build and SIGKILL
  of the namespace worker leave no mount, process or scratch directory behind.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, in_ci, need_conformance, need_tool, nix2image_exe, run_cli
from test_image_support import (archive_json, archive_layers, expected, oracle_store, podman, tar_tree,  # noqa: F401
                                validate_image)

EXAMPLES = SHARED / "nixpkgs-core" / "tree" / "pkgs" / "build-support" / "docker" / "examples.nix"
RUN_AS_ROOT_EXAMPLES = ("redis", "runAsRootExtraCommands", "runAsRootParentImage", "layersUnpackOrder")
#: images of examples.nix nix2image cannot build offline: pulled from Docker Hub, or evaluating
#: NixOS modules (etc)
UNBUILDABLE = ("nixFromDockerHub", "onTopOfPulledImage", "testNixFromDockerHub", "etc")
#: fails as before this work: enableFakechroot's absolute paths are not redirected (no chroot)
KNOWN_FAILING = ("imageViaFakeChroot",)
#: built by default (with the runAsRoot ones); NIX2IMAGE_ALL_EXAMPLES=1 builds every example (~30 s)
SAMPLE = ("mergedBashAndRedis", "no-store-paths", "bash", "layered-image", "layeredImageWithFakeRootCommands")
ALL_EXAMPLES = os.environ.get("NIX2IMAGE_ALL_EXAMPLES") == "1"
HOST_TOOLS = "org.nix2image.runasroot-host-tools"


def need_root() -> None:
    if os.geteuid() != 0:
        if in_ci():
            pytest.fail("these tests run as root in CI (users and subordinate ids are created)")
        pytest.skip("needs root")


def _config(path: Path, index: int = 0) -> dict:
    return archive_json(path, archive_json(path, "manifest.json")[index]["Config"])


def _last_layer(path: Path) -> dict:
    return tar_tree(__import__("io").BytesIO(archive_layers(path)[-1]), owners=True)


def _member(path: Path, layer: int, name: str) -> bytes:
    import io

    with tarfile.open(fileobj=io.BytesIO(archive_layers(path)[layer])) as tf:
        return tf.extractfile(name).read()


def _our_mounts() -> list[str]:
    with open("/proc/mounts") as f:
        return [l for l in f if "runasroot-" in l or ".nix2image-" in l or "store-view" in l]


def _stray_processes(token: str) -> list[int]:
    """Processes whose command line holds ``token`` (a script's unique marker)."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if token.encode() in f.read():
                    out.append(int(pid))
        except OSError:
            continue
    return out


# --- nixpkgs' examples, with placeholders ------------------------------------------------------

@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    """Every buildable image of examples.nix built once (one evaluation): {attr: (result, path)}."""
    need_conformance(EXAMPLES)
    need_tool("busybox")
    from translator.image.build import build
    from translator.universe.load import LoadOptions, load_all

    work = tmp_path_factory.mktemp("examples")
    wrapper = work / "examples-wrapper.nix"
    wrapper.write_text(
        "let pkgs = import <nixpkgs> { };\n"
        f"  ex = pkgs.callPackage {EXAMPLES} {{ inherit (pkgs.dockerTools) buildImage buildLayeredImage fakeNss\n"
        "    pullImage shadowSetup buildImageWithNixDb streamNixShellImage; };\n"
        f"in builtins.removeAttrs ex [ {' '.join(json.dumps(a) for a in UNBUILDABLE)} ]\n")
    specs, content = load_all(str(wrapper), LoadOptions(placeholders=True))
    out = {}
    for spec in specs:
        attr = spec.origin.rsplit("#", 1)[-1]
        if attr in KNOWN_FAILING or not (ALL_EXAMPLES or attr in SAMPLE or attr in RUN_AS_ROOT_EXAMPLES):
            continue
        path = work / f"{attr}.tar"
        out[attr] = (build(spec, None, content, str(path)), path)
    return out


def test_every_example_builds(examples):
    assert set(RUN_AS_ROOT_EXAMPLES) | set(SAMPLE) <= set(examples)
    assert len(examples) >= (40 if ALL_EXAMPLES else len(SAMPLE) + len(RUN_AS_ROOT_EXAMPLES))
    for attr, (res, path) in examples.items():
        assert path.stat().st_size > 0, attr
        if attr not in RUN_AS_ROOT_EXAMPLES and not attr.startswith("merge") and res.format != "rootfs-tar":
            assert HOST_TOOLS not in (_config(path)["config"].get("Labels") or {}), attr


def test_no_store_paths_extra_commands_see_the_store_path(examples):
    # `cp -r ${pkgs.pkgsStatic.busybox}/* .` copied the (placeholder) content; `${pkgs.hello}/bin/hello` ran
    _res, path = examples["no-store-paths"]
    layer = _last_layer(path)
    assert layer["bin/busybox"][0] == "f"
    assert layer["nix-support/nix2image-placeholder"][0] == "f"
    assert not any(n.startswith("nix/") for n in layer)


def test_fake_root_commands_read_store_paths(tmp_path):
    f = tmp_path / "fr.nix"
    f.write_text("""{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildLayeredImage {
  name = "fr";
  includeStorePaths = false;
  fakeRootCommands = ''
    mkdir bb
    cp -r ${pkgs.pkgsStatic.busybox}/bin bb/
    chown -R 1000:1000 bb
  '';
}
""")
    out = tmp_path / "fr.tar"
    proc = run_cli("build", str(f), "--placeholders", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "commands that read store paths ran with placeholder content" in proc.stderr
    layer = _last_layer(out)
    assert layer["bb/bin/busybox"][0] == "f" and layer["bb/bin/busybox"][3] == (1000, 1000)


def test_redis_runs_mkdir_data_with_host_tools_and_is_labelled(examples, tmp_path):
    res, path = examples["redis"]
    layer = _last_layer(path)
    assert layer["data"][:2] == ("d", 0o755) and layer["data"][3] == (0, 0)
    assert not any(n.startswith(".nix2image") or "host-tools" in n for n in layer), "host tools leaked into the layer"
    labels = _config(path)["config"]["Labels"]
    assert labels[HOST_TOOLS].startswith("busybox sha256:")
    warned = [w for w in res.warnings if "host's static busybox" in w]
    assert len(warned) == 1
    rootfs = validate_image(path, tmp_path, tag="latest")
    assert (rootfs / "data").is_dir()


def test_run_as_root_then_extra_commands_in_nixpkgs_order(examples):
    _res, path = examples["runAsRootExtraCommands"]
    layer = _last_layer(path)
    assert layer["runAsRoot"][0] == "f" and layer["extraCommands"][0] == "f"
    assert _member(path, -1, "runAsRoot") == b"(runAsRoot)\n"
    assert _member(path, -1, "extraCommands") == b"(extraCommand)\n"


def test_run_as_root_on_parent_images_at_any_depth(examples):
    _res, path = examples["runAsRootParentImage"]
    assert "example-file" in _last_layer(path)
    assert len(archive_layers(path)) == 2  # bash's layer, then this one
    # three runAsRoot images stacked: each script saw the layers below it, in order
    _res, path = examples["layersUnpackOrder"]
    assert _member(path, -1, "layer-order") == b"abc"
    assert len(archive_layers(path)) == 3


def test_merged_images_with_run_as_root(examples):
    for attr in ("mergedBashAndRedis", "mergedBashNoTagAndRedis", "mergeVaryingCompressor"):
        if attr not in examples:
            continue
        res, path = examples[attr]
        tags = [t for e in archive_json(path, "manifest.json") for t in e["RepoTags"]]
        assert "redis:latest" in tags, attr
        assert sum("host's static busybox" in w for w in res.warnings) == 1, attr


def test_shadow_setup_idioms_and_vm_arguments(tmp_path):
    need_tool("busybox")
    f = tmp_path / "shadow.nix"
    f.write_text("""{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildImage {
  name = "shadowed";
  tag = "1";
  diskSize = 4096;
  buildVMMemorySize = 2048;
  runAsRoot = ''
    #!${pkgs.runtimeShell}
    ${pkgs.dockerTools.shadowSetup}
    groupadd -r redis
    useradd -r -g redis -d /data -M redis
    mkdir -p /data
    chown redis:redis /data
    echo 'extra:x:4242:4242::/:/bin/sh' >> /etc/passwd
  '';
}
""")
    out = tmp_path / "s.tar"
    proc = run_cli("build", str(f), "--placeholders", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "diskSize/buildVMMemorySize are ignored" in proc.stderr
    passwd = _member(out, -1, "etc/passwd").decode()
    group = _member(out, -1, "etc/group").decode()
    assert passwd.startswith("root:x:0:0::/root:/nix/store/")
    assert "redis:x:999:999::/data:/bin/sh" in passwd and "extra:x:4242" in passwd
    assert "redis:x:999:" in group
    assert _last_layer(out)["data"][3] == (999, 999)


# --- real content ------------------------------------------------------------------------------

SCRIPT = """
echo 'alice:x:1000:' >> /etc/group
echo 'alice:x:1000:1000:Alice:/home/alice:/bin/sh' >> /etc/passwd
busybox mkdir -p /srv/data
busybox chown alice:alice /srv/data
busybox rm /etc/remove-me
busybox rm -r /var/old && busybox mkdir /var/old && echo new > /var/old/g
echo "script ran as $(busybox id -u)"
"""


def _real_specs(oracle_store, tmp_path: Path, script: str = SCRIPT, name: str = "withuser", base_extra: str = "") -> Path:
    """A --spec-json file: busybox (real, from nix-build) as the base's copyToRoot, a runAsRoot image on top."""
    bb = oracle_store["busybox"]
    closure = [{"path": bb, "nar_size": 1, "references": []}]
    base = {"builder": "buildImage", "name": "rar-base", "tag": "b", "copy_to_root": [bb], "closure": closure,
            "extra_commands": "mkdir -p etc var/old; echo 'root:x:0:0::/root:/bin/sh' > etc/passwd; "
                              "echo 'root:x:0:' > etc/group; echo bye > etc/remove-me; echo x > var/old/f; " + base_extra}
    top = {"builder": "buildImage", "name": name, "tag": "t", "run_as_root": script, "closure": closure,
           "from_image": {"kind": "spec", "spec": base},
           "extra": {"runAsRootShell": bb + "/bin/sh", "runAsRootPath": bb + "/bin"},
           "config": {"Cmd": ["/bin/sh"]}}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(top))
    return path


def test_real_content_user_owner_deletion_in_podman(oracle_store, tmp_path, podman):
    need_root()
    spec = _real_specs(oracle_store, tmp_path)
    out = tmp_path / "a.tar"
    proc = run_cli("--debug", "build", "--spec-json", str(spec), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "debug: runAsRoot of image 'withuser'" in proc.stderr and "root filesystem by kernel overlayfs" in proc.stderr
    layer = _last_layer(out)
    assert layer["srv/data"][3] == (1000, 1000)
    assert "etc/.wh.remove-me" in layer and "var/old/.wh..wh..opq" in layer
    assert not any(n in layer for n in ("dev", "proc", "nix", ".nix2image-old-root"))
    assert HOST_TOOLS not in (_config(out)["config"].get("Labels") or {})  # the image's own shell ran
    podman.load(out)
    got = podman.run("localhost/withuser:t", "/bin/sh", "-c",
                     "busybox grep alice /etc/passwd; busybox stat -c %u:%g:%U /srv/data; "
                     "test -e /etc/remove-me || echo gone; busybox ls /var/old")
    assert got.splitlines() == ["alice:x:1000:1000:Alice:/home/alice:/bin/sh", "1000:1000:alice", "gone", "g"]
    rootfs = validate_image(out, tmp_path)  # skopeo, oci-image-tool, umoci unpack --rootless
    assert (rootfs / "srv/data").is_dir() and not (rootfs / "etc/remove-me").exists()
    assert sorted(os.listdir(rootfs / "var/old")) == ["g"]
    again = tmp_path / "b.tar"
    run_cli("build", "--spec-json", str(spec), "-o", str(again), check=True)
    assert out.read_bytes() == again.read_bytes()


@pytest.fixture(scope="module")
def kernel_build(oracle_store, tmp_path_factory) -> tuple[Path, Path]:
    need_root()
    tmp = tmp_path_factory.mktemp("kernel")
    spec = _real_specs(oracle_store, tmp)
    kernel = tmp / "k.tar"
    run_cli("build", "--spec-json", str(spec), "-o", str(kernel), check=True)
    return spec, kernel


@pytest.mark.parametrize("mode", ["fuse", "copy"])
def test_overlay_modes_give_the_same_tree(kernel_build, tmp_path, mode):
    need_tool("fuse-overlayfs")
    spec, kernel = kernel_build
    other = tmp_path / f"{mode}.tar"
    env = dict(os.environ, NIX2IMAGE_RUNASROOT_OVERLAY=mode)
    proc = run_cli("--debug", "build", "--spec-json", str(spec), "-o", str(other), env=env)
    assert proc.returncode == 0, proc.stderr
    assert {"fuse": "fuse-overlayfs", "copy": "a copy"}[mode] in proc.stderr
    if mode == "fuse":
        assert kernel.read_bytes() == other.read_bytes()
    else:  # a copy cannot see that /var/old was replaced whole: its old file is whited out instead
        a, b = _last_layer(kernel), _last_layer(other)
        assert a.pop("var/old/.wh..wh..opq") and b.pop("var/old/.wh.f")
        assert a == b


# --- as an unprivileged user ---------------------------------------------------------------------

USER = "n2i-rar-test"


def _python_for(user: str) -> tuple[list[str], dict[str, str]]:
    """An interpreter ``user`` can run with this checkout importable (the venv's may live under /root)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    probe = subprocess.run(["runuser", "-u", user, "--", sys.executable, "-c", "import click, lark"],
                           capture_output=True)
    if probe.returncode == 0:
        return [sys.executable], env
    site = [p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)]
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + site)
    for cand in ("/usr/bin/python3", shutil.which("python3") or ""):
        if cand and subprocess.run(["runuser", "-u", user, "--", "env", f"PYTHONPATH={env['PYTHONPATH']}", cand, "-c",
                                    f"import sys, click, lark; assert sys.version_info[:2] == {tuple(sys.version_info[:2])}"],
                                   capture_output=True).returncode == 0:
            return [cand], env
    pytest.skip(f"no Python {sys.version_info[0]}.{sys.version_info[1]} that {user} can run with this checkout")


@pytest.fixture
def unprivileged(tmp_path):
    """A user with no subordinate ids; ``grant()`` adds its /etc/subuid and /etc/subgid entries."""
    need_root()
    need_tool("useradd", "userdel", "runuser", "newuidmap", "newgidmap")
    subprocess.run(["userdel", USER], capture_output=True)
    subprocess.run(["useradd", "-M", "-s", "/bin/sh", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", USER], check=True)
    saved = {f: Path(f).read_text() if Path(f).exists() else None for f in ("/etc/subuid", "/etc/subgid")}
    home = Path(tmp_path) / "home"
    home.mkdir()
    pw = pwd.getpwnam(USER)
    os.chown(home, pw.pw_uid, pw.pw_gid)
    for d in (tmp_path, tmp_path.parent, tmp_path.parent.parent):
        os.chmod(d, os.stat(d).st_mode | 0o755)

    def grant() -> None:
        for f in ("/etc/subuid", "/etc/subgid"):
            with open(f, "a") as fh:
                fh.write(f"{USER}:300000:65536\n")

    def build(*args: str) -> subprocess.CompletedProcess:
        py, env = _python_for(USER)
        env["HOME"] = str(home)
        return subprocess.run(["runuser", "-u", USER, "--", "env", *[f"{k}={v}" for k, v in env.items()], *py,
                               "-m", "translator.cli", *args], capture_output=True, text=True, cwd=str(home), timeout=600)

    yield grant, build, home
    for f, text in saved.items():
        if text is not None:
            Path(f).write_text(text)
    subprocess.run(["userdel", USER], capture_output=True)


def test_rootless_with_subordinate_ids_gives_the_same_image(oracle_store, tmp_path, unprivileged):
    grant, build, home = unprivileged
    spec = _real_specs(oracle_store, tmp_path)
    os.chmod(spec, 0o644)
    out = home / "rootless.tar"
    missing = build("build", "--spec-json", str(spec), "-o", str(out))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert f"runAsRoot as the unprivileged user '{USER}' needs subordinate ids" in missing.stderr
    assert "/etc/subuid and /etc/subgid" in missing.stderr and "usermod --add-subuids" in missing.stderr
    assert sorted(os.listdir(home)) == []
    grant()
    proc = build("--debug", "build", "--spec-json", str(spec), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "rootless ids" in proc.stderr
    as_root = tmp_path / "root.tar"
    run_cli("build", "--spec-json", str(spec), "-o", str(as_root), check=True)
    assert out.read_bytes() == as_root.read_bytes()  # chown 1000 kept through the subordinate ids
    assert sorted(os.listdir(home)) == ["rootless.tar"]


# --- failure, time limit, interruption -------------------------------------------------------------

def test_failing_script_shows_output_and_status_and_leaves_nothing(oracle_store, tmp_path):
    need_root()
    spec = _real_specs(oracle_store, tmp_path, script="echo about to fail; busybox ls /no/such/dir || exit 7")
    before = _our_mounts()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = run_cli("build", "--spec-json", str(spec), "-o", str(out_dir / "x.tar"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "runAsRoot script of image 'withuser' failed (exit 7); its output:" in proc.stderr
    assert "about to fail" in proc.stderr and "/no/such/dir" in proc.stderr
    assert os.listdir(out_dir) == [] and _our_mounts() == before


def test_script_cannot_write_outside_its_tree(oracle_store, tmp_path):
    need_root()
    victim = tmp_path / "victim"
    victim.mkdir()
    script = (f"busybox mkdir -p {victim}; echo owned > /escape/pwned; echo x > {victim}/direct; "
              "busybox mkdir /nix/store/x 2>/dev/null && echo store-writable; :")
    # a base layer's symlink pointing outside the tree resolves inside it
    spec = _real_specs(oracle_store, tmp_path, script=script, base_extra=f"ln -s {victim} escape")
    out = tmp_path / "o.tar"
    proc = run_cli("build", "--spec-json", str(spec), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert os.listdir(victim) == []
    layer = _last_layer(out)
    inside = victim.relative_to("/").as_posix()
    assert layer[inside + "/pwned"][0] == "f" and layer[inside + "/direct"][0] == "f"
    assert "nix/store/x" not in layer and "escape" not in layer


def _start_build(spec: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([nix2image_exe(), "build", "--spec-json", str(spec), "-o", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_script(token: str, proc: subprocess.Popen) -> None:
    for _ in range(600):
        if _stray_processes(token):
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("the script never started")


def _worker_pid(build_pid: int) -> int:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if ppid == build_pid and b"translator.runasroot.worker" in cmd:
            return int(pid)
    raise AssertionError("no worker process")


@pytest.mark.parametrize("how", ["timeout", "sigint", "sigkill-worker"])
def test_stopped_builds_leave_no_process_mount_or_scratch(oracle_store, tmp_path, how):
    need_root()
    token = f"{how.replace('-', '')}{os.getpid()}"
    # busybox sleep's argv holds the token, so a surviving script is found in /proc
    spec = _real_specs(oracle_store, tmp_path, script=f"exec busybox sh -c 'busybox sleep 300; : {token}'")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = _our_mounts()
    proc = _start_build(spec, out_dir / "x.tar", *(["--run-timeout", "3"] if how == "timeout" else []))
    _wait_for_script(token, proc)
    if how == "sigint":
        proc.send_signal(signal.SIGINT)
    elif how == "sigkill-worker":
        os.kill(_worker_pid(proc.pid), signal.SIGKILL)
    _out, err = proc.communicate(timeout=60)
    if how == "timeout":
        assert proc.returncode == 1 and "did not finish within 3 s" in err and "--run-timeout" in err
    elif how == "sigint":
        assert proc.returncode == 130 and "interrupted" in err
    else:
        assert proc.returncode == 1 and "ended early (killed by signal 9)" in err
    assert "Traceback" not in err
    for _ in range(50):
        if not _stray_processes(token):
            break
        time.sleep(0.1)
    assert _stray_processes(token) == []
    assert os.listdir(out_dir) == [] and _our_mounts() == before


def test_missing_namespace_support_is_one_clear_error(monkeypatch):
    from translator.errors import UserError
    from translator.runasroot import namespace

    monkeypatch.setattr(namespace, "_read_int", lambda p: 0 if p.endswith("max_user_namespaces") else None)
    with pytest.raises(UserError) as err:
        namespace.check_support()
    assert "user namespaces, which are disabled" in str(err.value)
    assert "sysctl -w user.max_user_namespaces=15000" in str(err.value)
