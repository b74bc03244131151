"""Images of real store paths go through real tools: skopeo copy (digests re-verified),
oci-image-tool validate, umoci unpack --rootless (exact rootfs: files, modes, owners), and a few
podman runs (vfs storage, runc) that print what Cmd should print - including a buildImage on a
buildLayeredImage on a buildImage, and a base read from a legacy parent-linked archive."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

from test_image_support import (closure_infos, expected, oracle_plan, oracle_store, podman,  # noqa: F401
                                archive_json, tar_tree, tree, validate_image)
from translator.image.build import BuildOptions, build
from translator.image.layer import DirectContent
from translator.spec import BaseImageRef, ImageSpec
from translator.storeinfo import PathInfo


def infos(expected, *names):
    """The closure (PathInfo list) of the given oracle attrs."""
    attrs = expected["store"]["attrs"]
    by_path = {v["path"]: v for v in attrs.values()}
    todo = [attrs[n]["path"] for n in names]
    seen: dict[str, PathInfo] = {}
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        v = by_path[p]
        seen[p] = PathInfo(p, v["narSize"], tuple(v["references"]))
        todo.extend(r for r in v["references"] if r != p)
    return sorted(seen.values(), key=lambda i: i.path)


def expected_rootfs(layer_tars: list[bytes]) -> dict[str, tuple]:
    """Apply layer trees in order (later entries win), as the unpacked rootfs must show them."""
    out: dict[str, tuple] = {}
    for data in layer_tars:
        for name, v in tar_tree(io.BytesIO(data), owners=True).items():
            if v[0] != "d" and name in out and out[name][0] == "d":
                for k in [k for k in out if k.startswith(name + "/")]:
                    del out[k]
            out[name] = v
    return out


def layers_of(path: Path) -> list[bytes]:
    with tarfile.open(path) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))
        return [tf.extractfile(n).read() for n in manifest[0]["Layers"]]


def test_oracle_image_validates_unpacks_and_runs(oracle_store, expected, tmp_path, podman):
    spec = ImageSpec(builder="buildLayeredImage", name="oracle", tag="latest", config=expected["conf"]["config"],
                     closure=closure_infos(expected), contents=[oracle_store["busybox"], oracle_store["app"]])
    out = tmp_path / "oracle.tar"
    build(spec, oracle_plan(expected), DirectContent(), str(out))
    rootfs = validate_image(out, tmp_path)
    got = tree(rootfs, owners=True)
    assert got == expected_rootfs(layers_of(out))
    # independently of our own layers: every member nixpkgs' script wrote (expected.json) is in the rootfs
    # with its type, mode and owner
    kinds = {"0": "f", "2": "l", "5": "d"}
    for layer in expected["runs"]["plain"]["layers"]:
        for m in layer.get("members", []):
            head, _, rest = m.partition(" mtime=1 size=")
            typ, mode, ids = head.split()[:3]
            size, _, name = rest.partition(" ")
            name = name.split("  [pax")[0]
            target = None
            if " -> " in name:
                name, target = name.split(" -> ", 1)
            key = name.strip("/")
            if key in ("nix", "nix/store"):
                continue
            want_mode = 0o777 if typ == "2" else int(mode, 8)
            detail = target if typ == "2" else (int(size) if typ == "0" else None)
            assert got[key] == (kinds[typ], want_mode, detail, tuple(map(int, ids.split("/")))), key
    # spot checks that make the comparison meaningful
    assert got["nix"][:2] == ("d", 0o755) and got["nix/store"][:2] == ("d", 0o755)
    link = oracle_store["link"].lstrip("/")
    assert got[link] == ("l", 0o777, oracle_store["app"], (0, 0))
    assert got["bin/hello"][0] == "l" and got["bin/sh"][0] == "l"
    assert got[oracle_store["busybox"].lstrip("/") + "/bin/busybox"][:3] == ("f", 0o555, 1982256)
    podman.load(out)
    assert podman.run("oracle:latest") == "hello\n"
    assert podman.run("oracle:latest", "/bin/hello") == "hello from oracle-app\nhello from oracle-data\n"


def test_oci_outputs_validate(oracle_store, expected, tmp_path):
    spec = ImageSpec(builder="buildLayeredImage", name="oracle", tag="v1", config={"Cmd": ["/bin/hello"]},
                     closure=infos(expected, "app"), contents=[oracle_store["app"]])
    plan = None
    for comp in ("none", "gzip", "zstd"):
        d = tmp_path / f"layout-{comp}"
        build(spec, plan, DirectContent(), str(d), BuildOptions(format="oci", compress=comp))
        rootfs = validate_image(d, tmp_path, tag="v1", transport="oci", zstd=comp == "zstd")
        assert (rootfs / "bin/hello").is_symlink()
    t = tmp_path / "oci.tar"
    build(spec, plan, DirectContent(), str(t), BuildOptions(format="oci-archive", compress="gzip"))
    rootfs = validate_image(t, tmp_path, tag="v1", transport="oci-archive")
    assert (rootfs / "etc/app.conf").is_symlink()


def test_three_level_stack_runs(oracle_store, expected, tmp_path, podman):
    """buildImage on buildLayeredImage on buildImage: every level's files visible, Env merged."""
    bb = oracle_store["busybox"]
    level1 = ImageSpec(builder="buildImage", name="level1", tag="1", copy_to_root=[bb],
                       closure=infos(expected, "busybox"),
                       extra_commands="mkdir -p etc && echo one > etc/one && echo base > etc/who",
                       config={"Env": ["FROM_PARENT=true", "LAST_LAYER=level1"]})
    level2 = ImageSpec(builder="buildLayeredImage", name="level2", tag="2", contents=[oracle_store["app"]],
                       closure=infos(expected, "app"), from_image=BaseImageRef(kind="spec", spec=level1),
                       extra_commands="mkdir -p etc && echo two > etc/two && echo middle > etc/who",
                       config={"Env": ["LAST_LAYER=level2"]})
    level3 = ImageSpec(builder="buildImage", name="level3", tag="3", from_image=BaseImageRef(kind="spec", spec=level2),
                       extra_commands="mkdir -p etc && echo three > etc/three && echo top > etc/who",
                       config={"Cmd": ["/bin/sh", "-c", "cat /etc/one /etc/two /etc/three /etc/who; /bin/hello; env"],
                               "Env": ["FROM_CHILD=true", "LAST_LAYER=level3"]})
    out = tmp_path / "level3.tar"
    res = build(level3, None, DirectContent(), str(out))
    assert [l.kind for l in res.layers][-1] == "root" and len(res.layers) >= 4
    with tarfile.open(out) as tf:
        names = tf.getnames()
        manifest = json.load(tf.extractfile("manifest.json"))
        cfg = json.load(tf.extractfile(manifest[0]["Config"]))
        repos = json.load(tf.extractfile("repositories"))
        top_id = repos["level3"]["3"]
        layer_json = json.load(tf.extractfile(f"{top_id}/json"))
        layers = [tf.extractfile(n).read() for n in manifest[0]["Layers"]]
    assert f"{top_id}/VERSION" in names and manifest[0]["Layers"][-1] == f"{top_id}/layer.tar"
    assert layer_json["parent"] and layer_json["id"] == top_id and layer_json["Size"] == len(layers[-1])
    assert cfg["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(b).hexdigest() for b in layers]
    env = cfg["config"]["Env"]
    assert [e for e in env if e.startswith("LAST_LAYER=")] == ["LAST_LAYER=level3"]
    assert "FROM_PARENT=true" in env and "FROM_CHILD=true" in env
    rootfs = validate_image(out, tmp_path, tag="3")
    assert tree(rootfs, owners=True) == expected_rootfs(layers)
    podman.load(out)
    lines = podman.run("level3:3").splitlines()
    assert lines[:4] == ["one", "two", "three", "top"]
    assert lines[4:6] == ["hello from oracle-app", "hello from oracle-data"]
    assert [l for l in lines if l.startswith("LAST_LAYER=")] == ["LAST_LAYER=level3"]
    assert "FROM_PARENT=true" in lines and "FROM_CHILD=true" in lines


def _legacy_archive(path: Path, layer_tars: list[bytes], name: str, tag: str, config: dict) -> None:
    """An old-style docker-archive: repositories + <id>/{json,layer.tar,VERSION}, json.parent chain, no manifest."""
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tf:
        parent = None
        ids = []
        for i, data in enumerate(layer_tars):
            lid = hashlib.sha256(f"legacy-{i}".encode()).hexdigest()
            meta = {"id": lid, "created": "2015-01-01T00:00:00Z", "config": config}
            if parent:
                meta["parent"] = parent
            for fname, body in (("VERSION", b"1.0"), ("json", json.dumps(meta).encode()), ("layer.tar", data)):
                ti = tarfile.TarInfo(f"{lid}/{fname}")
                ti.size = len(body)
                tf.addfile(ti, io.BytesIO(body))
            parent = lid
            ids.append(lid)
        body = json.dumps({name: {tag: parent}}).encode()
        ti = tarfile.TarInfo("repositories")
        ti.size = len(body)
        tf.addfile(ti, io.BytesIO(body))


def _small_layer(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        dirs = sorted({n.rsplit("/", 1)[0] for n in files if "/" in n})
        for d in dirs:
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            tf.addfile(ti)
        for n, b in files.items():
            ti = tarfile.TarInfo(n)
            ti.size, ti.mode = len(b), 0o644
            tf.addfile(ti, io.BytesIO(b))
    return buf.getvalue()


def test_stacked_on_legacy_parent_linked_base(oracle_store, expected, tmp_path):
    base = tmp_path / "legacy.tar"
    l1 = _small_layer({"etc/first": b"1\n", "etc/shared": b"old\n"})
    l2 = _small_layer({"etc/second": b"2\n", "etc/shared": b"new\n"})
    _legacy_archive(base, [l1, l2], "legacy", "old", {"Env": ["LEGACY=1"]})
    spec = ImageSpec(builder="buildImage", name="onlegacy", tag="t", from_image=BaseImageRef(kind="archive", path=str(base)),
                     from_image_name="legacy", from_image_tag="old", copy_to_root=[oracle_store["data"]],
                     closure=infos(expected, "data"), config={"Env": ["OWN=1"]})
    out = tmp_path / "onlegacy.tar"
    build(spec, None, DirectContent(), str(out))
    cfg = archive_json(out, archive_json(out, "manifest.json")[0]["Config"])
    assert cfg["config"]["Env"] == ["LEGACY=1", "OWN=1"]
    assert cfg["rootfs"]["diff_ids"][:2] == ["sha256:" + hashlib.sha256(b).hexdigest() for b in (l1, l2)]
    rootfs = validate_image(out, tmp_path)
    assert (rootfs / "etc/shared").read_text() == "new\n" and (rootfs / "etc/first").exists()
    assert (rootfs / "share/greeting.txt").read_text() == "hello from oracle-data\n"
    assert (rootfs / oracle_store["data"].lstrip("/") / "share/greeting.txt").exists()


def test_compressed_and_oci_bases(oracle_store, expected, tmp_path):
    """fromImage as .tar.gz, .tar.zst, an OCI layout directory and an OCI archive."""
    import gzip
    import zstandard

    spec0 = ImageSpec(builder="buildLayeredImage", name="b0", tag="x", contents=[oracle_store["busybox"]],
                      closure=infos(expected, "busybox"), config={"Env": ["B0=1"]})
    plain = tmp_path / "b0.tar"
    build(spec0, None, DirectContent(), str(plain))
    gz = tmp_path / "b0.tar.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    zst = tmp_path / "b0.tar.zst"
    zst.write_bytes(zstandard.ZstdCompressor().compress(plain.read_bytes()))
    lay = tmp_path / "b0-oci"
    build(spec0, None, DirectContent(), str(lay), BuildOptions(format="oci", compress="zstd"))
    ocit = tmp_path / "b0-oci.tar"
    build(spec0, None, DirectContent(), str(ocit), BuildOptions(format="oci-archive", compress="gzip"))
    digests = None
    for i, base in enumerate((plain, gz, zst, lay, ocit)):
        spec = ImageSpec(builder="buildImage", name="top", tag="t", from_image=BaseImageRef(kind="archive", path=str(base)),
                         extra_commands="echo top > top")
        out = tmp_path / f"top{i}.tar"
        res = build(spec, None, DirectContent(), str(out))
        if digests is None:
            digests = [l.digest for l in res.layers]
            rootfs = validate_image(out, tmp_path)
            assert (rootfs / "top").read_text() == "top\n" and (rootfs / "bin/sh").is_symlink()
        assert [l.digest for l in res.layers] == digests, base.name
        assert archive_json(out, archive_json(out, "manifest.json")[0]["Config"])["config"]["Env"] == ["B0=1"]
