"""Build an image straight into a registry: no archive is written.

The image's layers are planned as ``nix2image build`` plans them (same spec, same plan, same
bytes), then pushed layer by layer. A store layer's tar depends only on its store paths, the
forced metadata (mtime, uid, gid, names) and, for synthetic content, the placeholder settings;
store paths never change content. So the :class:`~.cache.BlobMap` remembers, under a key of
exactly those inputs, the layer's ``diff_id`` and size: a layer pushed before is checked with
``HEAD`` and, when present, neither tarred nor compressed nor uploaded. A layer that must be
built is tarred once into the build's scratch directory (hashed while written), then compressed
and uploaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from typing import Any, Callable

from ..errors import UserError
from ..scratch import Scratch
from ..spec import ImageSpec
from ..storeinfo import LayerPlan
from .cache import BlobMap
from .client import RegistryClient
from .push import PushImage, PushLayer, PushReport, push_image
from .reference import Reference


def content_fingerprint(content: Any) -> list[str]:
    """What, besides the store paths, decides the bytes a content source gives for them."""
    marks = []
    for source in getattr(content, "sources", [content]):
        if hasattr(source, "full_size") and hasattr(source, "scale"):
            marks.append(f"placeholders:full={bool(source.full_size)}:scale={source.scale}")
    return marks


def store_layer_key(paths: tuple[str, ...], spec: ImageSpec, content: Any) -> str:
    """The cache key of a store layer: its paths, the forced tar metadata and the content mode."""
    doc = {"paths": list(paths), "mtime": spec.mtime, "uid": spec.uid, "gid": spec.gid,
           "uname": spec.uname, "gname": spec.gname, "content": content_fingerprint(content)}
    return "layer:" + hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def encode_to_file(entries: Any, work: str, compression: str) -> tuple[Any, str]:
    """Tar, compress and hash a layer in one pass into a new file of ``work``."""
    from ..image.compress import encode_layer

    fd, path = tempfile.mkstemp(prefix="layer-", suffix=".blob", dir=work)
    with os.fdopen(fd, "wb") as f:
        enc = encode_layer(entries, f, compression)
    return enc, path


def push_spec(spec: ImageSpec, plan: LayerPlan | None, content: Any, ref: Reference, client: RegistryClient, *,
              compression: str = "gzip", manifest_format: str = "docker", blobmap: BlobMap | None = None,
              strategy: str | None = None, chunk_size: int | None = None,
              progress: Callable[[int], None] | None = None) -> tuple[PushReport, list[str]]:
    """Build ``spec`` and push it to ``ref``; returns the push report and the build's warnings."""
    from ..image import build as imgbuild
    from ..image.docker_archive import spool_layer
    from ..image.model import Blob, Layer

    if spec.builder not in imgbuild.LAYERED + imgbuild.STACKED:
        raise UserError(f"{spec.builder} images cannot be pushed straight to a registry; "
                        "build them to an archive with 'nix2image build', then push the archive")
    imgbuild.check_spec(spec)
    blobmap = blobmap or BlobMap()
    with Scratch(kind="push") as work:
        base = imgbuild.resolve_base(spec, content, work)
        new, warnings = imgbuild.new_layers(spec, plan, content, base, work, strategy)

        push_layers: list[PushLayer] = []
        model: list[Layer] = []
        built: list[str] = []  # diff_ids of the layers tarred in this run
        for bl in base.layers if base else []:
            push_layers.append(PushLayer("sha256:" + bl.blob.digest, bl.blob.window,
                                         size=bl.blob.size, annotation="base layer"))
            model.append(Layer(blob=bl.blob, comment=f"store paths: {[bl.member]!r}", kind="base"))
        for n in new:
            key = store_layer_key(n.paths, spec, content) if n.kind == "store" else None
            known = blobmap.layer(key) if key else None
            what = f"{len(n.paths)} store path(s)" if n.paths else n.kind
            if known is not None:
                diff_id, size = known

                def build_later(n=n, diff_id=diff_id) -> Any:
                    blob = spool_layer(n.entries, work)
                    built.append(diff_id)
                    if "sha256:" + blob.digest != diff_id:
                        raise UserError(f"layer of {n.paths[0]} … changed since it was cached ({diff_id}); "
                                        f"remove the blob map ({blobmap.path}) and push again")
                    return blob.window()

                push_layers.append(PushLayer(diff_id, build_later, size=size, annotation=what))
                model.append(Layer(blob=Blob(diff_id.split(":")[1], size, ""), comment=n.comment, paths=n.paths, kind=n.kind))
            elif compression != "none":
                # one pass: tarred, compressed and hashed (diff_id and blob digest) into one file
                enc, path = encode_to_file(n.entries, work, compression)
                diff_id = "sha256:" + enc.diff_id
                built.append(diff_id)
                if key:
                    blobmap.remember_layer(key, diff_id, enc.raw_size)
                push_layers.append(PushLayer(diff_id, None, blob=("sha256:" + enc.digest, enc.size, compression,
                                                                  lambda path=path: open(path, "rb")),
                                             size=enc.raw_size, annotation=what))
                model.append(Layer(blob=Blob(enc.diff_id, enc.raw_size, ""), comment=n.comment, paths=n.paths,
                                   kind=n.kind))
            else:
                blob = spool_layer(n.entries, work)
                built.append("sha256:" + blob.digest)
                if key:
                    blobmap.remember_layer(key, "sha256:" + blob.digest, blob.size)
                push_layers.append(PushLayer("sha256:" + blob.digest, blob.window,
                                             size=blob.size, annotation=what))
                model.append(Layer(blob=blob, comment=n.comment, paths=n.paths, kind=n.kind))
        config = imgbuild.config_bytes(spec, base, model)
        if not ref.explicit_tag and not ref.digest:
            from ..image.tags import image_tag

            ref = Reference(ref.registry, ref.repository, image_tag(spec.tag, config))
        report = push_image(PushImage(config, push_layers), ref, client, compression=compression,
                            manifest_format=manifest_format, blobmap=blobmap, chunk_size=chunk_size, progress=progress)
        report.built = built
        return report, warnings
