"""Push and pull against a real registry (Debian's docker-registry on 127.0.0.1), checked with skopeo."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import need_tool, run_cli
from registry_support import FaultProxy, Registry, make_docker_archive



def noise(seed: bytes, size: int) -> bytes:
    """Incompressible but deterministic bytes, so that compressed sizes stay meaningful."""
    import hashlib

    out, block = bytearray(), seed
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


BASE = {"bin/base": noise(b"base", 200_000)}
DEP = {"lib/libdep.so": noise(b"dep", 100_000)}
APP_V1 = [BASE, DEP, {"bin/app": b"app version 1\n"}]
APP_V2 = [BASE, DEP, {"bin/app": b"app version 2\n"}]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    reg = Registry(tmp_path_factory.mktemp("registry")).start()
    yield reg
    reg.stop()


@pytest.fixture
def cache_dir(tmp_path) -> str:
    return str(tmp_path / "cache")


def push(src: Path, dest: str, cache_dir: str, *extra: str) -> dict:
    proc = run_cli("push", str(src), dest, "--insecure", "--json", "--cache-dir", cache_dir, "--retries", "3", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def skopeo_digest(ref: str) -> str:
    need_tool("skopeo")
    out = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--raw", ref], capture_output=True, check=True).stdout
    import hashlib

    return "sha256:" + hashlib.sha256(out).hexdigest()


def test_push_then_pull_back_with_skopeo_and_nix2image(registry, tmp_path, cache_dir):
    src = tmp_path / "v1.tar"
    diff_ids = make_docker_archive(src, APP_V1, "app:1")
    report = push(src, f"docker://{registry.host}/team/app:1", cache_dir)
    assert [b["action"] for b in report["blobs"]] == ["uploaded"] * 4
    assert skopeo_digest(f"docker://{registry.host}/team/app:1") == report["digest"]

    # skopeo copies it out again, verifying every blob digest on the way
    oci = tmp_path / "oci"
    subprocess.run(["skopeo", "copy", "--preserve-digests", "--src-tls-verify=false", f"docker://{registry.host}/team/app:1", f"oci:{oci}:1"],
                   check=True, capture_output=True)
    index = json.loads((oci / "index.json").read_text())
    assert index["manifests"][0]["digest"] == report["digest"]

    # and nix2image pull gives the same digest and the same uncompressed layers
    out = tmp_path / "pulled.tar"
    proc = run_cli("pull", f"docker://{registry.host}/team/app:1", "-o", str(out), "--insecure", "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == report["digest"]
    with tarfile.open(out) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))
        config = json.load(tf.extractfile(manifest[0]["Config"]))
    assert config["rootfs"]["diff_ids"] == diff_ids
    assert manifest[0]["RepoTags"] == [f"{registry.host}/team/app:1"]


def test_second_version_uploads_only_the_changed_layer(registry, tmp_path, cache_dir):
    v1, v2 = tmp_path / "v1.tar", tmp_path / "v2.tar"
    make_docker_archive(v1, APP_V1, "app:1")
    make_docker_archive(v2, APP_V2, "app:2")
    first = push(v1, f"docker://{registry.host}/seq/app:1", cache_dir)
    second = push(v2, f"docker://{registry.host}/seq/app:2", cache_dir)
    actions = [b["action"] for b in second["blobs"]]
    assert actions == ["present", "present", "uploaded", "uploaded"]  # base, dep kept; app layer and config new
    changed = [b for b in second["blobs"] if b["action"] == "uploaded"]
    assert second["bytes_sent"] == sum(b["size"] for b in changed)
    assert second["bytes_sent"] < first["bytes_sent"] / 10


def test_cross_repository_mount(registry, tmp_path, cache_dir):
    src = tmp_path / "v1.tar"
    make_docker_archive(src, APP_V1, "app:1")
    push(src, f"docker://{registry.host}/one/app:1", cache_dir)
    other = push(src, f"docker://{registry.host}/two/app:1", cache_dir)
    assert [b["action"] for b in other["blobs"]] == ["mounted"] * 4
    assert other["bytes_sent"] == 0


def test_zstd_oci_push_round_trips(registry, tmp_path, cache_dir):
    src = tmp_path / "v1.tar"
    make_docker_archive(src, APP_V1, "app:1")
    report = push(src, f"docker://{registry.host}/zstd/app:1", cache_dir, "--compress", "zstd", "--manifest-format", "oci")
    manifest = subprocess.run(["skopeo", "inspect", "--tls-verify=false", "--raw", f"docker://{registry.host}/zstd/app:1"],
                              capture_output=True, check=True).stdout
    doc = json.loads(manifest)
    assert doc["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert {layer["mediaType"] for layer in doc["layers"]} == {"application/vnd.oci.image.layer.v1.tar+zstd"}
    out = tmp_path / "pulled.tar"
    assert run_cli("pull", f"docker://{registry.host}/zstd/app:1", "-o", str(out), "--insecure", "-q").returncode == 0
    assert report["digest"] == skopeo_digest(f"docker://{registry.host}/zstd/app:1")


def test_chunked_upload(registry, tmp_path, cache_dir):
    src = tmp_path / "v1.tar"
    make_docker_archive(src, APP_V1, "app:1")
    report = push(src, f"docker://{registry.host}/chunked/app:1", cache_dir, "--chunk-size", "4096", "--compress", "none")
    assert skopeo_digest(f"docker://{registry.host}/chunked/app:1") == report["digest"]


def test_basic_auth(tmp_path, cache_dir):
    reg = Registry(tmp_path / "authreg", htpasswd=("alice", "s3cret-pw")).start()
    try:
        src = tmp_path / "v1.tar"
        make_docker_archive(src, APP_V1, "app:1")
        bad = run_cli("push", str(src), f"docker://{reg.host}/a/app:1", "--insecure", "--cache-dir", cache_dir,
                      "--username", "alice", "--password", "wrong-pw")
        assert bad.returncode == 1
        assert "authentication failed" in bad.stderr and "Traceback" not in bad.stderr
        assert "wrong-pw" not in bad.stderr + bad.stdout
        anon = run_cli("push", str(src), f"docker://{reg.host}/a/app:1", "--insecure", "--cache-dir", cache_dir)
        assert anon.returncode == 1 and "requires authentication" in anon.stderr
        auth = tmp_path / "auth.json"
        import base64

        auth.write_text(json.dumps({"auths": {reg.host: {"auth": base64.b64encode(b"alice:s3cret-pw").decode()}}}))
        ok = run_cli("push", str(src), f"docker://{reg.host}/a/app:1", "--insecure", "--cache-dir", cache_dir,
                     env={**__import__("os").environ, "REGISTRY_AUTH_FILE": str(auth)})
        assert ok.returncode == 0, ok.stderr
        assert "s3cret" not in ok.stderr + ok.stdout
    finally:
        reg.stop()


def test_500_on_one_blob_is_retried(registry, tmp_path, cache_dir):
    proxy = FaultProxy(registry.host)
    try:
        src = tmp_path / "v1.tar"
        make_docker_archive(src, APP_V1, "app:1")
        proxy.rules.append(["PUT", "/v2/fault500/app/blobs/uploads/", "500", 1])
        report = push(src, f"docker://{proxy.host}/fault500/app:1", cache_dir)
        assert any(status == 500 for _, _, status in proxy.log)
        assert skopeo_digest(f"docker://{registry.host}/fault500/app:1") == report["digest"]
    finally:
        proxy.close()


def test_wrong_manifest_digest_leaves_clear_error(registry, tmp_path, cache_dir):
    proxy = FaultProxy(registry.host)
    try:
        src = tmp_path / "v1.tar"
        make_docker_archive(src, APP_V1, "app:1")
        proxy.rules.append(["PUT", "/manifests/", "bad-digest", 10])
        proc = run_cli("push", str(src), f"docker://{proxy.host}/baddigest/app:1", "--insecure", "--cache-dir", cache_dir,
                       "--retries", "2")
        assert proc.returncode == 1
        assert "manifest digest" in proc.stderr and "Traceback" not in proc.stderr
    finally:
        proxy.close()


def test_failed_push_leaves_no_tag_and_resumes(registry, tmp_path, cache_dir):
    proxy = FaultProxy(registry.host)
    try:
        src = tmp_path / "v1.tar"
        make_docker_archive(src, APP_V1, "app:1")
        # the registry "goes away" for every upload of this repository: the push must fail without a tag
        proxy.rules.append(["PUT", "/v2/resume/app/blobs/uploads/", "drop", 2])
        proxy.rules.append(["POST", "/v2/resume/app/blobs/uploads/", "drop", 100])
        proc = run_cli("push", str(src), f"docker://{proxy.host}/resume/app:1", "--insecure", "--cache-dir", cache_dir,
                       "--retries", "2")
        assert proc.returncode == 1 and "giving up" in proc.stderr
        tags = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{registry.host}/resume/app:1"],
                              capture_output=True)
        assert tags.returncode != 0  # no tag points at a partial image
        uploaded_before = sum(1 for m, p, s in proxy.log if m == "PUT" and s == 201)
        # the registry is back: the push resumes, blobs already there are only checked with HEAD
        proxy.rules.clear()
        report = push(src, f"docker://{proxy.host}/resume/app:1", cache_dir)
        assert sum(1 for b in report["blobs"] if b["action"] == "present") == uploaded_before
        assert skopeo_digest(f"docker://{registry.host}/resume/app:1") == report["digest"]
    finally:
        proxy.close()


def test_registry_stopped_mid_push_then_restarted(tmp_path, cache_dir):
    reg = Registry(tmp_path / "restart").start()
    src = tmp_path / "v1.tar"
    make_docker_archive(src, APP_V1, "app:1")
    reg.stop()
    proc = run_cli("push", str(src), f"docker://{reg.host}/r/app:1", "--insecure", "--cache-dir", cache_dir, "--retries", "2")
    assert proc.returncode == 1 and "giving up after 2 attempts" in proc.stderr and "Traceback" not in proc.stderr
    reg.start()
    try:
        report = push(src, f"docker://{reg.host}/r/app:1", cache_dir)
        assert skopeo_digest(f"docker://{reg.host}/r/app:1") == report["digest"]
    finally:
        reg.stop()


def test_pull_to_cache_and_bad_references(registry, tmp_path, cache_dir):
    src = tmp_path / "v1.tar"
    make_docker_archive(src, APP_V1, "app:1")
    report = push(src, f"docker://{registry.host}/cached/app:1", cache_dir)
    cache = tmp_path / "pull-cache"
    proc = run_cli("pull", f"docker://{registry.host}/cached/app@{report['digest']}", "--to-cache", str(cache), "--insecure", "-q")
    assert proc.returncode == 0, proc.stderr
    assert (cache / "sha256" / report["digest"].split(":")[1] / "image.tar").is_file()
    bad = run_cli("pull", "docker://127.0.0.1:1/x@sha256:1234", "-o", str(tmp_path / "x.tar"))
    assert bad.returncode == 1 and "sha256:<64 hex digits>" in bad.stderr
    missing = run_cli("pull", f"docker://{registry.host}/nope/app:1", "-o", str(tmp_path / "x.tar"), "--insecure", "-q")
    assert missing.returncode == 1 and "404" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "x.tar").exists()


def test_bearer_token_auth(tmp_path, cache_dir):
    from registry_support import TokenServer

    tokens = TokenServer(tmp_path, "bob", "token-pw")
    reg = Registry(tmp_path / "tokenreg", auth_config=tokens.registry_auth_config()).start()
    try:
        src = tmp_path / "v1.tar"
        make_docker_archive(src, APP_V1, "app:1")
        bad = run_cli("push", str(src), f"docker://{reg.host}/t/app:1", "--insecure", "--cache-dir", cache_dir,
                      "--username", "bob", "--password", "nope")
        assert bad.returncode == 1 and "refused" in bad.stderr and "nope" not in bad.stderr
        ok = run_cli("push", str(src), f"docker://{reg.host}/t/app:1", "--insecure", "--cache-dir", cache_dir,
                     "--username", "bob", "--password-stdin", input="token-pw\n")
        assert ok.returncode == 0, ok.stderr
        # the registry words the scope it asks for; the order of its actions varies (Go map order)
        scopes = [part for s in tokens.issued for part in s.split()]
        assert any(p.startswith("repository:t/app:") and set(p.rsplit(":", 1)[1].split(",")) == {"pull", "push"}
                   for p in scopes), tokens.issued
        pulled = run_cli("pull", f"docker://{reg.host}/t/app:1", "-o", str(tmp_path / "p.tar"), "--insecure", "-q",
                         "--username", "bob", "--password", "token-pw")
        assert pulled.returncode == 0, pulled.stderr
    finally:
        reg.stop()
        tokens.close()


def test_corrupt_archive_is_not_pushed(registry, tmp_path, cache_dir):
    """A layer whose bytes do not match its diff_id is refused before any tag is written."""
    src = tmp_path / "v1.tar"
    make_docker_archive(src, APP_V1, "app:1")
    data = bytearray(src.read_bytes())
    i = data.index(b"app version 1")
    data[i:i + 3] = b"APP"  # same size, other content: the layer no longer matches the config
    bad = tmp_path / "corrupt.tar"
    bad.write_bytes(bytes(data))
    proc = run_cli("push", str(bad), f"docker://{registry.host}/corrupt/app:1", "--insecure", "--cache-dir", cache_dir)
    assert proc.returncode == 1 and "corrupt" in proc.stderr and "Traceback" not in proc.stderr
    tags = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{registry.host}/corrupt/app:1"],
                          capture_output=True)
    assert tags.returncode != 0


def test_upload_progress_only_on_a_terminal(registry, tmp_path, cache_dir):
    from conftest import nix2image_exe

    need_tool("script")
    src = tmp_path / "v1.tar"
    make_docker_archive(src, APP_V1, "app:1")
    cmd = (f"{nix2image_exe()} push {src} docker://{registry.host}/progress/app:1 --insecure "
           f"--cache-dir {cache_dir}")
    tty = subprocess.run(["script", "-q", "-e", "-c", cmd, "/dev/null"], capture_output=True, text=True, timeout=600)
    assert tty.returncode == 0, tty.stdout
    assert "uploaded 0.3 MiB" in tty.stdout  # the bytes sent, counted as they go (about 300 kB here)
    plain = run_cli("push", str(src), f"docker://{registry.host}/progress/app:2", "--insecure", "--cache-dir", cache_dir)
    assert plain.returncode == 0 and "MiB" not in plain.stderr
