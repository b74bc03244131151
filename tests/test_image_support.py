"""Shared helpers and fixtures for the image tests (imported by tests/test_image_*.py).

* ``oracle_store``: the six store paths of ../shared/conformance/image/store.nix, built once per
  session with the real nix-build, and expected.json.
* :func:`validate_image`: the checks every produced image goes through - ``skopeo copy`` into an
  OCI layout (digests re-verified), ``oci-image-tool validate --type image`` and
  ``umoci unpack --rootless`` - returning the unpacked rootfs.
* :func:`podman`: a private vfs storage per session (podman runs are slow: keep them few).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from conftest import CONFORMANCE, need_conformance, need_tool, nix_env

IMAGE_DIR = CONFORMANCE / "image"


@pytest.fixture(scope="session")
def expected() -> dict:
    need_conformance(IMAGE_DIR / "expected.json")
    return json.loads((IMAGE_DIR / "expected.json").read_text())


@pytest.fixture(scope="session")
def oracle_store(expected) -> dict:
    """Build store.nix's paths (real Nix) and return {attr: store path}."""
    need_tool("nix-build")
    proc = subprocess.run(["nix-build", str(IMAGE_DIR / "store.nix"), "-A", "all", "--option", "sandbox", "false",
                           "--no-out-link"], env=nix_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    built = set(proc.stdout.split())
    attrs = {k: v["path"] for k, v in expected["store"]["attrs"].items()}
    assert set(attrs.values()) == built, "store.nix built other paths than expected.json records"
    return attrs


def closure_infos(expected) -> list:
    from translator.storeinfo import PathInfo

    return [PathInfo(v["path"], v["narSize"], tuple(v["references"])) for v in expected["store"]["attrs"].values()]


def oracle_plan(expected, run="plain"):
    from translator.storeinfo import LayerPlan

    return LayerPlan("given", tuple(tuple(l["paths"]) for l in expected["runs"][run]["layers"] if l["kind"] == "store"))


def run(cmd, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def validate_image(image: Path, work: Path, tag: str = "t", transport: str = "docker-archive",
                   zstd: bool = False) -> Path:
    """skopeo copy -> oci-image-tool validate -> umoci unpack --rootless; returns the rootfs.

    ``zstd``: the installed oci-image-tool and umoci predate image-spec 1.1's ``tar+zstd`` media
    type, so skopeo (which reads and digest-checks the zstd blobs) recompresses them to gzip.
    """
    need_tool("skopeo", "umoci", "oci-image-tool")
    oci = work / f"oci-{image.stem}"
    bundle = work / f"bundle-{image.stem}"
    extra = ["--dest-compress-format", "gzip"] if zstd else []
    run(["skopeo", "copy", "-q", *extra, f"{transport}:{image}", f"oci:{oci}:{tag}"])
    run(["oci-image-tool", "validate", "--type", "image", "--ref", f"name={tag}", str(oci)])
    run(["umoci", "unpack", "--rootless", "--image", f"{oci}:{tag}", str(bundle)])
    return bundle / "rootfs"


def _varints(b: bytes) -> dict[int, int]:
    """Decode the protobuf fields (all varints) of umoci's ``user.rootlesscontainers`` xattr."""
    out, i = {}, 0
    while i < len(b):
        key = b[i]
        i += 1
        val, shift = 0, 0
        while True:
            c = b[i]
            i += 1
            val |= (c & 0x7F) << shift
            shift += 7
            if not c & 0x80:
                break
        out[key >> 3] = val
    return out


def owner_of(p: Path, st: os.stat_result) -> tuple[int, int]:
    """The owner umoci --rootless recorded (xattr user.rootlesscontainers), else the real one."""
    try:
        raw = os.getxattr(p, "user.rootlesscontainers", follow_symlinks=False)
    except OSError:
        return (st.st_uid, st.st_gid)
    f = _varints(raw)
    return (f.get(1, 0), f.get(2, 0))


def tree(root: Path, owners: bool = False) -> dict[str, tuple]:
    """``{relative path: (kind, mode, target or size[, (uid, gid)])}`` of an unpacked root filesystem."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in sorted(dirnames + filenames):
            p = Path(dirpath) / n
            st = p.lstat()
            rel = str(p.relative_to(root))
            if stat.S_ISLNK(st.st_mode):
                v = ("l", 0o777, os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                v = ("d", stat.S_IMODE(st.st_mode), None)
            else:
                v = ("f", stat.S_IMODE(st.st_mode), st.st_size)
            out[rel] = v + (owner_of(p, st),) if owners else v
    return out


def tar_tree(layer_bytes_or_path, owners: bool = False) -> dict[str, tuple]:
    """The same shape as :func:`tree` for the entries of one tar (names normalised)."""
    out = {}
    with tarfile.open(layer_bytes_or_path) if isinstance(layer_bytes_or_path, (str, Path)) else \
            tarfile.open(fileobj=layer_bytes_or_path) as tf:
        for ti in tf:
            name = ti.name.lstrip("/")
            while name.startswith("./"):
                name = name[2:]
            name = name.rstrip("/")
            if not name:
                continue
            if ti.issym():
                v = ("l", 0o777, ti.linkname)
            elif ti.isdir():
                v = ("d", ti.mode, None)
            else:
                v = ("f", ti.mode, ti.size)
            out[name] = v + ((ti.uid, ti.gid),) if owners else v
    return out


def archive_members(path: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(path) as tf:
        return {m.name: m for m in tf.getmembers()}


def archive_json(path: Path, name: str):
    with tarfile.open(path) as tf:
        return json.load(tf.extractfile(name))


def archive_layers(path: Path) -> list[bytes]:
    """Layer tars of a manifest-form docker-archive, bottom first."""
    with tarfile.open(path) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))
        return [tf.extractfile(n).read() for n in manifest[0]["Layers"]]


class Podman:
    """podman with a private vfs storage under a session temp dir."""

    def __init__(self, root: Path) -> None:
        # podman refuses a runroot longer than 50 characters: pytest's temp paths can be longer
        runroot = tempfile.mkdtemp(prefix="n2i-pod-")
        self.base = ["podman", "--root", str(root / "root"), "--runroot", runroot,
                     "--storage-driver", "vfs"]

    def load(self, archive: Path) -> str:
        return run(self.base + ["load", "-q", "-i", str(archive)]).stdout

    def run(self, image: str, *cmd: str) -> str:
        return run(self.base + ["run", "--rm", "--runtime", "runc", "--network", "none",
                                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", image, *cmd]).stdout


@pytest.fixture(scope="session")
def podman(tmp_path_factory) -> Podman:
    need_tool("podman", "runc")
    return Podman(tmp_path_factory.mktemp("podman"))
