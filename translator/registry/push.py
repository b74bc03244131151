"""Push an image to a registry: blobs first (skip present, mount, or upload), manifest last.

The image is given as :class:`PushImage`: the config bytes and, per layer, its uncompressed
``diff_id`` and a way to open the layer tar (or an already compressed blob from an OCI layout).
Compressed digests are remembered per ``diff_id`` in the :class:`~.cache.BlobMap`, so a second
push of the same layers asks the registry with ``HEAD`` before compressing anything. The
manifest is ``PUT`` only once every blob is confirmed present, so a failed push never leaves a
tag pointing at a partial image.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO, Callable

from ..image.compress import compress_stream
from ..errors import UserError
from ..scratch import make_scratch, remove_tree
from .cache import BlobMap, CompressedBlob
from .client import RegistryClient, RegistryError
from .reference import Reference

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = {"none": "application/vnd.docker.image.rootfs.diff.tar", "gzip": "application/vnd.docker.image.rootfs.diff.tar.gzip"}
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = {"none": "application/vnd.oci.image.layer.v1.tar", "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
             "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"}


@dataclass(slots=True)
class PushLayer:
    """One layer: its uncompressed digest, and how to read it.

    ``open_tar`` gives the uncompressed tar. ``blob`` is set when the source already holds the
    layer compressed (an OCI layout): ``(digest, size, compression, open_blob)``.
    """

    diff_id: str
    open_tar: Callable[[], BinaryIO] | None
    blob: tuple[str, int, str, Callable[[], BinaryIO]] | None = None
    annotation: str = ""
    size: int | None = None  # of the uncompressed tar, when known without reading it


@dataclass(slots=True)
class PushImage:
    config: bytes
    layers: list[PushLayer]


@dataclass(slots=True)
class BlobReport:
    digest: str
    size: int
    action: str  # "present" | "mounted" | "uploaded"
    sent: int = 0
    what: str = ""


@dataclass(slots=True)
class PushReport:
    reference: str
    manifest_digest: str = ""
    blobs: list[BlobReport] = field(default_factory=list)
    built: list[str] | None = None  # diff_ids of layers tarred by this push (Nix sources only)

    @property
    def bytes_sent(self) -> int:
        return sum(b.sent for b in self.blobs)

    def table(self) -> str:
        rows = [f"{b.action:8} {b.digest[:19]}  {b.size:>12,} B  sent {b.sent:>12,} B  {b.what}" for b in self.blobs]
        counts = {a: sum(1 for b in self.blobs if b.action == a) for a in ("present", "mounted", "uploaded")}
        rows.append(f"total: {len(self.blobs)} blobs ({counts['present']} present, {counts['mounted']} mounted, "
                    f"{counts['uploaded']} uploaded), {self.bytes_sent:,} bytes sent")
        if self.built is not None:
            rows.append(f"layers built by this push: {len(self.built)}")
        rows.append(f"pushed {self.reference}@{self.manifest_digest}")
        return "\n".join(rows)


def _choose_blob(layer: PushLayer, compression: str, blobmap: BlobMap) -> tuple[CompressedBlob | None, Callable[[], BinaryIO] | None]:
    """The compressed blob to push for ``layer``, if known without compressing, and its opener."""
    if layer.blob and (layer.blob[2] == compression or layer.open_tar is None):
        digest, size, _comp, opener = layer.blob
        return CompressedBlob(digest, size), opener
    if compression == "none":
        size = -1 if layer.size is None else layer.size
        return None if layer.open_tar is None else CompressedBlob(layer.diff_id, size), layer.open_tar
    return blobmap.compressed(layer.diff_id, compression), None


class _DigestingReader:
    """Reads through to ``src`` while hashing, so a layer is checked against its diff_id in the
    same pass that compresses it."""

    def __init__(self, src: BinaryIO) -> None:
        self.src = src
        self.hash = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.src.read(n)
        self.hash.update(data)
        return data


def _compress_to_temp(layer: PushLayer, compression: str, spool: str) -> tuple[CompressedBlob, str]:
    """Compress a layer into a temporary file; its uncompressed bytes must hash to its diff_id."""
    if layer.open_tar is None:
        raise UserError(f"layer {layer.diff_id} is only available compressed in another format")
    fd, tmp = tempfile.mkstemp(prefix="blob-", dir=spool)
    try:
        with os.fdopen(fd, "wb") as out, layer.open_tar() as src:
            reader = _DigestingReader(src)
            digest, size = compress_stream(reader, out, compression)
        if "sha256:" + reader.hash.hexdigest() != layer.diff_id:
            raise UserError(f"layer {layer.diff_id} ({layer.annotation or 'layer'}) has other content "
                            f"(sha256:{reader.hash.hexdigest()}): the image is corrupt; nothing was pushed for it")
    except BaseException:
        os.unlink(tmp)
        raise
    return CompressedBlob(digest, size), tmp


def push_image(image: PushImage, ref: Reference, client: RegistryClient, *, compression: str = "gzip",
               manifest_format: str = "docker", blobmap: BlobMap | None = None, chunk_size: int | None = None,
               progress: Callable[[int], None] | None = None, workers: int = 3) -> PushReport:
    """Push ``image`` to ``ref``; returns a per-blob report. Raises :class:`RegistryError` on failure."""
    if manifest_format not in ("docker", "oci"):
        raise UserError(f"--manifest-format: '{manifest_format}' is not one of docker, oci")
    if manifest_format == "docker" and compression == "zstd":
        raise UserError("--compress zstd needs --manifest-format oci (Docker's schema 2 has no zstd layers)")
    blobmap = blobmap or BlobMap()
    report = PushReport(str(ref))
    client.ping()
    layer_types = DOCKER_LAYER if manifest_format == "docker" else OCI_LAYER

    def ensure(blob: CompressedBlob | None, opener: Callable[[], BinaryIO] | None,
               make: Callable[[], tuple[CompressedBlob, str]] | None, what: str) -> tuple[CompressedBlob, BlobReport]:
        """Make sure the registry has the blob: HEAD, else mount, else upload (compressing if needed)."""
        tmp = None
        try:
            if blob is None and make is not None:
                blob, tmp = make()
                opener = lambda: open(tmp, "rb")  # noqa: E731
            assert blob is not None
            if blob.size < 0:  # uncompressed layer: its size is only known by reading it
                with opener() as f:  # type: ignore[misc]
                    blob = CompressedBlob(blob.digest, f.seek(0, io.SEEK_END))
            if client.blob_size(ref.repository, blob.digest) is not None:
                row = BlobReport(blob.digest, blob.size, "present", 0, what)
            elif any(client.mount_blob(ref.repository, blob.digest, other)
                     for other in blobmap.repos_with(ref.registry, blob.digest) if other != ref.repository):
                row = BlobReport(blob.digest, blob.size, "mounted", 0, what)
            else:
                if opener is None:
                    assert make is not None
                    blob, tmp = make()
                    opener = lambda: open(tmp, "rb")  # noqa: E731
                sent = client.upload_blob(ref.repository, blob.digest, blob.size, opener, chunk_size=chunk_size,
                                          progress=progress)
                row = BlobReport(blob.digest, blob.size, "uploaded", sent, what)
            blobmap.remember_repo(ref.registry, blob.digest, ref.repository)
            return blob, row
        finally:
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)

    def push_layer(layer: PushLayer) -> tuple[dict, BlobReport]:
        known, opener = _choose_blob(layer, compression, blobmap)
        use = compression if not (layer.blob and layer.open_tar is None) else layer.blob[2]
        make = None if compression == "none" or (layer.blob and layer.blob[2] == compression) else \
            (lambda: _compress_to_temp(layer, compression, spool))
        blob, row = ensure(known, opener, make, layer.annotation)
        if use != "none" and blob.digest != layer.diff_id:
            blobmap.remember_compressed(layer.diff_id, use, blob)
        return {"mediaType": layer_types[use], "size": blob.size, "digest": blob.digest}, row

    # Layers are independent: compress and upload a few at once (zlib/zstd and sockets release
    # the GIL). Results are collected in layer order, so the manifest and report stay deterministic.
    spool = make_scratch(kind="push")
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(image.layers)))) as pool:
            results = list(pool.map(push_layer, image.layers))
        descriptors = [d for d, _ in results]
        report.blobs.extend(row for _, row in results)
        config_digest = "sha256:" + hashlib.sha256(image.config).hexdigest()
        report.blobs.append(ensure(CompressedBlob(config_digest, len(image.config)),
                                   lambda: io.BytesIO(image.config), None, "config")[1])
    finally:
        blobmap.save()
        remove_tree(spool)

    # Every blob is confirmed (present, mounted, or stored with the digest checked): only now
    # may a tag point at the image.
    manifest = {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST if manifest_format == "docker" else OCI_MANIFEST,
        "config": {"mediaType": DOCKER_CONFIG if manifest_format == "docker" else OCI_CONFIG,
                   "size": len(image.config), "digest": config_digest},
        "layers": descriptors,
    }
    data = json.dumps(manifest, indent=3).encode()
    report.manifest_digest = client.put_manifest(ref.repository, ref.ref if not ref.digest else ref.digest, data,
                                                 manifest["mediaType"])
    return report
