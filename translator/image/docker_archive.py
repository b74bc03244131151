"""docker-archive (``docker save`` format): reading both forms, writing layered and stacked.

Forms:

* **manifest** - ``manifest.json`` lists, per image, its ``Config`` file, ``RepoTags`` and the
  ``Layers`` tar files bottom first (what podman, skopeo and modern Docker read).
* **parents** - the legacy form: ``repositories`` maps name -> tag -> top layer id, and each
  ``<id>/json`` names its ``parent``; the chain gives the layers. Old archives have no
  ``manifest.json`` or one that does not list the wanted image.

Layered output (buildLayeredImage): ``<sha256>/layer.tar`` members, ``<config sha256>.json`` then
``manifest.json``, no directory entries, no ``repositories`` (as nixpkgs' script). Stacked
output (buildImage): base layer members, ``<layerID>/{VERSION,json,layer.tar}`` for the new
layer (``json.parent`` = the base's config digest, as nixpkgs), config, ``manifest.json`` listing
base layers then the new one, and ``repositories``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tarfile
import tempfile
import threading
from dataclasses import dataclass

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, BinaryIO, Callable

from ..errors import UserError
from . import safety
from .model import Blob, ImageData, Layer
from .tarwriter import (Entry, HashingSink, archive_size, copy_fileobj, file_info, header_bytes, padded,
                        write_end, write_tar)


# --- reading ---------------------------------------------------------------------------------

def _json(data: bytes, archive: str, what: str) -> Any:
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"image archive {archive}: {what} is not valid JSON ({err})") from err


def _strs(value: Any, archive: str, what: str) -> list[str]:
    """A JSON list of strings (absent or null: empty), or a clear error naming the field."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(f"image archive {archive}: {what} is not a list of strings")
    return value


def _list(value: Any, archive: str, what: str) -> list:
    """A JSON list (absent or null: empty), or a clear error naming the field."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise UserError(f"image archive {archive}: {what} is not a list")
    return value


def _obj(value: Any, archive: str, what: str) -> dict:
    """A JSON object (absent or null: empty), or a clear error naming the field."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UserError(f"image archive {archive}: {what} is not a JSON object")
    return value


def _blob_of(tar_path: str, ti: tarfile.TarInfo, archive: str, digest: str | None = None) -> Blob:
    """A member's bytes in place; hashes them when ``digest`` is not known (legacy archives)."""
    if not ti.isreg():
        raise UserError(f"image archive {archive}: layer {ti.name} is not a regular file")
    if ti.offset_data + ti.size > os.path.getsize(tar_path):
        raise UserError(f"image archive {archive}: layer {ti.name} is truncated")
    blob = Blob(digest or "", ti.size, tar_path, ti.offset_data)
    if digest is None:
        h = hashlib.sha256()
        with blob.open() as f:
            remaining = ti.size
            while remaining:
                b = f.read(min(1 << 20, remaining))
                h.update(b)
                remaining -= len(b)
        blob.digest = h.hexdigest()
    return blob


def _tag_matches(repo_tags: list[str], name: str | None, tag: str | None) -> bool:
    if not name and not tag:
        return True
    want = f"{name}:{tag}" if name and tag else (name or tag or "")
    if name and tag:
        return want in repo_tags
    if name:
        return any(rt.rsplit(":", 1)[0] == name for rt in repo_tags)
    return any(rt.rsplit(":", 1)[-1] == tag for rt in repo_tags)


def read_docker_archive(path: str, workdir: str, name: str | None = None, tag: str | None = None,
                        verify: bool = True) -> ImageData:
    """Read the image ``name:tag`` (or the first one) of a docker-archive in either form.

    As nixpkgs' buildImage does, ``fromImageName``/``fromImageTag`` select the manifest entry
    whose ``RepoTags`` hold ``name:tag``; without them the first entry is used. Layers are
    referenced in place (after decompression for ``.tar.gz``/``.tar.zst``).
    """
    plain = safety.plain_tar(path, workdir)
    tf, members = safety.open_members(plain, path)
    with tf:
        if "oci-layout" in members:
            from .oci_layout import read_oci_tar

            return read_oci_tar(plain, tf, members, path, workdir, name, tag)
        manifest = None
        if "manifest.json" in members:
            manifest = _json(safety.read_member(tf, members["manifest.json"], path), path, "manifest.json")
            if not isinstance(manifest, list):
                raise UserError(f"image archive {path}: manifest.json is not a list")
        repositories = None
        if "repositories" in members:
            repositories = _json(safety.read_member(tf, members["repositories"], path), path, "repositories")
            if not isinstance(repositories, dict):
                raise UserError(f"image archive {path}: repositories is not an object")

        entry = None
        if manifest:
            for e in manifest:
                if isinstance(e, dict) and _tag_matches(_strs(e.get("RepoTags"), path, "RepoTags"), name, tag):
                    entry = e
                    break
        if entry is not None:
            img = _from_manifest(plain, tf, members, entry, path, verify)
            if repositories:
                img.linking = "both"
            return img
        if repositories:
            return _from_parents(plain, tf, members, repositories, path, name, tag)
        if manifest:
            known = sorted(t for e in manifest if isinstance(e, dict) for t in _strs(e.get("RepoTags"), path, "RepoTags"))
            raise UserError(f"image archive {path} has no image {name}:{tag} (it has: {', '.join(known) or 'untagged images'})")
        raise UserError(f"{path} is not a docker-archive or OCI image: no manifest.json, repositories or oci-layout")


def _from_manifest(plain: str, tf: tarfile.TarFile, members: dict, entry: dict, archive: str,
                   verify: bool) -> ImageData:
    entry = _obj(entry, archive, "manifest.json entry")
    cfg_name = safety.safe_ref(entry.get("Config"), archive, "manifest Config")
    if cfg_name not in members:
        raise UserError(f"image archive {archive}: config {cfg_name} named in manifest.json is missing")
    cfg_bytes = safety.read_member(tf, members[cfg_name], archive)
    config = _obj(_json(cfg_bytes, archive, cfg_name), archive, cfg_name)
    diff_ids = _list(_obj(config.get("rootfs"), archive, "config rootfs").get("diff_ids"), archive, "config diff_ids")
    layer_names = [safety.safe_ref(n, archive, "manifest layer") for n in _strs(entry.get("Layers"), archive, "manifest Layers")]
    if len(diff_ids) != len(layer_names):
        raise UserError(f"image archive {archive}: config lists {len(diff_ids)} diff_ids but the manifest "
                        f"{len(layer_names)} layers")
    layers = []
    history = [h for h in (_obj(x, archive, "config history entry") for x in _list(config.get("history"), archive, "config history"))
               if not h.get("empty_layer")]
    for i, (ln, did) in enumerate(zip(layer_names, diff_ids)):
        if ln not in members:
            raise UserError(f"image archive {archive}: layer {ln} named in manifest.json is missing")
        if not isinstance(did, str) or not did.startswith("sha256:"):
            raise UserError(f"image archive {archive}: diff_id {did!r} is not a sha256 digest")
        ti = members[ln]
        # without verify the config's diff_id is taken on trust: the caller checks it later
        # (a registry push hashes each layer in the pass that compresses it)
        blob = _blob_of(plain, ti, archive, None if verify else did[7:])
        if verify and blob.digest != did[7:]:
            raise UserError(f"image archive {archive}: layer {ln} has sha256 {blob.digest}, but the config "
                            f"says {did}; the archive is corrupt")
        if verify and safety.compression_of_blob(blob) != "none":
            raise UserError(f"image archive {archive}: layer {ln} is compressed; docker-archive layers are plain tars")
        extra = _legacy_extra(tf, members, ln, archive)
        hist = history[i] if i < len(history) else {}
        layers.append(Layer(blob=blob, comment=str(hist.get("comment") or ""), member=ti.name,
                            header=ti, extra=extra, kind="base", created=hist.get("created")))
    return ImageData(config=config, config_bytes=cfg_bytes, config_digest=hashlib.sha256(cfg_bytes).hexdigest(),
                     layers=layers, repo_tags=_strs(entry.get("RepoTags"), archive, "RepoTags"), linking="manifest",
                     source=archive, history=list(config.get("history") or []))


def _legacy_extra(tf: tarfile.TarFile, members: dict, layer_member: str, archive: str) -> dict[str, bytes]:
    """The ``json`` and ``VERSION`` files next to a legacy ``<id>/layer.tar``."""
    d = os.path.dirname(layer_member)
    out = {}
    if not d:
        return out
    for fname in ("VERSION", "json"):
        key = f"{d}/{fname}"
        if key in members and members[key].isreg():
            out[fname] = safety.read_member(tf, members[key], archive)
    return out


def _from_parents(plain: str, tf: tarfile.TarFile, members: dict, repositories: dict, archive: str,
                  name: str | None, tag: str | None) -> ImageData:
    top = None
    tags = []
    for repo, tagmap in repositories.items():
        if not isinstance(tagmap, dict):
            continue
        for t, lid in tagmap.items():
            if (name is None or repo == name) and (tag is None or t == tag):
                top, tags = lid, [f"{repo}:{t}"]
                break
        if top:
            break
    if top is None:
        raise UserError(f"image archive {archive}: repositories has no image {name}:{tag}")
    chain = []
    seen = set()
    lid = top
    while lid:
        lid = safety.safe_ref(lid, archive, "layer id")
        if lid in seen:
            raise UserError(f"image archive {archive}: the layer parent chain loops at {lid}")
        seen.add(lid)
        if f"{lid}/json" not in members:
            if not chain:
                raise UserError(f"image archive {archive}: layer {lid} named in repositories is missing")
            break  # a parent outside the archive (nixpkgs points it at the base's config)
        meta = _obj(_json(safety.read_member(tf, members[f"{lid}/json"], archive), archive, f"{lid}/json"),
                    archive, f"{lid}/json")
        chain.append((lid, meta))
        lid = meta.get("parent")
    chain.reverse()
    layers = []
    for lid, meta in chain:
        key = f"{lid}/layer.tar"
        if key not in members:
            raise UserError(f"image archive {archive}: layer {key} is missing")
        ti = members[key]
        layers.append(Layer(blob=_blob_of(plain, ti, archive), member=ti.name, header=ti,
                            extra=_legacy_extra(tf, members, key, archive), kind="base"))
    top_meta = chain[-1][1]
    config = {
        "architecture": top_meta.get("architecture", "amd64"),
        "os": top_meta.get("os", "linux"),
        "config": top_meta.get("config") or {},
        "created": top_meta.get("created", "1970-01-01T00:00:01Z"),
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + l.blob.digest for l in layers]},
    }
    cfg_bytes = json.dumps(config, sort_keys=True).encode()
    return ImageData(config=config, config_bytes=cfg_bytes, config_digest=hashlib.sha256(cfg_bytes).hexdigest(),
                     layers=layers, repo_tags=tags, linking="parents", source=archive, top_layer_id=top)


# --- writing ---------------------------------------------------------------------------------

#: Layers up to this size are tarred into memory when the output is a pipe; larger ones are
#: spooled to a scratch file (tarred and hashed once, then copied) so that memory stays bounded.
MEMORY_SPOOL = 32 << 20


#: How new layer members of a layered docker-archive are named (see :func:`layered_archive`).
LAYER_NAMES = ("digest", "position")


def _free_name(stem: str, taken: set[str]) -> str:
    """``<stem>/layer.tar``, or ``<stem>-<k>/layer.tar`` if a base layer already uses that name."""
    name, k = f"{stem}/layer.tar", 0
    while name in taken:
        k += 1
        name = f"{stem}-{k}/layer.tar"
    return name


class _Aborted(Exception):
    """The archive being written failed; a layer prepared ahead is no longer wanted."""


class _Chunks:
    """A write-only list of byte chunks (no reallocation as it grows)."""

    def __init__(self, abort: threading.Event | None = None) -> None:
        self.parts: list[bytes] = []
        self.abort = abort

    def write(self, b) -> int:
        if self.abort is not None and self.abort.is_set():
            raise _Aborted()
        self.parts.append(bytes(b))
        return len(b)


class _Abortable:
    """Forwards writes to ``f`` until ``abort`` is set, then raises :class:`_Aborted`."""

    def __init__(self, f: BinaryIO, abort: threading.Event | None) -> None:
        self.f, self.abort = f, abort

    def write(self, b) -> int:
        if self.abort is not None and self.abort.is_set():
            raise _Aborted()
        return self.f.write(b)


class ArchiveWriter:
    """Writes an outer tar (docker-archive or OCI tar) member by member to ``out``.

    When ``out`` is seekable a new layer is tarred straight into it: a header of the right length
    is reserved, the layer written and hashed once, and the header (which names the digest)
    filled in afterwards. Otherwise (a pipe) the layer is tarred once into memory or a scratch file
    of ``spool_dir`` while it is hashed, then copied (see :meth:`add_new_layers`).
    """

    def __init__(self, out: BinaryIO, *, mtime: int, spool_dir: str, progress=None, cache=None) -> None:
        self.out = out
        self.cache = cache  # a LayerCache, or None
        self.mtime = mtime
        self.spool_dir = spool_dir
        self.progress = progress
        self.offset = 0
        self.names: set[str] = set()
        try:
            out.seek(0, os.SEEK_CUR)
            self.seekable = out.seekable()
        except (OSError, AttributeError, ValueError):
            self.seekable = False
        if self.seekable:
            self.offset = out.tell()
        self.base_offset = self.offset
        self._stores: list = []  # cache copies running in _store_pool (see _store_later)
        self._store_pool: Any = None  # a ThreadPoolExecutor once a layer is to be stored
        # what the archive holds, member by member (header bytes, sha256 of the body): two
        # archives with the same fingerprint are the same bytes (see :class:`DryArchiveWriter`)
        self.fingerprint = hashlib.sha256()

    def _note(self, header: bytes, digest: str) -> None:
        self.fingerprint.update(b"%d:" % len(header) + header + digest.encode() + b"\n")

    def _w(self, b: bytes) -> None:
        self.out.write(b)
        self.offset += len(b)

    def add_bytes(self, name: str, data: bytes, mode: int = 0o644) -> None:
        self.add_member(file_info(name, len(data), mode=mode, mtime=self.mtime), data=data)

    def add_dir(self, name: str) -> None:
        ti = tarfile.TarInfo(name)
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755
        ti.mtime = self.mtime
        self.add_member(ti)

    def add_member(self, ti: tarfile.TarInfo, data: bytes | None = None, blob: Blob | None = None) -> None:
        """Write a member whose body is ``data`` or a :class:`Blob` (copied, not re-hashed)."""
        if ti.name in self.names:
            return  # repeated base layers: one member, referenced several times
        if blob is not None and ti.size != blob.size:
            raise AssertionError(f"header size {ti.size} != blob size {blob.size} for {ti.name}")
        self.names.add(ti.name)
        hdr = header_bytes(ti)
        self._w(hdr)
        self._note(hdr, hashlib.sha256(data).hexdigest() if data is not None else blob.digest if blob is not None else "")
        if data is not None:
            self._w(data)
            n = len(data)
        elif blob is not None:
            self._copy_blob(blob)
            n = blob.size
        else:
            n = 0
        pad = padded(n) - n
        if pad:
            self._w(b"\0" * pad)

    def _copy_blob(self, blob: Blob) -> None:
        with open(blob.path, "rb") as src:
            if self.seekable and hasattr(os, "copy_file_range"):
                self.out.flush()
                done = 0
                while done < blob.size:
                    try:
                        n = os.copy_file_range(src.fileno(), self.out.fileno(), blob.size - done,
                                               blob.offset + done, self.offset + done)
                    except OSError:
                        n = 0
                    if n == 0:
                        break
                    done += n
                if done:
                    self.out.seek(self.offset + done)
                if done < blob.size:
                    src.seek(blob.offset + done)
                    copy_fileobj(src, self.out, blob.size - done)
                self.offset += blob.size
            else:
                self._send(src, blob.offset, blob.size)

        if self.progress:
            self.progress(blob.size)

    def write(self, b: bytes) -> int:  # sink protocol for copy_fileobj
        self._w(b)
        return len(b)

    def add_new_layer(self, entries, name_of=lambda d: f"{d}/layer.tar",
                      mode: int = 0o644, uname: str = "", needs_digest: bool = True) -> Blob:
        """Tar ``entries`` into a member named ``name_of(digest)``, hashing once; returns its blob."""
        return self.add_new_layers([NewMember(entries, name_of, mode, uname, needs_digest=needs_digest)])[0]

    def add_new_layers(self, members: list["NewMember"]) -> list[Blob]:
        """Tar each of ``members`` into the archive in order, each read, tarred and hashed once.

        A member found in the layer cache (``member.key`` and ``cache``) is copied from it
        (in-kernel) instead; a member tarred here is also stored there.

        Seekable output: straight into the file (see :meth:`_layer_in_place`). A pipe, when the
        member's name does not depend on its digest (``needs_digest=False``: layers named by
        position, buildImage's ``<layerID>/layer.tar``): its size is known from the file metadata,
        so the header goes first and the layer streams out as it is tarred. Otherwise each layer is
        first *prepared* - tarred and hashed into memory (up to :data:`MEMORY_SPOOL`) or into a
        scratch file (the cache entry itself when caching) - and then emitted; a helper thread
        prepares layer i+1 while layer i is copied out. At most two layers are held at once and
        scratch files are deleted once copied: memory stays flat.
        """
        if self.seekable:
            try:
                blobs = [self._layer_in_place(m) for m in members]
            except BaseException:
                self._stores_done(raise_errors=False)
                raise
            self._stores_done()
            return blobs
        if not any(m.needs_digest for m in members):
            return [self._layer_streamed(m) for m in members]
        blobs: list[Blob] = []
        abort = threading.Event()
        from concurrent.futures import ThreadPoolExecutor  # (with logging: 3 ms of a warm rebuild's start)

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nix2image-tar") as pool:
            pending = [pool.submit(self._prepare, m, abort) for m in members[:1]]
            try:
                for i, m in enumerate(members):
                    prepared = pending.pop(0).result()
                    if i + 1 < len(members):
                        pending.append(pool.submit(self._prepare, members[i + 1], abort))
                    blobs.append(self._emit(m, prepared))
            finally:
                if pending:  # an error (e.g. the reader went away): stop the helper, drop its file
                    abort.set()
                for f in pending:
                    if not f.cancel():
                        try:
                            f.result().discard()
                        except BaseException:
                            pass
        return blobs

    def _store_later(self, key: str, offset: int, size: int, digest: str) -> None:
        """Copy a layer just tarred into the output (``size`` bytes at ``offset``) into the layer
        cache in a helper thread: ``copy_file_range`` releases the GIL, so the in-kernel copy of
        layer i runs while layer i+1 is tarred. The bytes are final; the copies read them by
        offset and never move the output's file position."""
        if self._store_pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._store_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nix2image-cache")
        fd = self.out.fileno()
        self._stores.append(self._store_pool.submit(self.cache.put_range, key, fd, offset, size, digest=digest))

    def _stores_done(self, raise_errors: bool = True) -> None:
        """Wait for the cache copies of :meth:`_store_later`; the first error is raised."""
        pending, self._stores = self._stores, []
        err = None
        for f in pending:
            try:
                f.result()
            except BaseException as e:  # noqa: BLE001 - re-raised below
                err = err or e
        if self._store_pool is not None:
            self._store_pool.shutdown()
            self._store_pool = None
        if err is not None and raise_errors:
            raise err

    def _cached(self, m: "NewMember"):
        return self.cache.get(m.key) if (self.cache is not None and m.key) else None

    def _from_cache(self, m: "NewMember", hit) -> Blob:
        """Write a cached layer: header (the digest is known) and the body copied from the cache."""
        try:
            info = m.info(hit.diff_id, hit.size, self.mtime)
            m.written_name = info.name
            if info.name not in self.names:
                self.names.add(info.name)
                hdr = header_bytes(info)
                self._w(hdr)
                self._note(hdr, hit.diff_id)
                start = self.offset
                self._copy_blob(Blob(hit.diff_id, hit.size, hit.path, 0))
                pad = padded(hit.size) - hit.size
                if pad:
                    self._w(b"\0" * pad)
                return Blob(hit.diff_id, hit.size, "", start)
            return Blob(hit.diff_id, hit.size, "", 0)
        finally:
            hit.close()

    def _layer_streamed(self, m: "NewMember") -> Blob:
        """A pipe, name known in advance: header from the metadata, then the tar as it is made."""
        hit = self._cached(m)
        if hit is not None:
            return self._from_cache(m, hit)
        entries = m.get_entries()
        size = archive_size(entries)
        info = m.info("", size, self.mtime)
        m.written_name = info.name
        if info.name in self.names:
            raise AssertionError(f"duplicate archive member {info.name}")
        self.names.add(info.name)
        self._w(header_bytes(info))
        pending = self.cache.new_file(m.key) if (self.cache is not None and m.key) else None
        try:
            sink = HashingSink(_Tee(self, pending) if pending is not None else self, expected=size)
            n = write_tar(entries, sink, self.progress)
            digest = sink.hexdigest()
            if n != size:
                raise UserError("a file changed size while its layer was being written; retry the build")
            if pending is not None:
                pending.commit(digest, digest, n, n)
                pending = None
        finally:
            if pending is not None:
                pending.discard()
        self._note(header_bytes(info), digest)
        return Blob(digest, size, "", 0)

    def _layer_in_place(self, m: "NewMember") -> Blob:
        """Seekable output: reserve the header, tar and hash the body in place, fill the header in."""
        hit = self._cached(m)
        if hit is not None:
            return self._from_cache(m, hit)
        entries = m.get_entries()
        size = archive_size(entries)
        placeholder = m.info("0" * 64, size, self.mtime)
        hlen = len(header_bytes(placeholder))
        start = self.offset
        self._w(b"\0" * hlen)
        body_start = self.offset
        sink = HashingSink(self.out, expected=size)
        n = write_tar(entries, sink, self.progress)
        digest = sink.hexdigest()
        self.offset += n
        if n != size:
            raise UserError("a file changed size while its layer was being written; retry the build")
        end = self.offset
        placeholder.name = m.name_of(digest)
        m.written_name = placeholder.name
        if self.cache is not None and m.key:
            self.out.flush()
            self._store_later(m.key, body_start, n, digest)  # one helper thread stores, in order
            if placeholder.name in self.names:  # its bytes are cut off below: wait for the copy
                self._stores_done()
        if placeholder.name in self.names:
            # the same layer is already in the archive (e.g. shared with the base): drop the copy
            self.out.seek(start)
            self.out.truncate()
            self.offset = start
            return Blob(digest, size, "", 0)
        hdr = header_bytes(placeholder)
        assert len(hdr) == hlen
        self._note(hdr, digest)
        self.out.seek(start)
        self.out.write(hdr)
        self.out.seek(end)
        self.names.add(placeholder.name)
        return Blob(digest, size, "", body_start)  # path filled by the caller once the file is final

    def _prepare(self, m: "NewMember", abort: threading.Event | None = None) -> "_Prepared":
        """Tar and hash ``m`` once, into memory (small layers) or a scratch file - the layer
        cache's new entry when caching (runs in the helper thread; stops once ``abort`` is set)."""
        hit = self._cached(m)
        if hit is not None:
            return _Prepared(hit.diff_id, hit.size, path=hit.path, hit=hit)
        entries = m.get_entries()
        size = archive_size(entries)
        caching = self.cache is not None and bool(m.key)
        if size <= MEMORY_SPOOL and not caching:
            chunks = _Chunks(abort)
            sink = HashingSink(chunks, expected=size)
            n = write_tar(entries, sink, self.progress)
            prepared = _Prepared(sink.hexdigest(), n, chunks=chunks.parts)
        elif caching:
            pending = self.cache.new_file(m.key)
            try:
                sink = HashingSink(_Abortable(pending, abort), expected=size)
                n = write_tar(entries, sink, self.progress)
                digest = sink.hexdigest()
                if n != size:
                    raise UserError("a file changed size while its layer was being written; retry the build")
                pending.commit(digest, digest, n, n)
            except BaseException:
                pending.discard()
                raise
            hit = self.cache.get(m.key)
            if hit is None:  # evicted at once (a cache smaller than the layer): read it back is impossible
                raise UserError(f"the layer cache ({self.cache.root}) is too small to hold a {n}-byte layer; "
                                "raise NIX2IMAGE_LAYER_CACHE_SIZE or use --no-cache")
            prepared = _Prepared(digest, n, path=hit.path, hit=hit)
        else:
            fd, path = tempfile.mkstemp(prefix=".spool-", suffix=".layer", dir=self.spool_dir)
            try:
                with os.fdopen(fd, "wb") as f:
                    sink = HashingSink(_Abortable(f, abort), expected=size)
                    n = write_tar(entries, sink, self.progress)
                    digest = sink.hexdigest()
            except BaseException:
                _unlink(path)
                raise
            prepared = _Prepared(digest, n, path=path)
        if n != size:
            prepared.discard()
            raise UserError("a file changed size while its layer was being written; retry the build")
        return prepared

    def _emit(self, m: "NewMember", p: "_Prepared") -> Blob:
        """Write a prepared layer's header and body (unless the same member is already there)."""
        try:
            info = m.info(p.digest, p.size, self.mtime)
            m.written_name = info.name
            if info.name not in self.names:
                self.names.add(info.name)
                hdr = header_bytes(info)
                self._w(hdr)
                self._note(hdr, p.digest)
                if p.chunks is not None:
                    for c in p.chunks:
                        self._w(c)
                else:
                    assert p.path is not None
                    if p.hit is not None:
                        self._send_fd(p.hit.fd, 0, p.size)
                    else:
                        with open(p.path, "rb") as src:
                            self._send(src, 0, p.size)
                pad = padded(p.size) - p.size
                if pad:
                    self._w(b"\0" * pad)
                if p.hit is not None and self.progress:
                    self.progress(p.size)
        finally:
            p.discard()
        return Blob(p.digest, p.size, "", 0)

    def _send_fd(self, fd: int, offset: int, size: int) -> None:
        with os.fdopen(os.dup(fd), "rb") as src:
            self._send(src, offset, size)

    def _send(self, src: BinaryIO, offset: int, size: int) -> None:
        """Copy ``size`` bytes of ``src`` from ``offset`` to a non-seekable ``out``: ``sendfile``
        (in-kernel, no Python buffers) when ``out`` has a descriptor, else read/write chunks."""
        done = 0
        fileno = getattr(self.out, "fileno", None)
        if fileno is not None and hasattr(os, "sendfile"):
            try:
                ofd = fileno()
                self.out.flush()
            except (OSError, ValueError, AttributeError):
                ofd = None
            while ofd is not None and done < size:
                try:
                    n = os.sendfile(ofd, src.fileno(), offset + done, min(size - done, 1 << 30))
                except OSError as err:
                    if err.errno in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF) and done == 0:
                        break  # this output does not take sendfile: copy below
                    raise
                if n == 0:
                    raise UserError("a scratch layer file shrank while it was being copied")
                done += n
        self.offset += done
        if done < size:
            src.seek(offset + done)
            copy_fileobj(src, self, size - done)

    def close(self) -> None:
        write_end(self.offset - self.base_offset, self)
        self.out.flush()


@dataclass(slots=True)
class NewMember:
    """A layer to tar into the archive: its entries (a list, or a function making them when the
    layer is not in the cache), how its outer member is named and owned, and its cache key.

    ``needs_digest`` says whether ``name_of`` uses the digest (``<sha256>/layer.tar``); a name
    known in advance lets a pipe receive the layer as it is tarred.
    """

    entries: Any
    name_of: Callable[[str], str] = lambda d: f"{d}/layer.tar"  # noqa: E731
    mode: int = 0o644
    uname: str = ""
    key: str | None = None
    needs_digest: bool = True
    written_name: str = ""

    def get_entries(self) -> list[Entry]:
        if callable(self.entries):
            self.entries = self.entries()
        return self.entries

    def info(self, digest: str, size: int, mtime: int) -> tarfile.TarInfo:
        return file_info(self.name_of(digest), size, mode=self.mode, mtime=mtime, uname=self.uname,
                         gname=self.uname)


class NotUnchanged(Exception):
    """A dry run met a store layer that is not in the layer cache: the archive must be written."""


class DryArchiveWriter(ArchiveWriter):
    """Goes through the writing of an archive without writing it, to learn its :attr:`fingerprint`
    (and config, names and digests): headers as they would be written, body digests from the
    layer cache for store layers and from tarring into nothing for layers without a cache key
    (the customisation layer). Raises :class:`NotUnchanged` at the first store layer that is not
    in the cache. Used to leave an output in place when it already holds these bytes.
    """

    def __init__(self, *, mtime: int, cache) -> None:
        super().__init__(None, mtime=mtime, spool_dir="", cache=cache)

    def _w(self, b: bytes) -> None:
        self.offset += len(b)

    def _copy_blob(self, blob: Blob) -> None:
        self.offset += blob.size

    def add_new_layers(self, members: list["NewMember"]) -> list[Blob]:
        blobs = []
        for m in members:
            hit = self._cached(m)
            if hit is not None:  # as a real build writes it (_w and _copy_blob only count here)
                blobs.append(self._from_cache(m, hit))
                continue
            if m.key:
                raise NotUnchanged(m.key)
            entries = m.get_entries()
            sink = HashingSink(None, expected=archive_size(entries))
            size = write_tar(entries, sink)
            digest = sink.hexdigest()
            info = m.info(digest, size, self.mtime)
            m.written_name = info.name
            if info.name in self.names:
                blobs.append(Blob(digest, size, "", 0))
                continue
            self.names.add(info.name)
            hdr = header_bytes(info)
            self._w(hdr)
            self._note(hdr, digest)
            blobs.append(Blob(digest, size, "", self.offset))
            self.offset += padded(size)
        return blobs

    def close(self) -> None:
        pass


class _Tee:
    """Writes to the archive and to a layer-cache entry being made."""

    def __init__(self, a, b) -> None:
        self.a, self.b = a, b

    def write(self, data) -> int:
        self.a.write(data)
        self.b.write(data)
        return len(data)


@dataclass(slots=True)
class _Prepared:
    """A layer tarred and hashed ahead of its header: bytes in memory, in a scratch file, or a
    layer-cache entry (``hit``, kept)."""

    digest: str
    size: int
    chunks: list[bytes] | None = None
    path: str | None = None
    hit: Any = None

    def discard(self) -> None:
        self.chunks = None
        if self.hit is not None:
            self.hit.close()
            self.hit = None
            self.path = None
        if self.path is not None:
            _unlink(self.path)
            self.path = None


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def spool_layer(entries: list[Entry], spool_dir: str, progress=None) -> Blob:
    """Tar ``entries`` into a new file of ``spool_dir``, hashing while writing."""
    fd, path = tempfile.mkstemp(prefix=".spool-", dir=spool_dir)
    with os.fdopen(fd, "wb") as f:
        sink = HashingSink(f)
        n = write_tar(entries, sink, progress)
        digest = sink.hexdigest()
    real = os.path.join(spool_dir, digest + ".layer")
    os.replace(path, real)
    return Blob(digest, n, real, 0)


def layered_archive(w: ArchiveWriter, *, base: ImageData | None, new_layers: list[tuple[Any, list[str], str, str, str | None]],
                    make_config, repo_tag: str | None, tag_of=None, layer_names: str = "digest"
                    ) -> tuple[bytes, bytes, list[Layer]]:
    """Write a layered docker-archive: base layers (verbatim), new layers, config, manifest.

    ``new_layers`` are ``(entries or a function making them, store paths, comment, kind, cache
    key)``; ``make_config(layers)`` returns the config bytes once every diff_id is known;
    ``tag_of(config_bytes)`` the final repo tag. ``layer_names``: ``digest`` names new layer
    members ``<sha256>/layer.tar`` as nixpkgs does; ``position`` names them ``<n>/layer.tar``
    (``n`` their index in the image, bottom 0), known before the layer is tarred, so a pipe gets
    every byte as it is made. ``manifest.json`` is written last either way.
    Returns ``(config bytes, manifest bytes, layers)``.
    """
    if layer_names not in LAYER_NAMES:
        raise ValueError(f"layer_names must be one of {LAYER_NAMES}")
    layers: list[Layer] = []
    for bl in (base.layers if base else []):
        hdr = _copy_header(bl.header, bl.member, bl.blob.size, w.mtime)
        w.add_member(hdr, blob=bl.blob)
        layers.append(Layer(blob=bl.blob, comment=f"store paths: {[hdr.name]!r}", member=hdr.name, kind="base"))
    members = []
    taken = set(w.names)
    for i, (entries, _paths, _comment, kind, key) in enumerate(new_layers):
        kw: dict[str, Any] = {"key": key}
        if layer_names == "position":
            name = _free_name(f"{len(layers) + i}", taken)
            taken.add(name)
            kw.update(name_of=lambda _d, name=name: name, needs_digest=False)
        if kind == "customisation":  # nixpkgs' customisation layer member: its layer.tar file's header (0444 root/root)
            kw.update(mode=0o444, uname="root")
        members.append(NewMember(entries, **kw))
    for blob, m, (_entries, paths, comment, _kind, _key) in zip(w.add_new_layers(members), members, new_layers):
        layers.append(Layer(blob=blob, comment=comment, paths=tuple(paths), member=m.written_name))
    cfg = make_config(layers)
    cfg_digest = hashlib.sha256(cfg).hexdigest()
    w.add_bytes(f"{cfg_digest}.json", cfg)
    rt = repo_tag if tag_of is None else tag_of(cfg)
    manifest = json.dumps([{"Config": f"{cfg_digest}.json", "RepoTags": [rt],
                            "Layers": [l.member for l in layers]}], indent=4).encode()
    w.add_bytes("manifest.json", manifest)
    w.close()
    return cfg, manifest, layers


def _copy_header(ti: tarfile.TarInfo | None, member: str | None, size: int, mtime: int = 1) -> tarfile.TarInfo:
    """The base archive's outer header for a layer, kept as is (mode, owner, mtime); a new one
    for layers that come from an OCI layout."""
    assert member is not None
    if ti is None:
        return file_info(member, size, mtime=mtime)
    new = tarfile.TarInfo(safety.norm_member(ti.name))
    new.size = ti.size
    new.mode, new.mtime, new.uid, new.gid, new.uname, new.gname = ti.mode, ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname
    return new
