"""What a runAsRoot script changed, as the entries of one OCI layer.

Two sources of the change set:

* :func:`upper_changes` - the upper directory of an overlay mount (kernel overlayfs or
  fuse-overlayfs): every entry in it is new or changed; a character device 0/0 (or a
  ``.wh.NAME`` file, as fuse-overlayfs writes without ``mknod``) marks a deletion; a directory
  carrying an ``opaque`` attribute (or a ``.wh..wh..opq`` file) replaced the lower one whole.
* :func:`copy_changes` - the last-resort copy mode: the tree after the script compared with the
  lower tree it started from (kind, mode, owner, size, bytes or link target).

:func:`layer_entries` turns either into tar entries in pathlib order: deletions become
``.wh.NAME`` files, opaque directories get a ``.wh..wh..opq`` file (the OCI image-spec rules),
owners and modes are kept as the script left them and every mtime is forced to the image's
(nixpkgs runs ``tar --mtime=@$SOURCE_DATE_EPOCH``), hard links are stored as regular files
(``--hard-dereference``), so two runs give the same bytes.
"""

from __future__ import annotations

import filecmp
import os
import stat
import tarfile
from dataclasses import dataclass

from ..errors import UserError
from ..image.tarwriter import Entry

WH = ".wh."
OPAQUE = ".wh..wh..opq"
_OPAQUE_XATTRS = ("trusted.overlay.opaque", "user.overlay.opaque", "user.fuseoverlayfs.opaque")


@dataclass(frozen=True, slots=True)
class Change:
    """One path of the layer: ``kind`` is ``entry`` (take ``source``), ``whiteout`` or ``opaque``
    (an entry whose directory hides everything below it in lower layers)."""

    rel: str
    kind: str
    source: str = ""


def _is_whiteout(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def _is_opaque(path: str) -> bool:
    for name in _OPAQUE_XATTRS:
        try:
            if os.getxattr(path, name, follow_symlinks=False) in (b"y", b"y\0"):
                return True
        except OSError:
            continue
    return os.path.lexists(os.path.join(path, OPAQUE))


def upper_changes(upper: str, lower: str) -> list[Change]:
    """The change set recorded in an overlay upper directory, in pathlib order.

    Whiteouts of names no lower layer has, and opaque markers on directories the lower layers do
    not have, change nothing and are left out (fuse-overlayfs writes both for directories that
    were made and removed, or made, during the run; the kernel does not)."""
    out: list[Change] = []

    def in_lower(rel: str) -> bool:
        return os.path.lexists(os.path.join(lower, rel))

    def lower_dir(rel: str) -> bool:
        p = os.path.join(lower, rel)
        return os.path.isdir(p) and not os.path.islink(p)

    def walk(d: str, prefix: str) -> None:
        for name in sorted(os.listdir(d)):
            full = os.path.join(d, name)
            rel = prefix + name
            st = os.lstat(full)
            if name == OPAQUE:
                continue
            if _is_whiteout(st):
                if in_lower(rel):
                    out.append(Change(rel, "whiteout"))
            elif name.startswith(WH) and stat.S_ISREG(st.st_mode):
                if in_lower(prefix + name[len(WH):]):
                    out.append(Change(prefix + name[len(WH):], "whiteout"))
            elif stat.S_ISDIR(st.st_mode):
                opaque = _is_opaque(full) and lower_dir(rel)
                out.append(Change(rel, "opaque" if opaque else "entry", full))
                walk(full, rel + "/")
            else:
                out.append(Change(rel, "entry", full))

    walk(upper, "")
    return out


def _same(a: str, sa: os.stat_result, b: str, sb: os.stat_result) -> bool:
    if (stat.S_IFMT(sa.st_mode) != stat.S_IFMT(sb.st_mode) or stat.S_IMODE(sa.st_mode) != stat.S_IMODE(sb.st_mode)
            or sa.st_uid != sb.st_uid or sa.st_gid != sb.st_gid):
        return False
    if stat.S_ISLNK(sa.st_mode):
        return os.readlink(a) == os.readlink(b)
    if stat.S_ISREG(sa.st_mode):
        return sa.st_size == sb.st_size and filecmp.cmp(a, b, shallow=False)
    if stat.S_ISCHR(sa.st_mode) or stat.S_ISBLK(sa.st_mode):
        return sa.st_rdev == sb.st_rdev
    return True


def copy_changes(lower: str, merged: str, forced: set[str]) -> list[Change]:
    """The change set between ``lower`` and the tree ``merged`` a script ran in; paths in
    ``forced`` (what copyToRoot put there) count as changed even when equal to the lower ones,
    as in an overlay whose upper directory held them from the start."""
    out: list[Change] = []

    def walk(lo: str | None, me: str, prefix: str) -> None:
        names = set(os.listdir(me))
        lower_names = set(os.listdir(lo)) if lo is not None else set()
        for name in sorted(names | lower_names):
            rel = prefix + name
            m = os.path.join(me, name)
            if name not in names:
                out.append(Change(rel, "whiteout"))
                continue
            sm = os.lstat(m)
            l = os.path.join(lo, name) if lo is not None and name in lower_names else None
            sl = os.lstat(l) if l is not None else None
            if stat.S_ISDIR(sm.st_mode):
                lower_dir = l if sl is not None and stat.S_ISDIR(sl.st_mode) else None
                if l is None or not _same(l, sl, m, sm) or rel in forced:
                    out.append(Change(rel, "entry", m))
                walk(lower_dir, m, rel + "/")
            elif l is None or not _same(l, sl, m, sm) or rel in forced:
                out.append(Change(rel, "entry", m))

    walk(lower, merged, "")
    return _keep_parents(out, merged)


def _keep_parents(changes: list[Change], merged: str) -> list[Change]:
    """Every change needs its parent directories in the layer, as an upper directory has them."""
    have = {c.rel for c in changes}
    extra: dict[str, None] = {}
    for c in changes:
        parts = c.rel.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            p = "/".join(parts[:i])
            if p not in have:
                extra[p] = None
    return changes + [Change(p, "entry", os.path.join(merged, p)) for p in extra]


def _header(rel: str, st: os.stat_result, src: str, mtime: int) -> Entry:
    ti = tarfile.TarInfo(rel)
    ti.mode = stat.S_IMODE(st.st_mode)
    ti.uid, ti.gid, ti.uname, ti.gname = st.st_uid, st.st_gid, "", ""
    ti.mtime = mtime
    body = None
    if stat.S_ISREG(st.st_mode):
        ti.type, ti.size, body = tarfile.REGTYPE, st.st_size, src
    elif stat.S_ISDIR(st.st_mode):
        ti.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(st.st_mode):
        ti.type, ti.linkname = tarfile.SYMTYPE, os.readlink(src)
    elif stat.S_ISFIFO(st.st_mode):
        ti.type = tarfile.FIFOTYPE
    elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        ti.type = tarfile.CHRTYPE if stat.S_ISCHR(st.st_mode) else tarfile.BLKTYPE
        ti.devmajor, ti.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    else:
        raise UserError(f"runAsRoot left {rel!r}, a socket or other file that cannot be put in a layer")
    return Entry(ti, source=body)


def _marker(rel: str, mtime: int) -> Entry:
    ti = tarfile.TarInfo(rel)
    ti.type, ti.mode, ti.mtime, ti.uname, ti.gname = tarfile.REGTYPE, 0o644, mtime, "", ""
    return Entry(ti, data=b"")


def layer_entries(changes: list[Change], mtime: int) -> list[Entry]:
    """Tar entries of the change set in pathlib order."""
    items: dict[str, list[Entry]] = {}
    for c in changes:
        parent, _, base = c.rel.rpartition("/")
        if c.kind == "whiteout":
            name = (parent + "/" if parent else "") + WH + base
            items[name] = [_marker(name, mtime)]
            continue
        st = os.lstat(c.source)
        es = [_header(c.rel, st, c.source, mtime)]
        if c.kind == "opaque":
            es.append(_marker(c.rel + "/" + OPAQUE, mtime))
        items[c.rel] = es
    out: list[Entry] = []
    for rel in sorted(items, key=lambda s: s.split("/")):
        out.extend(items[rel])
    return out
