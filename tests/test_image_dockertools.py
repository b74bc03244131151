"""nixpkgs' docker-tools checks restated for nix2image's backends (nixos/tests/docker-tools.nix):
layer order, Env inheritance, maxLayers with a base, bulk layer completeness,
includeStorePaths = false, store-path symlinks, /nix modes, shared layers, created,
architecture, registry-prefixed names; plus the customisation layer's symlinkJoin, extraCommands
and fakeRootCommands, null tags, runAsRoot, and byte-identical rebuilds across hash seeds."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from test_image_support import (archive_json, archive_layers, closure_infos, expected, oracle_plan,  # noqa: F401
                                oracle_store, tar_tree, tree, validate_image)
from test_image_tools import infos
from translator.errors import UserError
from translator.image.build import build
from translator.image.layer import DirectContent
from translator.image.tags import content_tag, nix_base32
from translator.spec import BaseImageRef, ImageSpec
from translator.storeinfo import LayerPlan


def _config(path: Path) -> dict:
    return archive_json(path, archive_json(path, "manifest.json")[0]["Config"])


def _store_paths_in(layer: bytes) -> set[str]:
    import io

    out = set()
    with tarfile.open(fileobj=io.BytesIO(layer)) as tf:
        for n in tf.getnames():
            parts = n.lstrip("/").split("/")
            if len(parts) >= 3 and parts[:2] == ["nix", "store"]:
                out.add("/nix/store/" + parts[2])
    return out


def test_layers_applied_in_order_later_files_win(oracle_store, expected, tmp_path):
    base = ImageSpec(builder="buildImage", name="base", tag="1", extra_commands="mkdir etc; echo base > etc/f; echo keep > etc/k")
    mid = ImageSpec(builder="buildLayeredImage", name="mid", tag="2", from_image=BaseImageRef(kind="spec", spec=base),
                    extra_commands="mkdir etc; echo mid > etc/f")
    top = ImageSpec(builder="buildImage", name="top", tag="3", from_image=BaseImageRef(kind="spec", spec=mid),
                    extra_commands="mkdir etc; echo top > etc/g")
    out = tmp_path / "top.tar"
    build(top, None, DirectContent(), str(out))
    rootfs = validate_image(out, tmp_path)
    assert (rootfs / "etc/f").read_text() == "mid\n"
    assert (rootfs / "etc/k").read_text() == "keep\n"
    assert (rootfs / "etc/g").read_text() == "top\n"


@pytest.mark.parametrize("builder", ["buildImage", "buildLayeredImage"])
def test_env_inherited_with_one_last_layer(builder, tmp_path):
    parent = ImageSpec(builder="buildImage", name="parent", tag="p",
                       config={"Env": ["FROM_PARENT=true", "LAST_LAYER=parent"]})
    child = ImageSpec(builder=builder, name="child", tag="c", from_image=BaseImageRef(kind="spec", spec=parent),
                      config={"Env": ["FROM_CHILD=true", "LAST_LAYER=child"]})
    out = tmp_path / "child.tar"
    build(child, None, DirectContent(), str(out))
    env = _config(out)["config"]["Env"]
    assert env == ["FROM_PARENT=true", "LAST_LAYER=child", "FROM_CHILD=true"]
    validate_image(out, tmp_path)


def test_max_layers_respected_with_base_and_bulk_layer_complete(oracle_store, expected, tmp_path):
    base = ImageSpec(builder="buildImage", name="base", tag="b", extra_commands="echo x > x")
    base_out = tmp_path / "base.tar"
    build(base, None, DirectContent(), str(base_out))
    closure = closure_infos(expected)
    spec = ImageSpec(builder="buildLayeredImage", name="capped", tag="t", max_layers=4, closure=closure,
                     contents=[oracle_store["root"]], from_image=BaseImageRef(kind="archive", path=str(base_out)))
    out = tmp_path / "capped.tar"
    res = build(spec, None, DirectContent(), str(out))
    assert len(res.layers) <= 4
    layers = archive_layers(out)
    assert len(layers) == len(res.layers) == len(_config(out)["rootfs"]["diff_ids"])
    stored = set().union(*(_store_paths_in(l) for l in layers))
    assert stored == {i.path for i in closure}  # the bulk layer misses no store path
    validate_image(out, tmp_path)
    # a plan that cannot fit is an error that says why
    too_many = LayerPlan("given", tuple((i.path,) for i in closure))
    with pytest.raises(UserError, match="maxLayers = 4"):
        build(spec, too_many, DirectContent(), str(tmp_path / "x.tar"))
    assert not (tmp_path / "x.tar").exists()


def test_plan_missing_a_path_is_an_error(oracle_store, expected, tmp_path):
    spec = ImageSpec(builder="buildLayeredImage", name="m", tag="t", closure=closure_infos(expected))
    plan = LayerPlan("given", ((oracle_store["data"],),))
    with pytest.raises(UserError, match="misses 5 store path"):
        build(spec, plan, DirectContent(), str(tmp_path / "m.tar"))


def test_no_store_paths_when_include_store_paths_false(oracle_store, expected, tmp_path):
    spec = ImageSpec(builder="buildLayeredImage", name="nostore", tag="t", include_store_paths=False,
                     closure=infos(expected, "app"), contents=[oracle_store["app"]])
    out = tmp_path / "nostore.tar"
    build(spec, None, DirectContent(), str(out))
    layers = archive_layers(out)
    assert len(layers) == 1 and _store_paths_in(layers[0]) == set()
    rootfs = validate_image(out, tmp_path)
    assert not (rootfs / "nix").exists() and (rootfs / "bin/hello").is_symlink()


def test_symlink_store_path_and_nix_dir_modes(oracle_store, expected, tmp_path):
    spec = ImageSpec(builder="buildLayeredImage", name="links", tag="t", closure=infos(expected, "link"))
    out = tmp_path / "links.tar"
    build(spec, None, DirectContent(), str(out))
    rootfs = validate_image(out, tmp_path)
    link = rootfs / oracle_store["link"].lstrip("/")
    assert link.is_symlink() and os.readlink(link) == oracle_store["app"]
    assert oct((rootfs / "nix").stat().st_mode & 0o7777) == "0o755"
    assert oct((rootfs / "nix/store").stat().st_mode & 0o7777) == "0o755"


def test_overlapping_closures_share_layer_digests(oracle_store, expected, tmp_path):
    a = ImageSpec(builder="buildLayeredImage", name="a", tag="t", closure=infos(expected, "app"), contents=[oracle_store["app"]])
    b = ImageSpec(builder="buildLayeredImage", name="b", tag="t", closure=infos(expected, "lib"), contents=[oracle_store["lib"]])
    ra = build(a, LayerPlan("g", tuple((i.path,) for i in a.closure)), DirectContent(), str(tmp_path / "a.tar"))
    rb = build(b, LayerPlan("g", tuple((i.path,) for i in b.closure)), DirectContent(), str(tmp_path / "b.tar"))
    da = {l.paths: l.digest for l in ra.layers if l.paths}
    db = {l.paths: l.digest for l in rb.layers if l.paths}
    shared = set(da) & set(db)
    assert {p for ps in shared for p in ps} == {oracle_store["lib"], oracle_store["data"]}
    assert all(da[k] == db[k] for k in shared)


def test_created_architecture_and_names(tmp_path):
    s = ImageSpec(builder="buildLayeredImage", name="Registry-1.Docker.IO/Library/Thing", tag="v1", architecture="arm64")
    out = tmp_path / "n.tar"
    build(s, None, DirectContent(), str(out))
    cfg = _config(out)
    assert cfg["created"] == "1970-01-01T00:00:01+00:00" and cfg["architecture"] == "arm64"
    assert archive_json(out, "manifest.json")[0]["RepoTags"] == ["registry-1.docker.io/library/thing:v1"]
    st = ImageSpec(builder="buildImage", name="registry-1.docker.io/image", tag="t", architecture="arm64")
    out2 = tmp_path / "s.tar"
    build(st, None, DirectContent(), str(out2))
    cfg2 = _config(out2)
    assert cfg2["created"] == "1970-01-01T00:00:01Z" and cfg2["architecture"] == "arm64"
    assert archive_json(out2, "manifest.json")[0]["RepoTags"] == ["registry-1.docker.io/image:t"]
    assert archive_json(out2, "repositories") == {"registry-1.docker.io/image": {"t": archive_json(out2, "manifest.json")[0]["Layers"][-1].split("/")[0]}}
    validate_image(out, tmp_path, tag="v1")


def test_null_tag_is_content_derived(tmp_path):
    s = ImageSpec(builder="buildLayeredImage", name="untagged", tag=None, config={"Cmd": ["/x"]})
    out = tmp_path / "u.tar"
    res = build(s, None, DirectContent(), str(out))
    with tarfile.open(out) as tf:
        cfg_bytes = tf.extractfile(f"{res.config_digest}.json").read()
    tag = res.repo_tag.split(":")[1]
    assert tag == nix_base32(hashlib.sha256(cfg_bytes).digest())[:32] == content_tag(cfg_bytes)
    s.config = {"Cmd": ["/y"]}
    res2 = build(s, None, DirectContent(), str(tmp_path / "u2.tar"))
    assert res2.repo_tag != res.repo_tag


def test_customisation_layer_join_commands_and_fakeroot(oracle_store, expected, tmp_path):
    """contents joined (first wins), extraCommands in the layer dir, chown under fakeroot persists."""
    spec = ImageSpec(builder="buildLayeredImage", name="custom", tag="t", closure=infos(expected, "app", "busybox"),
                     contents=[oracle_store["app"], oracle_store["busybox"]],
                     extra_commands="mkdir -p tmp var/data && chmod 1777 tmp && echo hi > var/data/f",
                     fake_root_commands="chown 1000:2000 var/data/f && chown -h 33:33 bin/sh")
    out = tmp_path / "custom.tar"
    build(spec, None, DirectContent(), str(out))
    custom = tar_tree(__import__("io").BytesIO(archive_layers(out)[-1]), owners=True)
    assert custom["var/data/f"] == ("f", 0o644, 3, (1000, 2000))
    assert custom["bin/sh"] == ("l", 0o777, "busybox", (33, 33))  # symlink copied from busybox
    assert custom["bin/hello"] == ("l", 0o777, oracle_store["app"] + "/bin/hello", (0, 0))
    assert custom["tmp"][:2] == ("d", 0o1777)
    rootfs = validate_image(out, tmp_path)
    got = tree(rootfs, owners=True)
    assert got["var/data/f"] == ("f", 0o644, 3, (1000, 2000))
    assert got["tmp"][:2] == ("d", 0o1777)


def test_run_as_root_and_failing_commands_are_clear_errors(tmp_path):
    # runAsRoot runs (tests/test_runasroot.py); a failing script is an error showing its output and status
    with pytest.raises(UserError, match=r"(?s)runAsRoot script of image 'r' failed \(exit 3\).*boom"):
        build(ImageSpec(builder="buildImage", name="r", tag="t", run_as_root="echo boom; exit 3"), None,
              DirectContent(), str(tmp_path / "r.tar"))
    with pytest.raises(UserError, match=r"(?s)extraCommands failed.*boom"):
        build(ImageSpec(builder="buildLayeredImage", name="r", tag="t", extra_commands="echo boom >&2; exit 3"),
              None, DirectContent(), str(tmp_path / "r.tar"))
    assert sorted(os.listdir(tmp_path)) == []  # no output, no leftovers


def test_merge_and_export(oracle_store, expected, tmp_path):
    a = ImageSpec(builder="buildLayeredImage", name="one", tag="1", extra_commands="echo 1 > one")
    b = ImageSpec(builder="buildImage", name="two", tag="2", extra_commands="echo 2 > two")
    merged = ImageSpec(builder="mergeImages", name="merged", images=[a, b])
    out = tmp_path / "merged.tar"
    build(merged, None, DirectContent(), str(out))
    manifest = archive_json(out, "manifest.json")
    assert [m["RepoTags"] for m in manifest] == [["one:1"], ["two:2"]]
    assert "two" in archive_json(out, "repositories")
    for tag, fname in (("one:1", "one"), ("two:2", "two")):
        oci = tmp_path / f"m-{fname}"
        subprocess.run(["skopeo", "copy", "-q", f"docker-archive:{out}:{tag}", f"oci:{oci}:x"], check=True)
    # exportImage: layers flattened, whiteouts honoured
    base = ImageSpec(builder="buildImage", name="b", tag="1", extra_commands="mkdir d o; echo 1 > d/gone; echo 1 > keep; echo 1 > o/x")
    wh = ImageSpec(builder="buildImage", name="w", tag="2", from_image=BaseImageRef(kind="spec", spec=base),
                   extra_commands="mkdir d o; touch d/.wh.gone o/.wh..wh..opq; echo 2 > o/y; echo 2 > keep")
    exp = ImageSpec(builder="exportImage", name="e", from_image=BaseImageRef(kind="spec", spec=wh))
    rootfs = tmp_path / "rootfs.tar"
    build(exp, None, DirectContent(), str(rootfs))
    with tarfile.open(rootfs) as tf:
        names = tf.getnames()
        assert tf.extractfile("keep").read() == b"2\n"
    assert "d/gone" not in names and "o/x" not in names and "o/y" in names and "d" in names
    assert not any(".wh." in n for n in names)


def test_rebuild_identical_across_hash_seeds(oracle_store, expected, tmp_path, cli):
    spec = {"builder": "buildLayeredImage", "name": "seeded", "tag": None,
            "config": {"Env": ["B=2", "A=1"], "Labels": {"z": "1", "a": "2"}},
            "closure": [{"path": i.path, "nar_size": i.nar_size, "references": list(i.references)}
                        for i in closure_infos(expected)],
            "contents": [oracle_store["app"], oracle_store["busybox"]],
            "extra_commands": "mkdir -p etc && echo x > etc/x"}
    sj = tmp_path / "spec.json"
    sj.write_text(json.dumps(spec))
    outs = []
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        o = tmp_path / f"seed{seed}.tar"
        cli("build", "--spec-json", str(sj), "-o", str(o), "-q", env=env, check=True)
        outs.append(o.read_bytes())
    assert outs[0] == outs[1] == outs[2]


def _repeated_base(path: Path) -> list[str]:
    """A manifest-form archive whose manifest lists one layer twice (as some tools write)."""
    import io

    def layer(files):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tf:
            for n, b in files.items():
                ti = tarfile.TarInfo(n)
                ti.size = len(b)
                tf.addfile(ti, io.BytesIO(b))
        return buf.getvalue()

    l1, l2 = layer({"one": b"1\n"}), layer({"two": b"2\n"})
    d1, d2 = (hashlib.sha256(x).hexdigest() for x in (l1, l2))
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": ["R=1"]},
                      "rootfs": {"type": "layers", "diff_ids": [f"sha256:{d}" for d in (d1, d2, d1)]}}).encode()
    c = hashlib.sha256(cfg).hexdigest()
    with tarfile.open(path, "w") as tf:
        for name, body in ((f"{d1}/layer.tar", l1), (f"{d2}/layer.tar", l2), (f"{c}.json", cfg),
                           ("manifest.json", json.dumps([{"Config": f"{c}.json", "RepoTags": ["rep:1"],
                                                           "Layers": [f"{d1}/layer.tar", f"{d2}/layer.tar", f"{d1}/layer.tar"]}]).encode())):
            ti = tarfile.TarInfo(name)
            ti.size = len(body)
            tf.addfile(ti, io.BytesIO(body))
    return [d1, d2, d1]


@pytest.mark.parametrize("builder", ["buildImage", "buildLayeredImage"])
def test_repeated_base_layers(builder, tmp_path):
    base = tmp_path / "rep.tar"
    digests = _repeated_base(base)
    spec = ImageSpec(builder=builder, name="onrep", tag="t", from_image=BaseImageRef(kind="archive", path=str(base)),
                     extra_commands="echo top > top")
    out = tmp_path / "onrep.tar"
    build(spec, None, DirectContent(), str(out))
    manifest = archive_json(out, "manifest.json")[0]
    assert manifest["Layers"][:3] == [f"{d}/layer.tar" for d in digests]
    with tarfile.open(out) as tf:
        names = tf.getnames()
    assert len(names) == len(set(names))  # each layer file once
    assert _config(out)["rootfs"]["diff_ids"][:3] == [f"sha256:{d}" for d in digests]
    rootfs = validate_image(out, tmp_path)
    assert (rootfs / "one").exists() and (rootfs / "two").exists() and (rootfs / "top").exists()


def test_created_now_and_fakechroot_warning(tmp_path):
    s = ImageSpec(builder="buildLayeredImage", name="now", tag="t", created="now", enable_fakechroot=True,
                  fake_root_commands="mkdir -p etc && chown 7:7 etc")
    res = build(s, None, DirectContent(), str(tmp_path / "now.tar"))
    created = _config(tmp_path / "now.tar")["created"]
    assert not created.startswith("1970") and created.endswith("+00:00")
    assert any("enableFakechroot" in w for w in res.warnings)
    layer = tar_tree(__import__("io").BytesIO(archive_layers(tmp_path / "now.tar")[-1]), owners=True)
    assert layer["etc"] == ("d", 0o755, None, (7, 7))


def test_pull_image_base_from_pull_cache(tmp_path):
    """fromImage = pullImage {...}: the base comes from the offline pull cache by digest."""
    import shutil

    base = ImageSpec(builder="buildImage", name="pulled", tag="1", extra_commands="echo pulled > p",
                     config={"Env": ["PULLED=1"]})
    archive = tmp_path / "pulled.tar"
    build(base, None, DirectContent(), str(archive))
    digest = "sha256:" + "ab" * 32
    entry = tmp_path / "cache" / "sha256" / ("ab" * 32)
    entry.mkdir(parents=True)
    shutil.copy(archive, entry / "image.tar")
    ref = BaseImageRef(kind="pull", path=str(tmp_path / "cache"), pull={"imageName": "x/pulled", "imageDigest": digest})
    spec = ImageSpec(builder="buildLayeredImage", name="onpull", tag="t", from_image=ref, extra_commands="echo top > top")
    out = tmp_path / "onpull.tar"
    build(spec, None, DirectContent(), str(out))
    assert _config(out)["config"]["Env"] == ["PULLED=1"]
    rootfs = validate_image(out, tmp_path)
    assert (rootfs / "p").read_text() == "pulled\n"
    missing = BaseImageRef(kind="pull", path=str(tmp_path / "cache"), pull={"imageName": "x/y", "imageDigest": "sha256:" + "cd" * 32})
    with pytest.raises(UserError, match="not in the pull cache"):
        build(ImageSpec(builder="buildImage", name="m", tag="t", from_image=missing), None, DirectContent(),
              str(tmp_path / "m.tar"))


def test_layer_shared_with_base_stored_once(oracle_store, expected, tmp_path):
    """A layered image on a layered base with the same store layer: one member, listed twice."""
    bb = infos(expected, "busybox")
    base = ImageSpec(builder="buildLayeredImage", name="b", tag="1", closure=bb, contents=[oracle_store["busybox"]])
    top = ImageSpec(builder="buildLayeredImage", name="t", tag="2", closure=bb, contents=[oracle_store["busybox"]],
                    from_image=BaseImageRef(kind="spec", spec=base), extra_commands="echo t > t")
    out = tmp_path / "t.tar"
    res = build(top, None, DirectContent(), str(out))
    manifest = archive_json(out, "manifest.json")[0]
    bb_layer = next(l.digest for l in res.layers if l.paths == (oracle_store["busybox"],))
    assert manifest["Layers"].count(f"{bb_layer}/layer.tar") == 2
    with tarfile.open(out) as tf:
        names = tf.getnames()
    assert names.count(f"{bb_layer}/layer.tar") == 1
    rootfs = validate_image(out, tmp_path)
    assert (rootfs / "t").exists() and (rootfs / "bin/sh").is_symlink()
    # streaming gives the same bytes (with the same member names: by digest)
    sj = tmp_path / "spec.json"
    from translator.image.specjson import spec_to_data

    sj.write_text(json.dumps(spec_to_data(top)))
    streamed = subprocess.run([__import__("conftest").nix2image_exe(), "stream", "--spec-json", str(sj),
                               "--layer-names", "digest", "--no-cache"], capture_output=True, timeout=600)
    assert streamed.returncode == 0 and streamed.stdout == out.read_bytes()


@pytest.mark.parametrize("keep", [False, True])
def test_build_image_copy_to_root_uid_gid_and_dirlinks(keep, oracle_store, expected, tmp_path):
    """copyToRoot copied as rsync -ak / -aK; root entries owned uid:gid, store paths root; /nix 0755."""
    spec = ImageSpec(builder="buildImage", name="cp", tag="t", uid=1000, gid=100, keep_contents_dirlinks=keep,
                     copy_to_root=[oracle_store["app"]], closure=infos(expected, "app"),
                     extra_commands="mkdir -p var && echo x > var/x")
    out = tmp_path / "cp.tar"
    build(spec, None, DirectContent(), str(out))
    layer = tar_tree(__import__("io").BytesIO(archive_layers(out)[-1]), owners=True)
    assert layer["var/x"] == ("f", 0o644, 2, (1000, 100))
    assert layer["bin/hello"][0] == "f" and layer["bin/hello"][3] == (1000, 100)
    # app's `lib` is a symlink to a store directory: -k copies the directory, -K keeps the link
    if keep:
        assert layer["lib"] == ("l", 0o777, oracle_store["lib"] + "/lib", (1000, 100))
    else:
        assert layer["lib"][0] == "d" and layer["lib/libfake.txt"][0] == "f"
    assert layer["nix"][:2] == ("d", 0o755) and layer["nix/store"][:2] == ("d", 0o755)
    store = {k: v for k, v in layer.items() if k.startswith("nix/store/")}
    assert store and all(v[3] == (0, 0) for v in store.values())
    assert {k.split("/")[2] for k in store} == {p.path.split("/")[-1] for p in infos(expected, "app")}
    rootfs = validate_image(out, tmp_path)
    assert tree(rootfs, owners=True)["var/x"] == ("f", 0o644, 2, (1000, 100))


@pytest.mark.parametrize("builder", ["buildLayeredImageWithNixDb", "buildImageWithNixDb"])
def test_with_nix_db_is_read_by_real_nix(builder, oracle_store, expected, tmp_path, nix):
    """The image's Nix database registers the closure of contents; Nix 2.8 reads and verifies it."""
    from conftest import need_tool

    need_tool("nix")
    arg = {"contents": [oracle_store["app"]]} if builder.startswith("buildLayered") else {"copy_to_root": [oracle_store["app"]]}
    spec = ImageSpec(builder=builder, name="withdb", tag="1", closure=infos(expected, "app"), **arg)
    out = tmp_path / "db.tar"
    build(spec, None, DirectContent(), str(out))
    again = tmp_path / "db2.tar"
    build(spec, None, DirectContent(), str(again))
    assert out.read_bytes() == again.read_bytes()
    rootfs = validate_image(out, tmp_path, tag="1")
    assert os.readlink(rootfs / "nix/var/nix/gcroots/docker" / oracle_store["app"].split("/")[-1]) == oracle_store["app"]
    proc = subprocess.run(["nix", "path-info", "--store", str(rootfs), "--json", "-r", oracle_store["app"]],
                          env=nix, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = {i["path"]: i for i in json.loads(proc.stdout)}
    want = {v["path"]: v for v in expected["store"]["attrs"].values()}
    assert set(got) == {i.path for i in infos(expected, "app")}
    for p, i in got.items():
        assert (i["narHash"], i["narSize"], sorted(i["references"])) == \
            (want[p]["narHash"], want[p]["narSize"], sorted(want[p]["references"]))
        assert i["registrationTime"] == 1
    verify = subprocess.run(["nix-store", "--store", str(rootfs), "--verify", "--check-contents"], env=nix,
                            capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0 and "corrupt" not in verify.stderr and "modified" not in verify.stderr, verify.stderr
