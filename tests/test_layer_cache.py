"""The layer cache (warm rebuilds) through the installed command, and the one-pass stream's
layer names as podman and skopeo read them.

Every build here runs with its own ``XDG_CACHE_HOME``; outputs are compared byte for byte with
a ``--no-cache`` build of the same inputs, so reusing a layer can never change an image.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from conftest import nix2image_exe, run_cli
from test_image_support import podman, run, validate_image  # noqa: F401
from translator.image.layercache import LayerCache, parse_size

NPATHS = 4


def make_store(root: Path) -> list[str]:
    paths = []
    for i in range(NPATHS):
        p = f"/nix/store/{'%032d' % i}-pkg-{i}"
        d = root / p.lstrip("/")
        (d / "bin").mkdir(parents=True)
        (d / "bin" / "tool").write_bytes(bytes([i]) * (50_000 + i * 1000))
        (d / "share").mkdir()
        (d / "share" / "note.txt").write_text(f"package {i}\n")
        paths.append(p)
    return paths


@pytest.fixture
def setup(tmp_path):
    store = tmp_path / "root"
    paths = make_store(store)
    spec = {"builder": "buildLayeredImage", "name": "cached", "tag": "t",
            "closure": [{"path": p, "nar_size": 60_000, "references": []} for p in paths]}
    sj = tmp_path / "spec.json"
    sj.write_text(json.dumps(spec))
    layers = tmp_path / "layers.json"
    layers.write_text(json.dumps([[p] for p in paths]))
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("NIX2IMAGE_LAYER_CACHE_SIZE", None)
    return {"tmp": tmp_path, "store": store, "paths": paths, "args": ["--spec-json", str(sj), "--store-root", str(store),
                                                                        "--layers", str(layers)], "env": env}


def build(s, out: Path, *extra: str, env=None) -> int:
    """Build; returns how many layers came from the layer cache (the summary line says)."""
    r = run_cli("build", *s["args"], "-o", str(out), *extra, env=env or s["env"], check=True)
    m = re.search(r"(\d+) from the layer cache", r.stdout)
    return int(m.group(1)) if m else 0


def cache_blobs(s) -> list[Path]:
    return sorted((s["tmp"] / "cache" / "nix2image" / "layers" / "v1").glob("*/*.blob"))


def test_second_build_reuses_every_store_layer(setup):
    s = setup
    ref = s["tmp"] / "ref.tar"
    assert build(s, ref, "--no-cache") == 0
    assert not (s["tmp"] / "cache").exists()  # --no-cache neither reads nor writes the cache
    first, second = s["tmp"] / "1.tar", s["tmp"] / "2.tar"
    assert build(s, first) == 0
    assert len(cache_blobs(s)) == NPATHS
    assert build(s, second) == NPATHS
    assert first.read_bytes() == second.read_bytes() == ref.read_bytes()


def test_changed_path_is_the_only_layer_built_again(setup):
    s = setup
    build(s, s["tmp"] / "1.tar")
    tool = s["store"] / s["paths"][2].lstrip("/") / "bin" / "tool"
    tool.write_bytes(b"new version\n")
    out, ref = s["tmp"] / "2.tar", s["tmp"] / "ref.tar"
    assert build(s, out) == NPATHS - 1
    build(s, ref, "--no-cache")
    assert out.read_bytes() == ref.read_bytes()


def test_many_paths_walked_on_two_cores_key_each_layer_by_its_own_tree(tmp_path):
    """Enough paths without narHash that their walks are shared with a forked process
    (translator.store.forkmap): a change in a path of the child's share (odd positions) and one
    in the parent's are each seen, and only their layers are built again."""
    from translator.store.forkmap import MIN_ITEMS

    n = MIN_ITEMS + 6
    store = tmp_path / "root"
    paths = [f"/nix/store/{'%032d' % i}-many-{i}" for i in range(n)]
    for i, p in enumerate(paths):
        d = store / p.lstrip("/") / "lib"
        d.mkdir(parents=True)
        (d / "data").write_bytes(b"%d" % i * 100)
    spec = {"builder": "buildLayeredImage", "name": "many", "tag": "t",
            "closure": [{"path": p, "nar_size": 300, "references": []} for p in paths]}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    groups = [paths[i:i + 2] for i in range(0, n, 2)]  # a layer = one even and one odd position
    (tmp_path / "layers.json").write_text(json.dumps(groups))
    s = {"args": ["--spec-json", str(tmp_path / "spec.json"), "--store-root", str(store),
                  "--layers", str(tmp_path / "layers.json")],
         "env": dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))}
    build(s, tmp_path / "1.tar")
    assert build(s, tmp_path / "2.tar") == len(groups)
    old = time.time() - 10
    for i in (9, 40):  # odd: walked by the child; even: by the parent
        f = store / paths[i].lstrip("/") / "lib" / "data"
        f.write_bytes(b"changed %d" % i)
        os.utime(f, (old, old))  # the mtime set back to before the change: only the ctime tells it
    out, ref = tmp_path / "3.tar", tmp_path / "ref.tar"
    assert build(s, out) == len(groups) - 2
    build(s, ref, "--no-cache")
    assert out.read_bytes() == ref.read_bytes()


def test_rebuild_to_the_same_output_leaves_it_in_place(setup):
    """A rebuild that would write the very archive already at -o (every store layer cached, the
    same config and customisation layer) leaves that file alone; anything else rewrites it."""
    s = setup
    out, ref = s["tmp"] / "out.tar", s["tmp"] / "ref.tar"

    def rebuild(*extra) -> str:
        return run_cli("build", *s["args"], "-o", str(out), *extra, env=s["env"], check=True).stdout

    def same_as_no_cache() -> bool:
        build(s, ref, "--no-cache")
        return out.read_bytes() == ref.read_bytes()

    assert "left in place" not in rebuild()
    before = out.stat()
    summary = rebuild()
    assert "unchanged, left in place" in summary and f"{NPATHS} from the layer cache" in summary
    after = out.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == (before.st_ino, before.st_mtime_ns, before.st_ctime_ns)
    assert same_as_no_cache()

    # the image changes: a new config (customisation of the spec), then a store path's content
    spec_file = Path(s["args"][1])
    spec = json.loads(spec_file.read_text())
    spec["config"] = {"Env": ["A=1"]}
    spec_file.write_text(json.dumps(spec))
    assert "left in place" not in rebuild() and same_as_no_cache()
    assert "left in place" in rebuild()
    (s["store"] / s["paths"][1].lstrip("/") / "share" / "note.txt").write_text("changed\n")
    assert "left in place" not in rebuild() and same_as_no_cache()

    # the file at -o changes: bytes overwritten (mtime put back), replaced by a copy, truncated
    rebuild()
    st = out.stat()
    data = out.read_bytes()
    with open(out, "r+b") as f:
        f.seek(len(data) // 2)
        f.write(b"\xff" * 8)
    os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "left in place" not in rebuild() and same_as_no_cache()
    copy = s["tmp"] / "copy.tar"
    copy.write_bytes(out.read_bytes())
    os.replace(copy, out)
    assert "left in place" not in rebuild() and same_as_no_cache()
    os.truncate(out, 1024)
    assert "left in place" not in rebuild() and same_as_no_cache()

    # --no-cache always writes; the next cached build does not trust a file it did not record
    build(s, out, "--no-cache")
    assert "left in place" not in rebuild()
    assert "left in place" in rebuild()


def test_unchanged_output_with_a_base_image_and_contents(setup):
    """The same with a base image (its layers copied in first) and a customisation layer with
    contents: the dry run must see the very members the writer writes."""
    s = setup
    base = s["tmp"] / "base.tar"
    build(s, base, "--no-cache")
    spec_file = Path(s["args"][1])
    spec = json.loads(spec_file.read_text())
    extra = {"path": f"/nix/store/{'9' * 32}-extra", "nar_size": 100, "references": []}
    (s["store"] / extra["path"].lstrip("/") / "bin").mkdir(parents=True)
    (s["store"] / extra["path"].lstrip("/") / "bin" / "hello").write_text("hi\n")
    spec.update(name="on-base", from_image={"kind": "archive", "path": str(base)}, contents=[extra["path"]],
                closure=spec["closure"] + [extra])
    spec_file.write_text(json.dumps(spec))
    layers = json.loads(Path(s["args"][5]).read_text())
    Path(s["args"][5]).write_text(json.dumps(layers + [[extra["path"]]]))
    out, ref = s["tmp"] / "out.tar", s["tmp"] / "ref.tar"
    first = run_cli("build", *s["args"], "-o", str(out), env=s["env"], check=True).stdout
    again = run_cli("build", *s["args"], "-o", str(out), env=s["env"], check=True).stdout
    assert "left in place" not in first and "unchanged, left in place" in again
    build(s, ref, "--no-cache")
    assert out.read_bytes() == ref.read_bytes()
    (s["store"] / extra["path"].lstrip("/") / "bin" / "hello").write_text("changed\n")
    assert "left in place" not in run_cli("build", *s["args"], "-o", str(out), env=s["env"], check=True).stdout
    build(s, ref, "--no-cache")
    assert out.read_bytes() == ref.read_bytes()


def test_stream_and_oci_use_the_cache_too(setup, tmp_path):
    s = setup
    exe = nix2image_exe()

    def stream(*extra):
        p = subprocess.run([exe, "stream", *s["args"], *extra], capture_output=True, env=s["env"], timeout=600)
        assert p.returncode == 0, p.stderr
        return p.stdout

    cold = stream()
    assert len(cache_blobs(s)) == NPATHS
    assert stream() == cold == stream("--no-cache")
    for comp in ("none", "zstd"):
        a, b, c = (tmp_path / f"oci-{comp}-{i}" for i in range(3))
        # uncompressed OCI blobs are the same tars as the docker-archive's: already cached
        assert build(s, a, "--format", "oci", "--compress", comp) == (NPATHS if comp == "none" else 0)
        assert build(s, b, "--format", "oci", "--compress", comp) == NPATHS
        # the warm layout links the cached blobs in, and a cold one's new blobs became the cache
        # entries by a link too: no bytes copied either way
        for layout in (a, b):
            assert sum(p.stat().st_nlink > 1 for p in (layout / "blobs" / "sha256").iterdir()) == NPATHS
        build(s, c, "--format", "oci", "--compress", comp, "--no-cache")
        for name in sorted(os.listdir(c / "blobs" / "sha256")):
            for layout in (a, b):
                assert (layout / "blobs" / "sha256" / name).read_bytes() == (c / "blobs" / "sha256" / name).read_bytes()
        assert (b / "index.json").read_bytes() == (c / "index.json").read_bytes()


def test_corrupted_entry_is_detected_and_rebuilt(setup):
    s = setup
    build(s, s["tmp"] / "1.tar")
    blobs = cache_blobs(s)
    victim = blobs[1]
    os.chmod(victim, 0o644)
    with open(victim, "r+b") as f:  # flip bytes in the middle of the layer, keep its size
        f.seek(1024)
        f.write(b"\xff" * 16)
    truncated = blobs[2]
    os.chmod(truncated, 0o644)
    os.truncate(truncated, 512)
    out, ref = s["tmp"] / "2.tar", s["tmp"] / "ref.tar"
    r = run_cli("build", *s["args"], "-o", str(out), env=s["env"], check=True)
    assert f"{NPATHS - 2} from the layer cache" in r.stdout
    assert "damaged" in r.stderr
    build(s, ref, "--no-cache")
    assert out.read_bytes() == ref.read_bytes()
    assert build(s, s["tmp"] / "3.tar") == NPATHS  # the entries were replaced


def test_corrupted_record_and_content_unit(tmp_path):
    cache = LayerCache(tmp_path / "c", max_bytes=1 << 30)
    src = tmp_path / "src"
    src.write_bytes(os.urandom(200_000))
    with open(src, "rb") as f:
        cache.put_range("ab" * 32, f.fileno(), 0, 200_000, digest="d" * 64)
    hit = cache.get("ab" * 32)
    assert hit is not None and hit.size == 200_000
    hit.close()
    blob = Path(hit.path)
    # other bytes at the start, the mtime put back: the sampled blocks tell
    st = blob.stat()
    os.chmod(blob, 0o644)
    with open(blob, "r+b") as f:
        f.write(b"\0" * 8)
    os.utime(blob, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert cache.get("ab" * 32) is None and cache.corrupt == 1
    (blob.parent / f"{'ab' * 32}.json").write_text("{not json")
    assert cache.get("ab" * 32) is None and cache.corrupt == 2
    # an OCI layout's hard link to an entry, made and removed, leaves the entry valid
    with open(src, "rb") as f:
        cache.put_range("cd" * 32, f.fileno(), 0, 200_000, digest="d" * 64)
    entry = next((tmp_path / "c" / "v1").glob(f"*/{'cd' * 32}.blob"))
    os.link(entry, tmp_path / "linked")
    os.unlink(tmp_path / "linked")
    hit = cache.get("cd" * 32)
    assert hit is not None
    hit.close()


def test_least_recently_used_entries_are_evicted(tmp_path):
    cache = LayerCache(tmp_path / "c", max_bytes=250_000)
    data = tmp_path / "data"
    data.write_bytes(os.urandom(100_000))
    keys = [f"{i:02d}" * 32 for i in range(3)]
    with open(data, "rb") as f:
        for i, k in enumerate(keys[:2]):
            cache.put_range(k, f.fileno(), 0, 100_000, digest="d" * 64)
            rec = next((tmp_path / "c" / "v1").glob(f"*/{k}.json"))
            os.utime(rec, (time.time() - 100 + i, time.time() - 100 + i))
        cache.get(keys[0]).close()  # used now: the older one is keys[1]
        cache.put_range(keys[2], f.fileno(), 0, 100_000, digest="d" * 64)
    assert cache.get(keys[1]) is None
    for k in (keys[0], keys[2]):
        hit = cache.get(k)
        assert hit is not None
        hit.close()
    assert cache.size() <= 250_000


def test_cache_size_bound_from_the_environment(setup):
    s = setup
    env = dict(s["env"], NIX2IMAGE_LAYER_CACHE_SIZE="120K")
    build(s, s["tmp"] / "1.tar", env=env)
    total = sum(p.stat().st_size for p in cache_blobs(s))
    assert 0 < total <= parse_size("120K")
    assert len(cache_blobs(s)) < NPATHS


def test_two_concurrent_builds_share_the_cache(setup):
    s = setup
    exe = nix2image_exe()
    outs = [s["tmp"] / f"c{i}.tar" for i in range(2)]
    procs = [subprocess.Popen([exe, "build", *s["args"], "-o", str(o), "-q"], env=s["env"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for o in outs]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    ref = s["tmp"] / "ref.tar"
    build(s, ref, "--no-cache")
    assert outs[0].read_bytes() == outs[1].read_bytes() == ref.read_bytes()
    assert build(s, s["tmp"] / "after.tar") == NPATHS
    leftovers = [p for p in (s["tmp"] / "cache").rglob(".*") if p.name.startswith((".tmp-", ".nix2image-"))]
    assert not leftovers


def test_layers_named_by_position_load_in_podman_and_skopeo(setup, podman, tmp_path):
    s = setup
    exe = nix2image_exe()
    p = subprocess.run([exe, "stream", *s["args"], "--no-cache"], capture_output=True, env=s["env"], timeout=600)
    assert p.returncode == 0, p.stderr
    archive = tmp_path / "streamed.tar"
    archive.write_bytes(p.stdout)
    with tarfile.open(archive) as tf:
        names = tf.getnames()
        manifest = json.load(tf.extractfile("manifest.json"))
    assert names[-1] == "manifest.json"
    assert manifest[0]["Layers"] == [f"{i}/layer.tar" for i in range(NPATHS + 1)]
    validate_image(archive, tmp_path, tag="t")
    digest_named = tmp_path / "digest.tar"
    build(s, digest_named, "--no-cache")
    inspect = [json.loads(run(["skopeo", "inspect", f"docker-archive:{a}"]).stdout) for a in (archive, digest_named)]
    assert inspect[0]["Layers"] == inspect[1]["Layers"]
    podman.load(archive)
    out = run(podman.base + ["image", "inspect", "cached:t", "--format", "{{.Id}}"]).stdout.strip()
    cfg = next(n for n in names if n.endswith(".json") and n != "manifest.json")
    assert out == cfg[:-5]


def test_spec_json_keeps_nar_hash_for_the_cache_keys():
    """A spec written by `nix2image spec` carries each path's narHash; reading it back with
    --spec-json keeps it, so the layer keys need no walk of the trees."""
    from translator.image.specjson import spec_from_data, spec_to_data

    p = f"/nix/store/{'a' * 32}-x"
    data = {"builder": "buildLayeredImage", "name": "x",
            "closure": [{"path": p, "nar_size": 1, "references": [], "nar_hash": "sha256:" + "0" * 52}]}
    spec = spec_from_data(data, "spec.json")
    assert spec.closure[0].nar_hash == "sha256:" + "0" * 52
    assert spec_from_data(spec_to_data(spec), "again.json").closure[0].nar_hash == spec.closure[0].nar_hash
