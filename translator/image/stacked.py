"""The stacked docker-archive of ``buildImage``: one new layer on top of a base image.

As nixpkgs: the base's layer files are kept (with their legacy ``json``/``VERSION`` when the base
had them), the new layer lives in ``<layerID>/`` with ``VERSION`` (``1.0``), ``json`` (the image
metadata plus ``parent`` = the base's config digest, ``id`` and ``Size``) and ``layer.tar``; the
layer id is the SHA-256 of that json before ``id`` and ``Size`` are added. ``manifest.json``
lists the base layers then the new one - this, not the parent chain, is how a stacked image
finds its base, so a layered base works as well as a stacked one - and ``repositories`` maps the
name and tag to the new layer id. diff_ids are the SHA-256 of every layer tar as written.
"""

from __future__ import annotations

import hashlib
import json

from ..spec import ImageSpec
from . import config as cfgmod
from .docker_archive import ArchiveWriter, _copy_header
from .model import ImageData, Layer
from .tags import image_tag
from .tarwriter import Entry, archive_size


def _own_config(spec: ImageSpec, base: ImageData | None) -> dict:
    return cfgmod.image_config(spec.config, base.config if base else None)


def stacked_config_bytes(spec: ImageSpec, base: ImageData | None, digests: list[str]) -> bytes:
    """The image config of a buildImage image given every layer's diff_id (hex), bottom first."""
    doc = cfgmod.stacked_config(created=spec.created, architecture=spec.architecture, os_name=spec.os,
                                config=_own_config(spec, base), diff_ids=["sha256:" + d for d in digests],
                                comments=[""] * len(digests))
    return cfgmod.dumps_compact(doc)


def stacked_archive(w: ArchiveWriter, *, spec: ImageSpec, base: ImageData | None, entries: list[Entry],
                    closure: tuple[str, ...], name: str) -> tuple[bytes, list[Layer]]:
    """Write the whole stacked archive; returns ``(config bytes, layers)``."""
    parent = base.config_digest if base else None
    meta = cfgmod.layer_json(created=spec.created, architecture=spec.architecture, os_name=spec.os,
                             config=_own_config(spec, base), parent=parent)
    layer_id = hashlib.sha256(cfgmod.dumps_compact(meta)).hexdigest()
    size = archive_size(entries)
    meta_full = dict(meta, id=layer_id, Size=size)

    layers: list[Layer] = []
    for bl in (base.layers if base else []):
        hdr = _copy_header(bl.header, bl.member, bl.blob.size, w.mtime)
        d = hdr.name.rsplit("/", 1)[0] if "/" in hdr.name else None
        if d and d + "/" not in w.names:
            w.add_dir(d)
            w.names.add(d + "/")
        for fname, data in sorted(bl.extra.items()):
            w.add_bytes(f"{d}/{fname}", data)
        w.add_member(hdr, blob=bl.blob)
        layers.append(Layer(blob=bl.blob, member=hdr.name, kind="base"))
    w.add_dir(layer_id)
    w.add_bytes(f"{layer_id}/VERSION", b"1.0")
    w.add_bytes(f"{layer_id}/json", cfgmod.dumps_compact(meta_full))
    blob = w.add_new_layer(entries, name_of=lambda _d: f"{layer_id}/layer.tar", needs_digest=False)
    layers.append(Layer(blob=blob, paths=closure, member=f"{layer_id}/layer.tar", kind="root"))

    cfg = stacked_config_bytes(spec, base, [l.blob.digest for l in layers])
    cfg_digest = hashlib.sha256(cfg).hexdigest()
    tag = image_tag(spec.tag, cfg)
    w.add_bytes(f"{cfg_digest}.json", cfg)
    manifest = [{"Config": f"{cfg_digest}.json", "RepoTags": [f"{name}:{tag}"],
                 "Layers": [l.member for l in layers]}]
    w.add_bytes("manifest.json", cfgmod.dumps_compact(manifest))
    w.add_bytes("repositories", cfgmod.dumps_compact({name: {tag: layer_id}}))
    w.close()
    return cfg, layers
