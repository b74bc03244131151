"""OCI image layout: writing (directory or tar) and reading (as a base image).

Layout: ``oci-layout`` (``{"imageLayoutVersion": "1.0.0"}``), ``index.json`` pointing at one
image manifest whose ``org.opencontainers.image.ref.name`` annotation is the tag (what
``skopeo ... oci:DIR:TAG`` looks up), and every blob under ``blobs/sha256/<hex>``. Layer media
types follow the compression (``tar``, ``tar+gzip``, ``tar+zstd``).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..errors import UserError
from . import safety
from .compress import MEDIA_TYPES, Encoded, encode_blob, encode_layer
from .config import dumps_compact
from .layercache import copy_range
from .model import Blob, ImageData, Layer

MANIFEST_MT = "application/vnd.oci.image.manifest.v1+json"
INDEX_MT = "application/vnd.oci.image.index.v1+json"
CONFIG_MT = "application/vnd.oci.image.config.v1+json"
LAYOUT = b'{"imageLayoutVersion":"1.0.0"}'


class OciWriter:
    """Collects blobs into a layout directory, or into an outer tar (``archive``: an ArchiveWriter)."""

    def __init__(self, *, directory: str | None = None, archive=None, compression: str = "none",
                 spool_dir: str, progress=None, cache=None) -> None:
        self.directory = directory
        self.cache = cache  # a LayerCache (entries keyed with the compression), or None
        self.archive = archive
        self.compression = compression
        self.spool_dir = spool_dir
        self.progress = progress
        self.written: set[str] = set()
        if directory is not None:
            os.makedirs(os.path.join(directory, "blobs", "sha256"), exist_ok=True)
        else:
            archive.add_dir("blobs")
            archive.add_dir("blobs/sha256")

    def _blob_target(self) -> tuple[int, str]:
        d = os.path.join(self.directory, "blobs", "sha256") if self.directory else self.spool_dir
        return tempfile.mkstemp(prefix=".blob-", dir=d)

    def _commit(self, tmp: str, digest: str, owned: bool = True) -> None:
        if self.directory is not None:
            final = os.path.join(self.directory, "blobs", "sha256", digest)
            if stat.S_IMODE(os.stat(tmp).st_mode) != 0o444:
                os.chmod(tmp, 0o444)  # blobs are content-addressed: read-only (as cached, linked ones)
            os.replace(tmp, final)
        else:
            name = f"blobs/sha256/{digest}"
            if name not in self.archive.names:
                size = os.path.getsize(tmp)
                from .tarwriter import file_info

                self.archive.add_member(file_info(name, size, mtime=self.archive.mtime), blob=Blob(digest, size, tmp))
            if owned:
                os.unlink(tmp)
        self.written.add(digest)

    def add_entries(self, entries) -> Encoded:
        """A new layer from tar entries (tarred, compressed and hashed in one pass)."""
        return self.add_layers([(entries, None)])[0]

    def add_layers(self, layers: list[tuple[Any, str | None]]) -> list[Encoded]:
        """New layers from ``(entries or a function making them, cache key)``, in order.

        Two layers are encoded at a time (tarring, hashing and compressing different layers use
        both cores: hashlib, zlib and zstd release the GIL), each into its own blob file, and
        committed in order; at most two are in flight, so memory and scratch space stay flat.
        A layer in the layer cache is copied from it; one encoded here is stored there too.
        """
        if not layers:
            return []
        out: list[Encoded] = []
        workers = min(2, len(layers))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nix2image-oci") as pool:
            pending = [pool.submit(self._encode, *layers[i]) for i in range(workers)]
            nxt = workers
            try:
                while pending:
                    enc, tmp, owned = pending.pop(0).result()
                    if nxt < len(layers):
                        pending.append(pool.submit(self._encode, *layers[nxt]))
                        nxt += 1
                    self._commit(tmp, enc.digest, owned=owned)
                    out.append(enc)
            finally:
                for f in pending:
                    if not f.cancel():
                        try:
                            _enc, tmp, owned = f.result()
                            if owned and os.path.exists(tmp):
                                os.unlink(tmp)
                        except BaseException:
                            pass
        return out

    def _link_or_copy(self, hit) -> str:
        """The cached blob in the layout's blob directory: a hard link (no bytes copied; the cache
        notices if the linked file is ever written to, by its ctime) or, across filesystems, a copy."""
        fd, tmp = self._blob_target()
        try:
            os.close(fd)
            os.unlink(tmp)
            os.link(hit.path, tmp)
            return tmp
        except OSError:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o444)
            try:
                copy_range(hit.fd, fd, hit.size)
            finally:
                os.close(fd)
            return tmp

    def _encode(self, entries, key: str | None) -> tuple[Encoded, str, bool]:
        """One layer into a blob file: ``(encoding, file, whether the file is ours to move/delete)``."""
        hit = self.cache.get(key) if (self.cache is not None and key) else None
        if hit is not None:
            try:
                enc = Encoded(hit.diff_id, hit.digest, hit.size, hit.raw_size)
                if self.directory is None:  # archive: copied into it from the cache entry itself
                    if self.progress:
                        self.progress(hit.raw_size)
                    return enc, hit.path, False
                tmp = self._link_or_copy(hit)
                if self.progress:
                    self.progress(hit.raw_size)
                return enc, tmp, True
            finally:
                hit.close()
        if callable(entries):
            entries = entries()
        fd, tmp = self._blob_target()
        try:
            with os.fdopen(fd, "w+b") as f:
                enc = encode_layer(entries, f, self.compression, self.progress)
                if self.cache is not None and key:
                    f.flush()
                    if self.directory is not None:  # a layout: the blob file itself becomes the entry
                        self.cache.put_file(key, tmp, f.fileno(), enc.size, digest=enc.digest, diff_id=enc.diff_id,
                                            raw_size=enc.raw_size)
                    else:
                        self.cache.put_range(key, f.fileno(), 0, enc.size, digest=enc.digest, diff_id=enc.diff_id,
                                             raw_size=enc.raw_size)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return enc, tmp, True

    def add_blob(self, blob: Blob) -> Encoded:
        """A base layer (uncompressed on disk), compressed as the output asks."""
        fd, tmp = self._blob_target()
        with os.fdopen(fd, "wb") as f:
            enc = encode_blob(blob, f, self.compression)
        self._commit(tmp, enc.digest)
        return enc

    def add_json(self, data: bytes) -> tuple[str, int]:
        digest = hashlib.sha256(data).hexdigest()
        fd, tmp = self._blob_target()
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        self._commit(tmp, digest)
        return digest, len(data)

    def finish(self, config_bytes: bytes, layers: list[Encoded], ref_name: str, image_ref: str) -> bytes:
        """Write config, manifest, index.json and oci-layout; returns the manifest bytes."""
        cd, cs = self.add_json(config_bytes)
        manifest = {
            "schemaVersion": 2,
            "mediaType": MANIFEST_MT,
            "config": {"mediaType": CONFIG_MT, "digest": f"sha256:{cd}", "size": cs},
            "layers": [{"mediaType": MEDIA_TYPES[self.compression], "digest": f"sha256:{e.digest}", "size": e.size}
                       for e in layers],
        }
        mb = dumps_compact(manifest)
        md, ms = self.add_json(mb)
        index = {
            "schemaVersion": 2,
            "mediaType": INDEX_MT,
            "manifests": [{"mediaType": MANIFEST_MT, "digest": f"sha256:{md}", "size": ms,
                           "annotations": {"io.containerd.image.name": image_ref,
                                           "org.opencontainers.image.ref.name": ref_name}}],
        }
        ib = dumps_compact(index)
        if self.directory is not None:
            for name, data in (("oci-layout", LAYOUT), ("index.json", ib)):
                with open(os.path.join(self.directory, name), "wb") as f:
                    f.write(data)
        else:
            self.archive.add_bytes("oci-layout", LAYOUT)
            self.archive.add_bytes("index.json", ib)
            self.archive.close()
        return mb


# --- reading ---------------------------------------------------------------------------------

def _pick(index: dict, source: str, name: str | None, tag: str | None) -> dict:
    if not isinstance(index, dict) or not isinstance(index.get("manifests") or [], list):
        raise UserError(f"OCI layout {source}: index.json is not an image index")
    manifests = [m for m in (index.get("manifests") or []) if isinstance(m, dict)]
    if not manifests:
        raise UserError(f"OCI layout {source}: index.json lists no manifests")
    if tag or name:
        for m in manifests:
            ann = m.get("annotations") or {}
            ann = ann if isinstance(ann, dict) else {}
            ref = ann.get("org.opencontainers.image.ref.name", "")
            full = ann.get("io.containerd.image.name", "")
            if (tag and ref == tag) or (name and tag and (ref == f"{name}:{tag}" or full == f"{name}:{tag}")):
                return m
        if len(manifests) > 1:
            raise UserError(f"OCI layout {source} has no image tagged {tag or name}")
    return manifests[0]


def _read_layout(get, source: str, workdir: str, name: str | None, tag: str | None) -> ImageData:
    """Read an OCI layout given ``get(relpath) -> (path on disk, offset, size)``."""
    def data(rel: str) -> bytes:
        p, off, size = get(rel)
        with open(p, "rb") as f:
            f.seek(off)
            return f.read(size)

    def blob_ref(desc: dict) -> str:
        d = desc.get("digest", "")
        if not isinstance(d, str) or not d.startswith("sha256:") or len(d) != 71 or "/" in d:
            raise UserError(f"OCI layout {source}: bad digest {d!r}")
        return f"blobs/sha256/{d[7:]}"

    def checked(desc: dict) -> bytes:
        b = data(blob_ref(desc))
        if hashlib.sha256(b).hexdigest() != desc["digest"][7:]:
            raise UserError(f"OCI layout {source}: blob {desc['digest']} does not match its digest")
        return b

    try:
        index = json.loads(data("index.json"))
        mdesc = _pick(index, source, name, tag)
        if mdesc.get("mediaType") == INDEX_MT:
            sub = json.loads(checked(mdesc))
            mdesc = _pick(sub, source, None, None)
        manifest = json.loads(checked(mdesc))
        cfg_bytes = checked(manifest["config"])
        config = json.loads(cfg_bytes)
        diff_ids = list(((config.get("rootfs") or {}).get("diff_ids")) or [])
        ldescs = list(manifest.get("layers") or [])
        if not all(isinstance(d, dict) for d in ldescs) or not all(isinstance(d, str) for d in diff_ids):
            raise TypeError("layers must be descriptors and diff_ids strings")
    except (KeyError, TypeError, AttributeError, ValueError) as err:  # ValueError: bad JSON or UTF-8
        raise UserError(f"OCI layout {source}: malformed index, manifest or config ({err})") from err
    if len(diff_ids) != len(ldescs):
        raise UserError(f"OCI layout {source}: {len(ldescs)} layers but {len(diff_ids)} diff_ids")
    layers = []
    for desc, did in zip(ldescs, diff_ids):
        p, off, size = get(blob_ref(desc))
        raw = Blob(desc["digest"][7:], size, p, off)
        mt = desc.get("mediaType", "")
        if mt.endswith("gzip") or mt.endswith("zstd"):
            fd, tmp = tempfile.mkstemp(prefix="base-layer-", dir=workdir)
            os.close(fd)
            src = os.path.join(workdir, os.path.basename(tmp) + ".z")
            with open(src, "wb") as out, raw.open() as f:
                out.write(f.read(size))
            safety.decompress_to(src, tmp, f"OCI layout {source} layer")
            os.unlink(src)
            h = hashlib.sha256()
            with open(tmp, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            blob = Blob(h.hexdigest(), os.path.getsize(tmp), tmp, 0)
        else:
            blob = raw
        if "sha256:" + blob.digest != did:
            raise UserError(f"OCI layout {source}: layer {desc['digest']} does not match diff_id {did}")
        layers.append(Layer(blob=blob, member=f"{blob.digest}/layer.tar", kind="base",
                            header=None))
    ann = mdesc.get("annotations") or {}
    ann = {k: v for k, v in ann.items() if isinstance(v, str)} if isinstance(ann, dict) else {}
    tags = [ann["io.containerd.image.name"]] if "io.containerd.image.name" in ann else (
        [ann["org.opencontainers.image.ref.name"]] if "org.opencontainers.image.ref.name" in ann else [])
    return ImageData(config=config, config_bytes=cfg_bytes, config_digest=hashlib.sha256(cfg_bytes).hexdigest(),
                     layers=layers, repo_tags=tags, linking="oci", source=source,
                     history=list(config.get("history") or []))


def read_oci_dir(path: str, workdir: str, name: str | None = None, tag: str | None = None) -> ImageData:
    """Read an image from an OCI layout directory."""
    real = os.path.realpath(path)

    def get(rel: str):
        p = os.path.realpath(os.path.join(real, rel))
        if not p.startswith(real + os.sep):
            raise UserError(f"OCI layout {path}: {rel} points outside the layout")
        if not os.path.isfile(p):
            raise UserError(f"OCI layout {path}: {rel} is missing")
        return p, 0, os.path.getsize(p)

    return _read_layout(get, path, workdir, name, tag)


def read_oci_tar(plain: str, tf: tarfile.TarFile, members: dict, source: str, workdir: str,
                 name: str | None = None, tag: str | None = None) -> ImageData:
    """Read an image from an OCI layout packed in a tar (members already safety-checked)."""
    def get(rel: str):
        ti = members.get(rel)
        if ti is None or not ti.isreg():
            raise UserError(f"OCI archive {source}: {rel} is missing")
        if ti.offset_data + ti.size > os.path.getsize(plain):
            raise UserError(f"OCI archive {source}: {rel} is truncated")
        return plain, ti.offset_data, ti.size

    return _read_layout(get, source, workdir, name, tag)
