"""Opening untrusted image archives (``fromImage``, ``inspect``, ``mergeImages`` inputs).

nix2image never extracts an input archive to disk by member name: members are read in place by
offset. Still, an archive whose outer members are named ``../x`` or ``/etc/x``, link outside
the archive, or are device files is not an image any tool should accept, so it is rejected here
with a clear error before anything else happens. Compressed archives (gzip, zstd) are
decompressed into the build's own scratch directory; a truncated or corrupt stream is an error.
"""

from __future__ import annotations

import gzip
import os
import posixpath
import tarfile
import zlib

from ..errors import UserError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def compression_of(path: str) -> str:
    """``gzip``, ``zstd`` or ``none``, from the file's first bytes (not its name)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head == ZSTD_MAGIC:
        return "zstd"
    return "none"


def decompress_to(src: str, dst: str, what: str) -> None:
    """Decompress ``src`` (gzip or zstd, by magic) into the new file ``dst``."""
    kind = compression_of(src)
    try:
        with open(src, "rb") as fin, open(dst, "wb") as fout:
            if kind == "gzip":
                with gzip.GzipFile(fileobj=fin) as g:
                    while True:
                        b = g.read(1 << 20)
                        if not b:
                            break
                        fout.write(b)
            elif kind == "zstd":
                import zstandard

                dctx = zstandard.ZstdDecompressor()
                reader = dctx.stream_reader(fin, read_across_frames=True)
                got_any = False
                while True:
                    b = reader.read(1 << 20)
                    if not b:
                        break
                    got_any = True
                    fout.write(b)
                _check_zstd_complete(src)
                if not got_any:
                    raise UserError(f"{what} {src}: empty zstd stream")
            else:
                raise ValueError(kind)
    except (EOFError, OSError, zlib.error, gzip.BadGzipFile) as err:
        raise UserError(f"{what} {src}: corrupt or truncated {kind} data ({err})") from err
    except Exception as err:  # zstandard.ZstdError
        if type(err).__name__ == "ZstdError":
            raise UserError(f"{what} {src}: corrupt or truncated zstd data ({err})") from err
        raise


def _check_zstd_complete(path: str) -> None:
    """zstandard's stream reader stops quietly at a truncated frame; decode frame by frame to tell."""
    import zstandard

    with open(path, "rb") as f:
        dctx = zstandard.ZstdDecompressor()
        obj = dctx.decompressobj()
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            obj.decompress(b)
            while obj.eof and obj.unused_data:
                rest = obj.unused_data
                obj = dctx.decompressobj()
                obj.decompress(rest)
        if not obj.eof:
            raise EOFError("the zstd stream ends in the middle of a frame")


def compression_of_blob(blob) -> str:
    """Compression of a layer blob, from its first bytes."""
    with blob.open() as f:
        head = f.read(min(4, blob.size))
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head == ZSTD_MAGIC:
        return "zstd"
    return "none"


def plain_tar(path: str, workdir: str, what: str = "image archive") -> str:
    """The path of an uncompressed tar with the content of ``path`` (decompressed into ``workdir``)."""
    if not os.path.exists(path):
        raise UserError(f"{what} {path} does not exist")
    if compression_of(path) == "none":
        return path
    fd_name = os.path.join(workdir, "input-%d.tar" % len(os.listdir(workdir)))
    decompress_to(path, fd_name, what)
    return fd_name


def norm_member(name: str) -> str:
    """Member name without a leading ``./`` (and the trailing ``/`` of directories)."""
    while name.startswith("./"):
        name = name[2:]
    return name.rstrip("/") if name not in ("", "/") else name


def check_member(ti: tarfile.TarInfo, archive: str) -> None:
    """Reject an outer archive member that could write or point outside the archive."""
    name = ti.name
    parts = name.split("/")
    if name.startswith("/") or ".." in parts:
        raise UserError(f"unsafe image archive {archive}: member {name!r} points outside the archive "
                        "(absolute name or '..'); refusing to read it")
    if ti.ischr() or ti.isblk() or ti.isfifo() or ti.isdev():
        raise UserError(f"unsafe image archive {archive}: member {name!r} is a device or fifo, "
                        "which an image archive never contains")
    if ti.issym() or ti.islnk():
        target = ti.linkname
        if ti.issym():
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(norm_member(name)), target))
        else:
            resolved = posixpath.normpath(target)
        if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
            raise UserError(f"unsafe image archive {archive}: link {name!r} -> {target!r} points outside "
                            "the archive; refusing to read it")


def safe_ref(ref: str, archive: str, what: str) -> str:
    """A member path named inside the archive's JSON (manifest ``Layers``, ``Config``), checked."""
    if not isinstance(ref, str) or not ref:
        raise UserError(f"image archive {archive}: {what} is not a file name: {ref!r}")
    parts = ref.split("/")
    if ref.startswith("/") or ".." in parts:
        raise UserError(f"unsafe image archive {archive}: {what} {ref!r} points outside the archive")
    return norm_member(ref)


def open_members(path: str, archive: str) -> tuple[tarfile.TarFile, dict[str, tarfile.TarInfo]]:
    """Open a plain tar, check every member, and map normalised names to members."""
    try:
        tf = tarfile.open(path, "r:")
        members = tf.getmembers()
    except (tarfile.TarError, EOFError, OSError, ValueError, OverflowError) as err:  # huge header numbers
        raise UserError(f"{archive} is not a readable tar archive ({err})") from err
    size = os.path.getsize(path)
    # tarfile stops quietly at the first bad header after the first member: what follows the last
    # member must be the end-of-archive zero blocks (or nothing), else the data is damaged.
    with open(path, "rb") as f:
        f.seek(tf.offset)
        tail = f.read(1024)
    if any(tail):
        raise UserError(f"{archive} is corrupt: unreadable tar data at byte {tf.offset}")
    out: dict[str, tarfile.TarInfo] = {}
    for ti in members:
        if ti.isreg() and ti.offset_data + ti.size > size:
            raise UserError(f"{archive} is truncated: member {ti.name} ends past the end of the file")
        check_member(ti, archive)
        out[norm_member(ti.name)] = ti
    return tf, out


def read_member(tf: tarfile.TarFile, ti: tarfile.TarInfo, archive: str, limit: int = 64 << 20) -> bytes:
    """The bytes of a small regular member (JSON files)."""
    if not ti.isreg():
        raise UserError(f"image archive {archive}: {ti.name} is not a regular file")
    if ti.size > limit:
        raise UserError(f"image archive {archive}: {ti.name} is implausibly large ({ti.size} bytes)")
    f = tf.extractfile(ti)
    assert f is not None
    data = f.read()
    if len(data) != ti.size:
        raise UserError(f"image archive {archive}: {ti.name} is truncated")
    return data
