"""Store layers byte-for-byte as nixpkgs' streamLayeredImage writes them (conformance vectors in
../shared/conformance/image), and the layered archive's outer structure, config and manifest."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest

from test_image_support import (IMAGE_DIR, archive_json, closure_infos, expected, oracle_plan,  # noqa: F401
                                oracle_store)
from translator.image.build import BuildOptions, build
from translator.image.layer import DirectContent, Owner, store_layer_entries
from translator.image.tarwriter import HashingSink, write_tar
from translator.spec import BaseImageRef, ImageSpec

TYPE = {tarfile.REGTYPE: "0", tarfile.SYMTYPE: "2", tarfile.DIRTYPE: "5", tarfile.LNKTYPE: "1"}


def listing(ti: tarfile.TarInfo) -> str:
    """A member as expected.json lists it."""
    name = ti.name + ("/" if ti.isdir() else "")
    s = (f"{TYPE[ti.type]} {ti.mode:04o} {ti.uid}/{ti.gid} {ti.uname}/{ti.gname} mtime={ti.mtime} "
         f"size={ti.size} {name}")
    if ti.issym():
        s += f" -> {ti.linkname}"
    pax = [k for k in ("path", "linkpath") if k in ti.pax_headers]
    if pax:
        s += f"  [pax: {', '.join(pax)}]"
    return s


def layer_bytes(paths) -> bytes:
    buf = io.BytesIO()
    sink = HashingSink(buf)
    write_tar(store_layer_entries(paths, DirectContent(), Owner()), sink)
    sink.hexdigest()
    return buf.getvalue()


def store_layers(expected, run="plain"):
    return [l for l in expected["runs"][run]["layers"] if l["kind"] == "store"]


def test_store_layers_are_byte_identical(oracle_store, expected):
    for layer in store_layers(expected):
        data = layer_bytes(layer["paths"])
        assert hashlib.sha256(data).hexdigest() == layer["sha256"], layer["paths"]
        assert len(data) == layer["size"]
        with tarfile.open(fileobj=io.BytesIO(data)) as tf:
            assert [listing(ti) for ti in tf] == layer["members"]


def test_hardlinks_written_as_regular_files(oracle_store, expected):
    data = layer_bytes([oracle_store["data"]])
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        members = {ti.name: ti for ti in tf}
        assert not any(ti.islnk() for ti in members.values())
        one = members[oracle_store["data"] + "/share/hl-one"]
        two = members[oracle_store["data"] + "/share/hl-two"]
        assert one.isreg() and two.isreg() and one.size == two.size == len(b"same bytes\n")
        assert tf.extractfile(two).read() == b"same bytes\n"


def test_pathlib_order_not_string_order(oracle_store):
    data = layer_bytes([oracle_store["data"]])
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        prefix = oracle_store["data"] + "/sort/"
        names = [ti.name[len(prefix):] for ti in tf if ti.name.startswith(prefix)]
    assert names == [".dot", "A", "a", "a/b", "a-b", "a.b", "a0", "a_b", "ab", "b", "b/c", "b/c/d", "b-c"]


def oracle_spec(expected, oracle_store, **kw) -> ImageSpec:
    args = dict(builder="streamLayeredImage", name="oracle", tag="latest", config=expected["conf"]["config"],
                closure=closure_infos(expected), contents=[oracle_store["busybox"], oracle_store["app"]])
    args.update(kw)
    return ImageSpec(**args)


def test_layered_archive_structure(oracle_store, expected, tmp_path):
    out = tmp_path / "out.tar"
    res = build(oracle_spec(expected, oracle_store), oracle_plan(expected), DirectContent(), str(out))
    plain = expected["runs"]["plain"]
    with tarfile.open(out) as tf:
        members = tf.getmembers()
    # store layer members: same names, headers and order as nixpkgs' archive; then customisation, config, manifest
    assert [listing(m) for m in members[:4]] == plain["outer_members"][:4]
    assert members[4].name.endswith("/layer.tar")
    assert members[5].name == f"{res.config_digest}.json" and members[6].name == "manifest.json"
    assert all(m.mode == 0o644 and m.uid == 0 and m.mtime == 1 and not m.uname for i, m in enumerate(members) if i != 4)
    # the customisation layer's member header as nixpkgs writes it (0444 root/root, conf mtime)
    assert listing(members[4]).split()[:5] == plain["outer_members"][4].split()[:5]
    raw = out.read_bytes()
    assert len(raw) % 10240 == 0
    cfg = archive_json(out, members[5].name)
    want = plain["config"]["json"]
    assert list(cfg) == ["created", "architecture", "os", "config", "rootfs", "history"]
    assert cfg["created"] == want["created"] == "1970-01-01T00:00:01+00:00"
    assert cfg["config"] == want["config"]
    assert cfg["rootfs"]["diff_ids"][:4] == want["rootfs"]["diff_ids"][:4]
    assert cfg["history"][:4] == want["history"][:4]
    assert len(cfg["history"]) == len(cfg["rootfs"]["diff_ids"]) == 5
    # the config file is exactly json.dumps(indent=4) (no trailing newline)
    with tarfile.open(out) as tf:
        cbytes = tf.extractfile(members[5]).read()
        mbytes = tf.extractfile(members[6]).read()
    assert cbytes == json.dumps(cfg, indent=4).encode()
    assert hashlib.sha256(cbytes).hexdigest() == res.config_digest
    manifest = json.loads(mbytes)
    assert mbytes == json.dumps(manifest, indent=4).encode()
    assert manifest[0]["RepoTags"] == ["oracle:latest"]
    assert manifest[0]["Layers"][:4] == plain["manifest"]["json"][0]["Layers"][:4]
    assert manifest[0]["Config"] == f"{res.config_digest}.json"


def test_from_image_run(oracle_store, expected, tmp_path):
    out = tmp_path / "out-from.tar"
    spec = oracle_spec(expected, oracle_store,
                       from_image=BaseImageRef(kind="archive", path=str(IMAGE_DIR / "fixtures/base-image.tar")))
    build(spec, oracle_plan(expected, "from_image"), DirectContent(), str(out))
    run = expected["runs"]["from_image"]
    with tarfile.open(out) as tf:
        members = tf.getmembers()
        base_body = tf.extractfile(members[0]).read()
    # base layer first, its header kept verbatim (uid 1000, builder, mtime 1234567890), body unchanged
    assert [listing(m) for m in members[:5]] == run["outer_members"][:5]
    assert hashlib.sha256(base_body).hexdigest() == run["layers"][0]["sha256"]
    cfg = archive_json(out, members[6].name)
    want = run["config"]["json"]
    assert cfg["config"]["Env"] == ["PATH=/bin", "BASE_ONLY=1", "ORACLE=1"] == want["config"]["Env"]
    assert cfg["config"] == want["config"]  # base Cmd/WorkingDir not inherited
    assert cfg["rootfs"]["diff_ids"][:5] == want["rootfs"]["diff_ids"][:5]
    assert cfg["history"][:5] == want["history"][:5]
    manifest = archive_json(out, "manifest.json")
    assert manifest[0]["Layers"][:5] == run["manifest"]["json"][0]["Layers"][:5]


def test_byte_identical_rebuild(oracle_store, expected, tmp_path):
    spec = oracle_spec(expected, oracle_store)
    a, b = tmp_path / "a.tar", tmp_path / "b.tar"
    build(spec, oracle_plan(expected), DirectContent(), str(a))
    build(spec, oracle_plan(expected), DirectContent(), str(b))
    assert a.read_bytes() == b.read_bytes()
    for fmt, comp in (("oci-archive", "gzip"), ("oci-archive", "zstd")):
        c, d = tmp_path / f"c-{comp}.tar", tmp_path / f"d-{comp}.tar"
        build(spec, oracle_plan(expected), DirectContent(), str(c), BuildOptions(format=fmt, compress=comp))
        build(spec, oracle_plan(expected), DirectContent(), str(d), BuildOptions(format=fmt, compress=comp))
        assert c.read_bytes() == d.read_bytes(), comp


@pytest.mark.parametrize("fmt", ["oci", "oci-archive"])
def test_oci_layout_keeps_diff_ids(oracle_store, expected, tmp_path, fmt):
    out = tmp_path / ("layout" if fmt == "oci" else "layout.tar")
    res = build(oracle_spec(expected, oracle_store), oracle_plan(expected), DirectContent(), str(out),
                BuildOptions(format=fmt, compress="gzip"))
    assert [l.digest for l in res.layers[:4]] == [l["sha256"] for l in store_layers(expected)]
    if fmt == "oci":
        index = json.loads((out / "index.json").read_text())
        assert json.loads((out / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
        m = index["manifests"][0]
        assert m["annotations"]["org.opencontainers.image.ref.name"] == "latest"
        manifest = json.loads((out / "blobs/sha256" / m["digest"][7:]).read_text())
        assert {l["mediaType"] for l in manifest["layers"]} == {"application/vnd.oci.image.layer.v1.tar+gzip"}
        # reproducible gzip: no name, mtime 0
        blob = (out / "blobs/sha256" / manifest["layers"][0]["digest"][7:]).read_bytes()
        assert blob[:2] == b"\x1f\x8b" and blob[3] & 0x08 == 0 and blob[4:8] == b"\0\0\0\0"


def test_fast_header_path_equals_tarfile():
    """The direct ustar encoder gives tarfile's bytes wherever it applies (and declines elsewhere)."""
    import random

    from translator.image.tarwriter import _fast_header, header_bytes

    rng = random.Random(7)
    fast = 0
    for _ in range(20000):
        alphabet = "ab/.-_ " if rng.random() < 0.7 else "ab/é\udcff"
        ti = tarfile.TarInfo("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 105))))
        ti.type = rng.choice([tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE,
                              tarfile.FIFOTYPE, tarfile.CHRTYPE])
        ti.mode = rng.randint(0, 0o177777)
        ti.uid = rng.choice([0, 1000, 2 ** 21 - 1, 2 ** 21])
        ti.gid = rng.choice([0, 5, 2 ** 21])
        ti.size = rng.choice([0, 1, 513, 2 ** 33 - 1, 2 ** 33]) if ti.type == tarfile.REGTYPE else 0
        ti.mtime = rng.choice([0, 1, 2 ** 33 - 1, 2 ** 33])
        ti.uname = rng.choice(["", "root", "x" * 32, "x" * 33, "é"])
        ti.gname = rng.choice(["", "root"])
        if ti.type in (tarfile.SYMTYPE, tarfile.LNKTYPE):
            ti.linkname = "".join(rng.choice("ab/" if rng.random() < 0.7 else "é/") for _ in range(rng.randint(1, 105)))
        if ti.type == tarfile.CHRTYPE:
            ti.devmajor, ti.devminor = 1, 3
        want = ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
        got = _fast_header(ti)
        if got is not None:
            fast += 1
            assert got == want, (ti.name, ti.type)
        assert header_bytes(ti) == want
    assert fast > 1000


@pytest.mark.parametrize("size", [100, 300_000])
def test_a_file_that_shrank_while_tarred_is_a_clear_error(tmp_path, size):
    """A file shorter than its stat said when it is read (small files: one read; large: chunks)
    stops the layer with an error naming it, never a short or padded-out member."""
    from translator.errors import UserError
    from translator.image.tarwriter import Entry, HashingSink, file_info, write_tar

    f = tmp_path / "data"
    f.write_bytes(b"x" * (size // 2))
    with pytest.raises(UserError, match="data shrank while it was being archived"):
        write_tar([Entry(file_info("data", size), source=str(f))], HashingSink(None))
