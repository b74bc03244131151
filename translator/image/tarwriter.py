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

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import BinaryIO, Iterable

from ..errors import UserError

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
_TYPES_FAST = frozenset((tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.FIFOTYPE))
_MAX7 = 0o7777777
_MAX11 = 0o77777777777


class HeaderTemplate:
    """ustar header blocks for entries sharing their owner fields and mtime (a layer's forced
    metadata): the fixed fields and their share of the checksum are encoded once, so a header
    costs a few small byte strings. :meth:`header` returns None where tarfile's PAX writer would
    add a PAX record (non-ASCII or long names, big sizes), and the caller falls back to it.
    """

    __slots__ = ("_ids", "_mtime", "_tail", "_const")

    def __init__(self, uid: int, gid: int, uname: bytes, gname: bytes, mtime: int) -> None:
        self._ids = b"%07o\0%07o\0" % (uid, gid)
        self._mtime = b"%011o\0" % mtime
        self._tail = _MAGIC + uname.ljust(32, b"\0") + gname.ljust(32, b"\0") + bytes(16 + 167)
        self._const = sum(self._ids) + sum(self._mtime) + sum(self._tail) + 8 * 32  # chksum field as spaces

    def header(self, name: str, mode: int, size: int, typ: bytes, linkname: str = "") -> bytes | None:
        """The header of one member (``typ`` one of the plain ustar types), or None if it needs PAX."""
        if typ == tarfile.DIRTYPE and not name.endswith("/"):
            name += "/"
        try:
            bname = name.encode("ascii")
            blink = linkname.encode("ascii")
        except UnicodeEncodeError:
            return None
        if len(bname) > 100 or len(blink) > 100 or not 0 <= size <= _MAX11:
            return None
        modef = b"%07o\0" % (mode & 0o7777)
        sizef = b"%011o\0" % size
        chk = self._const + sum(bname) + sum(modef) + sum(sizef) + typ[0] + sum(blink)
        return b"".join((bname.ljust(100, b"\0"), modef, self._ids, sizef, self._mtime, b"%06o\0 " % chk, typ,
                         blink.ljust(100, b"\0"), self._tail))


_templates: dict[tuple, HeaderTemplate | None] = {}


def header_template(uid: int, gid: int, uname: str, gname: str, mtime: int) -> HeaderTemplate | None:
    """The (cached) template for these owner fields, or None when they need PAX records."""
    key = (type(uid), uid, type(gid), gid, uname, gname, type(mtime), mtime)
    t = _templates.get(key, False)
    if t is not False:
        return t
    t = None
    if (type(uid) is int and type(gid) is int and type(mtime) is int
            and 0 <= uid <= _MAX7 and 0 <= gid <= _MAX7 and 0 <= mtime <= _MAX11):
        try:
            buname, bgname = uname.encode("ascii"), gname.encode("ascii")
        except UnicodeEncodeError:
            buname = bgname = None
        if buname is not None and len(buname) <= 32 and len(bgname) <= 32:
            t = HeaderTemplate(uid, gid, buname, bgname, mtime)
    if len(_templates) > 256:
        _templates.clear()
    _templates[key] = t
    return t


def _fast_header(info: tarfile.TarInfo) -> bytes | None:
    if info.pax_headers or info.type not in _TYPES_FAST or type(info.size) is not int:
        return None
    t = header_template(info.uid, info.gid, info.uname, info.gname, info.mtime)
    return None if t is None else t.header(info.name, info.mode, info.size, info.type, info.linkname)


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
    #: Streams expected to be shorter than this are hashed inline: starting and joining a thread
    #: costs more than it overlaps on a small layer (a tree of many small layers).
    THREAD_MIN = 4 << 20

    def __init__(self, out: BinaryIO | None, threaded: bool = True, expected: int | None = None) -> None:
        self.out = out
        self.size = 0
        self._h = hashlib.sha256()
        self._buf = bytearray()
        self._q: queue.Queue | None = None
        self._t: threading.Thread | None = None
        self._err: BaseException | None = None
        if threaded and (expected is None or expected >= self.THREAD_MIN):
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

    def write_member(self, header: bytes, body: bytes, pad: int) -> None:
        """``header``, a small ``body`` and ``pad`` zero bytes, gathered in one call (one per file
        on trees of many small files)."""
        buf = self._buf
        buf += header
        buf += body
        if pad:
            buf += _ZEROS[:pad]
        self.size += len(header) + len(body) + pad
        if len(buf) >= self.BUF:
            self._emit(bytes(buf))
            self._buf = bytearray()

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


def _shrank(src: str) -> UserError:
    return UserError(f"{src} shrank while it was being archived; retry the build once it no longer changes")


def _copy_body(src: str, size: int, sink, offset: int = 0) -> None:
    """Copy exactly ``size`` bytes of file ``src`` into ``sink``; a file that changed size is an error."""
    remaining = size
    with open(src, "rb", buffering=0) as f:
        if offset:
            f.seek(offset)
        while remaining > 0:
            chunk = f.read(min(CHUNK, remaining))
            if not chunk:
                raise _shrank(src)
            sink.write(chunk)
            remaining -= len(chunk)
    pad = padded(size) - size
    if pad:
        sink.write(b"\0" * pad)


#: Regular files up to this size are read with one ``read`` into memory and written with their
#: header in one call; larger ones are copied in :data:`CHUNK` pieces.
SMALL_FILE = 1 << 18
_ZEROS = memoryview(bytes(BLOCK))


def _read_small(src: str, size: int, offset: int = 0) -> bytes:
    """The ``size`` bytes of file ``src`` from ``offset``; a file that shrank is an error."""
    fd = os.open(src, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = os.pread(fd, size, offset) if offset else os.read(fd, size)
        while len(data) < size:
            more = os.pread(fd, size - len(data), offset + len(data))
            if not more:
                raise _shrank(src)
            data += more
    finally:
        os.close(fd)
    return data


def write_entries(entries: Iterable[Entry], sink, progress=None) -> int:
    """Write the members (headers and bodies) of ``entries``; returns bytes written (no end blocks).

    Small bodies go out with their header in one :meth:`HashingSink.write_member` call when the
    sink has it; progress is reported per MiB of bodies rather than per file.
    """
    written = 0
    member = getattr(sink, "write_member", None)
    write = sink.write
    unreported = 0
    for e in entries:
        hdr = e.header if e.header is not None else entry_header(e)
        info = e.info
        size = info.size if info.isreg() else 0
        if not size:
            write(hdr)
            written += len(hdr)
            continue
        pad = -size % BLOCK
        if e.data is not None:
            body = e.data
        elif e.source is None:
            raise ValueError(f"tar entry {info.name!r} has a size but no body")
        elif size <= SMALL_FILE:
            body = _read_small(e.source, size, e.offset)
        else:
            body = None
        if body is None:
            write(hdr)
            _copy_body(e.source, size, sink, e.offset)
        elif member is not None:
            member(hdr, body, pad)
        else:
            write(hdr)
            write(body)
            if pad:
                write(bytes(pad))
        written += len(hdr) + size + pad
        if progress is not None:
            unreported += size
            if unreported >= CHUNK:
                progress(unreported)
                unreported = 0
    if progress is not None and unreported:
        progress(unreported)
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
