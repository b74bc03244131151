"""``exportImage``: the flattened root filesystem of an image as one plain tar.

Layers are applied bottom first, as a container runtime would: a later entry replaces an
earlier one of the same name (a non-directory replacing a directory removes what was under
it), ``.wh.NAME`` removes ``NAME`` and everything under it, and ``.wh..wh..opq`` hides what
lower layers had in that directory. The result is written in pathlib order with the layers'
own headers (modes, owners, times), names relative without ``./``.
"""

from __future__ import annotations

import tarfile

from ..errors import UsageError, UserError
from .model import ImageData
from .outcome import BuildResult
from .subfile import SubFile
from .tarwriter import Entry, HashingSink, write_tar

WH = ".wh."
OPAQUE = ".wh..wh..opq"


def _norm(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    name = name.strip("/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UserError(f"layer entry {name!r} climbs out of the root with '..'")
    return "/".join(parts)


def flatten(img: ImageData) -> list[tuple[str, tarfile.TarInfo, int, int, str]]:
    """``(name, header, layer index, data offset, blob path)`` of the final tree, sorted."""
    tree: dict[str, tuple[tarfile.TarInfo, int, int, str]] = {}

    def drop_under(prefix: str, keep_self: bool) -> None:
        for k in [k for k in tree if k.startswith(prefix + "/") or (not keep_self and k == prefix)]:
            del tree[k]

    for i, layer in enumerate(img.layers):
        f = SubFile(layer.blob.path, layer.blob.offset, layer.blob.size)
        try:
            with tarfile.open(fileobj=f, mode="r:") as tf:
                for ti in tf:
                    name = _norm(ti.name)
                    if not name:
                        continue
                    base = name.rsplit("/", 1)[-1]
                    parent = name.rsplit("/", 1)[0] if "/" in name else ""
                    if base == OPAQUE:
                        for k in [k for k in tree if parent == "" or k.startswith(parent + "/")]:
                            if tree[k][1] < i:
                                del tree[k]
                        continue
                    if base.startswith(WH):
                        target = (parent + "/" if parent else "") + base[len(WH):]
                        drop_under(target, keep_self=False)
                        continue
                    old = tree.get(name)
                    if old is not None and old[0].isdir() and not ti.isdir():
                        drop_under(name, keep_self=True)
                    tree[name] = (ti, i, layer.blob.offset + ti.offset_data, layer.blob.path)
        except tarfile.TarError as err:
            raise UserError(f"layer {i + 1} of the image is not a readable tar ({err})") from err
        finally:
            f.close()
    return [(k, *tree[k]) for k in sorted(tree, key=lambda s: s.split("/"))]


def export_entries(img: ImageData) -> list[Entry]:
    out = []
    for name, ti, _i, off, path in flatten(img):
        new = tarfile.TarInfo(name)
        for attr in ("mode", "uid", "gid", "uname", "gname", "mtime", "type", "linkname", "devmajor", "devminor"):
            setattr(new, attr, getattr(ti, attr))
        if ti.islnk():
            new.linkname = _norm(ti.linkname)
        new.pax_headers = {k: v for k, v in ti.pax_headers.items() if k.startswith("SCHILY.xattr.")}
        if ti.isreg():
            new.size = ti.size
            out.append(Entry(new, source=path, offset=off))
        else:
            out.append(Entry(new))
    return out


def export_image(spec, base, out, opts) -> BuildResult:
    """Write the flattened root filesystem of ``spec.from_image`` to ``out``; ``base()`` reads
    that image (the caller knows how to build or load it)."""
    if opts.format != "docker-archive":
        raise UsageError("error: exportImage writes a plain root filesystem tar; --format does not apply")
    img = base()
    if img is None:
        raise UserError(f"exportImage of {spec.name!r} has no fromImage")
    sink = HashingSink(out)
    write_tar(export_entries(img), sink)
    digest = sink.hexdigest()
    return BuildResult(output="", format="rootfs-tar", repo_tag="", config_digest=digest)
