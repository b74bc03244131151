"""Pull an image from a registry: manifest (an index picks the platform), config and layers,
every digest verified; written as an uncompressed docker-archive (what ``pullImage`` yields) or
an OCI layout, and optionally stored in the offline :class:`~.cache.PullCache`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..image.compress import open_decompressed
from ..errors import UserError
from ..scratch import make_scratch, remove_tree
from ..scratch import replace as replace_atomically
from ..image.tarwriter import Entry, file_info, write_tar
from .cache import PullCache, write_atomic
from .client import RegistryClient, RegistryError
from .reference import Reference

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")


@dataclass(slots=True)
class PulledImage:
    """What a pull fetched into ``workdir``: blobs by digest, the chosen manifest and its config."""

    reference: Reference
    requested_digest: str  # digest of what the reference names (an index for multi-platform images)
    manifest_digest: str
    manifest: bytes
    media_type: str
    config: bytes
    layer_digests: list[str]
    workdir: Path
    platform: str = ""
    diff_ids: list[str] = field(default_factory=list)

    def blob_path(self, digest: str) -> Path:
        return self.workdir / "blobs" / "sha256" / digest.split(":", 1)[1]


def parse_platform(text: str) -> tuple[str, str, str | None]:
    parts = text.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise UserError(f"--platform '{text}': expected OS/ARCH or OS/ARCH/VARIANT, e.g. linux/amd64")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None


def choose_manifest(index: dict, platform: str, what: str) -> str:
    """The digest of the manifest for ``platform`` in an image index / manifest list."""
    os_, arch, variant = parse_platform(platform)
    seen = []
    for m in index.get("manifests", []):
        p = m.get("platform") or {}
        seen.append("/".join(x for x in (p.get("os"), p.get("architecture"), p.get("variant")) if x))
        if p.get("os") == os_ and p.get("architecture") == arch and (variant is None or p.get("variant") == variant):
            return m["digest"]
    raise UserError(f"{what} has no image for platform {platform} (it has: {', '.join(seen) or 'none'}); choose one with --platform")


def fetch(ref: Reference, client: RegistryClient, workdir: Path, platform: str = "linux/amd64") -> PulledImage:
    """Fetch manifest, config and layers of ``ref`` into ``workdir/blobs/sha256``."""
    blobs = workdir / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)
    data, media_type, digest = client.get_manifest(ref.repository, ref.ref)
    requested = digest
    doc = json.loads(data)
    if media_type in INDEX_TYPES or "manifests" in doc:
        (blobs / digest.split(":")[1]).write_bytes(data)
        digest = choose_manifest(doc, platform, str(ref))
        data, media_type, got = client.get_manifest(ref.repository, digest)
        if got != digest:
            raise RegistryError(f"{ref}: manifest {digest} arrived with digest {got}")
        doc = json.loads(data)
    if doc.get("schemaVersion") != 2 or "config" not in doc:
        raise UserError(f"{ref}: unsupported manifest type {media_type or doc.get('mediaType')} (need Docker v2 schema 2 or OCI)")
    (blobs / digest.split(":")[1]).write_bytes(data)
    cfg_digest = doc["config"]["digest"]
    with open(blobs / cfg_digest.split(":")[1], "wb") as f:
        client.get_blob(ref.repository, cfg_digest, f)
    config = (blobs / cfg_digest.split(":")[1]).read_bytes()
    layers = []
    for layer in doc.get("layers", []):
        target = blobs / layer["digest"].split(":")[1]
        if not target.exists():
            with open(target, "wb") as f:
                client.get_blob(ref.repository, layer["digest"], f)
        layers.append(layer["digest"])
    diff_ids = json.loads(config).get("rootfs", {}).get("diff_ids", [])
    if len(diff_ids) != len(layers):
        raise RegistryError(f"{ref}: config lists {len(diff_ids)} diff_ids for {len(layers)} layers")
    return PulledImage(ref, requested, digest, data, media_type, config, layers, workdir, platform, diff_ids)


def _decompress_verified(blob: Path, out: Path, what: str, digest: str) -> str:
    """Decompress (by magic) ``blob`` into ``out``; returns the ``sha256:`` digest of the plain bytes."""
    h = hashlib.sha256()
    with open(blob, "rb") as raw, open(out, "wb") as dst:
        try:
            src = open_decompressed(raw)
            while chunk := src.read(1 << 20):
                h.update(chunk)
                dst.write(chunk)
        except (OSError, EOFError, ValueError) as err:
            raise RegistryError(f"{what}: layer {digest} does not decompress: {err}") from None
    return "sha256:" + h.hexdigest()


def write_docker_archive(image: PulledImage, out: Path, repo_tag: str | None) -> None:
    """An uncompressed docker-archive (manifest.json form) of a pulled image; diff_ids verified."""
    tmpdir = Path(make_scratch(str(out.parent), "pull"))
    try:
        entries: list[Entry] = []
        layer_names = []
        for digest, diff_id in zip(image.layer_digests, image.diff_ids):
            plain = tmpdir / diff_id.split(":")[1]
            if not plain.exists():
                got = _decompress_verified(image.blob_path(digest), plain, str(image.reference), digest)
                if got != diff_id:
                    raise RegistryError(f"{image.reference}: layer {digest} uncompresses to {got}, "
                                        f"but the config says {diff_id}")
            name = f"{diff_id.split(':')[1]}/layer.tar"
            if name not in layer_names:
                entries.append(Entry(file_info(name, plain.stat().st_size, mtime=0), source=str(plain)))
            layer_names.append(name)
        cfg_name = f"{hashlib.sha256(image.config).hexdigest()}.json"
        entries.append(Entry(file_info(cfg_name, len(image.config), mtime=0), data=image.config))
        manifest = json.dumps([{"Config": cfg_name, "RepoTags": [repo_tag] if repo_tag else [], "Layers": layer_names}]).encode()
        entries.append(Entry(file_info("manifest.json", len(manifest), mtime=0), data=manifest))
        tmp = tmpdir / "image.tar"
        with open(tmp, "wb") as f:
            write_tar(entries, f)
        replace_atomically(str(tmp), str(out), str(tmpdir))
    finally:
        remove_tree(str(tmpdir))


def write_oci_layout(image: PulledImage, out: Path, ref_name: str | None) -> None:
    """An OCI image layout directory holding the pulled blobs (kept compressed, as fetched)."""
    scratch = make_scratch(str(out.parent), "pull")
    tmp = Path(scratch) / "layout"
    try:
        blobs = tmp / "blobs" / "sha256"
        blobs.mkdir(parents=True)
        for digest in [image.manifest_digest, json.loads(image.manifest)["config"]["digest"], *image.layer_digests]:
            shutil.copyfile(image.blob_path(digest), blobs / digest.split(":")[1])
        (tmp / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
        desc = {"mediaType": image.media_type, "digest": image.manifest_digest, "size": len(image.manifest)}
        if ref_name:
            desc["annotations"] = {"org.opencontainers.image.ref.name": ref_name}
        (tmp / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [desc]}))
        replace_atomically(str(tmp), str(out), scratch)
    finally:
        remove_tree(scratch)


def store_in_cache(image: PulledImage, cache: PullCache, repo_tag: str | None) -> Path:
    """Put the pulled image in the offline cache under the digest the reference named (and the
    platform manifest's digest, when they differ)."""
    target = cache.entry_dir(image.requested_digest)
    target.mkdir(parents=True, exist_ok=True)
    write_docker_archive(image, target / "image.tar", repo_tag)
    meta = {"reference": str(image.reference), "digest": image.requested_digest,
            "manifestDigest": image.manifest_digest, "platform": image.platform}
    write_atomic(target / "meta.json", json.dumps(meta, indent=1, sort_keys=True).encode())
    if image.manifest_digest != image.requested_digest:
        alias = cache.entry_dir(image.manifest_digest)
        alias.mkdir(parents=True, exist_ok=True)
        if not (alias / "image.tar").exists():
            try:
                os.link(target / "image.tar", alias / "image.tar")
            except FileExistsError:  # another pull of the same image linked it first
                pass
        write_atomic(alias / "meta.json", json.dumps(meta, indent=1, sort_keys=True).encode())
    return target / "image.tar"
