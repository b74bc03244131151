"""One deterministic, streaming tar writer.

Headers are produced by CPython's own :meth:`tarfile.TarInfo.tobuf` in ``PAX_FORMAT`` (the format
nixpkgs' ``stream_layered_image.py`` uses through ``tarfile.open(mode="w|")``), so the bytes of
every header, PAX record and padding are exactly what that script writes. Bodies are copied in
large chunks; the stream is hashed as it is written (once), optionally in a second thread, so a
layer's digest costs no second pass over its contents.

The writer never looks at the filesystem for metadata: callers hand it ready :class:`Entry`
values (see :mod:`translator.image.layer`), which keeps ordering and ownership decisions in one
place and the writer a pure byte pump.
"""

from __future__ import annotations

import hashlib
import os
import queue
import tarfile
import threading
from dataclasses import dataclass
from typing import BinaryIO, Iterable

BLOCK = tarfile.BLOCKSIZE  # 512
RECORD = tarfile.RECORDSIZE  # 10240
CHUNK = 1 << 20
ENCODING = "utf-8"
ERRORS = "surrogateescape"


@dataclass(slots=True)
class Entry:
    """One tar member: its header fields (a :class:`tarfile.TarInfo`) and where its body comes from.

    ``source`` is a file to copy (regular files; from byte ``offset``), ``data`` literal bytes;
    neither for other types.
    """

    info: tarfile.TarInfo
    source: str | None = None
    data: bytes | None = None
    header: bytes | None = None
    offset: int = 0  # where the body starts in ``source`` (a file inside an archive)  # cached header bytes (computed once, see :func:`entry_header`)


def entry_header(e: Entry) -> bytes:
    """The header bytes of ``e``, computed once (sizing and writing both need them)."""
    if e.header is None:
        e.header = header_bytes(e.info)
    return e.header


def header_bytes(info: tarfile.TarInfo) -> bytes:
    """The header block(s) of ``info`` exactly as tarfile's PAX writer emits them.

    The common case (ASCII names within the ustar fields, small integer fields, no device, no
    PAX record) is encoded directly - tarfile's generic path costs tens of microseconds per
    entry, which shows on trees of many small files; anything else goes through
    :meth:`tarfile.TarInfo.tobuf` itself. Tests check both give the same bytes.
    """
    fast = _fast_header(info)
    return fast if fast is not None else info.tobuf(tarfile.PAX_FORMAT, ENCODING, ERRORS)


_MAGIC = tarfile.POSIX_MAGIC  # b"ustar\x0000"
_DEV_EMPTY = b"\0" * 16
_TYPES_FAST = frozenset((tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.FIFOTYPE))


def _fast_header(info: tarfile.TarInfo) -> bytes | None:
    if info.pax_headers or info.type not in _TYPES_FAST:
        return None
    name = info.name
    if info.type == tarfile.DIRTYPE and not name.endswith("/"):
        name += "/"
    try:
        bname = name.encode("ascii")
        blink = info.linkname.encode("ascii")
        buname = info.uname.encode("ascii")
        bgname = info.gname.encode("ascii")
    except UnicodeEncodeError:
        return None
    uid, gid, size, mtime = info.uid, info.gid, info.size, info.mtime
    if (len(bname) > 100 or len(blink) > 100 or len(buname) > 32 or len(bgname) > 32
            or type(uid) is not int or type(gid) is not int or type(size) is not int or type(mtime) is not int
            or not (0 <= uid < 0o7777777 + 1) or not (0 <= gid < 0o7777777 + 1)
            or not (0 <= size < 0o77777777777 + 1) or not (0 <= mtime < 0o77777777777 + 1)):
        return None
    buf = b"".join((
        bname.ljust(100, b"\0"),
        b"%07o\0" % (info.mode & 0o7777),
        b"%07o\0" % uid,
        b"%07o\0" % gid,
        b"%011o\0" % size,
        b"%011o\0" % mtime,
        b"        ",
        info.type,
        blink.ljust(100, b"\0"),
        _MAGIC,
        buname.ljust(32, b"\0"),
        bgname.ljust(32, b"\0"),
        _DEV_EMPTY,
        b"\0" * 167,
    ))
    chksum = sum(buf)
    return buf[:148] + b"%06o\0 " % chksum + buf[156:]


def padded(size: int) -> int:
    """``size`` rounded up to whole 512-byte blocks."""
    return (size + BLOCK - 1) // BLOCK * BLOCK


def archive_size(entries: Iterable[Entry]) -> int:
    """The exact length of the tar stream :func:`write_tar` produces for ``entries``."""
    total = 0
    for e in entries:
        total += len(entry_header(e))
        if e.info.isreg():
            total += padded(e.info.size)
    return end_padding_total(total)


def end_padding_total(offset: int) -> int:
    """Length after the two zero end blocks and record padding, given the entries' length."""
    total = offset + 2 * BLOCK
    return (total + RECORD - 1) // RECORD * RECORD


class HashingSink:
    """A write-only byte sink that forwards to ``out`` (may be None) and hashes what passes.

    Small writes (headers, small files) are gathered into 1 MiB buffers so the output and the
    hasher see few large calls. With ``threaded=True`` the SHA-256 runs in a helper thread
    (hashlib releases the GIL on large buffers), so reading/writing and hashing use both cores.
    """

    BUF = 1 << 20

    def __init__(self, out: BinaryIO | None, threaded: bool = True) -> None:
        self.out = out
        self.size = 0
        self._h = hashlib.sha256()
        self._buf = bytearray()
        self._q: queue.Queue | None = None
        self._t: threading.Thread | None = None
        self._err: BaseException | None = None
        if threaded:
            self._q = queue.Queue(maxsize=8)
            self._t = threading.Thread(target=self._run, daemon=True)
            self._t.start()

    def _run(self) -> None:
        assert self._q is not None
        while True:
            b = self._q.get()
            if b is None:
                return
            self._h.update(b)

    def _emit(self, b) -> None:
        if self.out is not None:
            self.out.write(b)
        if self._q is not None:
            self._q.put(b)
        else:
            self._h.update(b)

    def write(self, b) -> int:
        n = len(b)
        if not n:
            return 0
        self.size += n
        if n >= self.BUF:
            if self._buf:
                self._emit(bytes(self._buf))
                self._buf = bytearray()
            self._emit(b if isinstance(b, bytes) else bytes(b))
        else:
            self._buf += b
            if len(self._buf) >= self.BUF:
                self._emit(bytes(self._buf))
                self._buf = bytearray()
        return n

    def flush(self) -> None:
        """Push buffered bytes to ``out`` and the hasher."""
        if self._buf:
            self._emit(bytes(self._buf))
            self._buf = bytearray()

    def hexdigest(self) -> str:
        """Flush, finish hashing and return the hex SHA-256 of everything written."""
        self.flush()
        if self._q is not None and self._t is not None:
            self._q.put(None)
            self._t.join()
            self._q = None
        return self._h.hexdigest()

    def close(self) -> None:
        if self._q is not None:
            self.hexdigest()


def _copy_body(src: str, size: int, sink, offset: int = 0) -> None:
    """Copy exactly ``size`` bytes of file ``src`` into ``sink``; a file that changed size is an error."""
    remaining = size
    with open(src, "rb", buffering=0) as f:
        if offset:
            f.seek(offset)
        while remaining > 0:
            chunk = f.read(min(CHUNK, remaining))
            if not chunk:
                raise OSError(f"{src}: file shrank while it was being archived")
            sink.write(chunk)
            remaining -= len(chunk)
    pad = padded(size) - size
    if pad:
        sink.write(b"\0" * pad)


def write_entries(entries: Iterable[Entry], sink, progress=None) -> int:
    """Write the members (headers and bodies) of ``entries``; returns bytes written (no end blocks)."""
    written = 0
    for e in entries:
        hdr = entry_header(e)
        sink.write(hdr)
        written += len(hdr)
        if e.info.isreg() and e.info.size:
            if e.data is not None:
                sink.write(e.data)
                pad = padded(len(e.data)) - len(e.data)
                if pad:
                    sink.write(b"\0" * pad)
            elif e.source is not None:
                _copy_body(e.source, e.info.size, sink, e.offset)
            else:
                raise ValueError(f"tar entry {e.info.name!r} has a size but no body")
            written += padded(e.info.size)
            if progress is not None:
                progress(e.info.size)
    return written


def write_end(offset: int, sink) -> int:
    """Write the two zero blocks and record padding after ``offset`` bytes of members."""
    total = end_padding_total(offset)
    sink.write(b"\0" * (total - offset))
    return total


def write_tar(entries: Iterable[Entry], sink, progress=None) -> int:
    """Write a complete tar stream (members, end blocks, padding to 10240); returns its length."""
    return write_end(write_entries(entries, sink, progress), sink)


def file_info(name: str, size: int, *, mode: int = 0o644, mtime: int = 1, uid: int = 0, gid: int = 0,
              uname: str = "", gname: str = "") -> tarfile.TarInfo:
    """A regular-file header with the given fields (outer-archive members, JSON files)."""
    ti = tarfile.TarInfo(name)
    ti.size = size
    ti.mode = mode
    ti.mtime = mtime
    ti.uid, ti.gid, ti.uname, ti.gname = uid, gid, uname, gname
    return ti


def copy_fileobj(src: BinaryIO, sink, size: int) -> None:
    """Copy ``size`` bytes from an open file into ``sink`` in big chunks."""
    remaining = size
    while remaining > 0:
        chunk = src.read(min(CHUNK, remaining))
        if not chunk:
            raise OSError("unexpected end of data")
        sink.write(chunk)
        remaining -= len(chunk)


def fsync_quiet(f: BinaryIO) -> None:
    try:
        os.fsync(f.fileno())
    except OSError:
        pass
