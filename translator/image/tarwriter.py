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

    ``source`` is a file to copy (regular files), ``data`` literal bytes; neither for other types.
    """

    info: tarfile.TarInfo
    source: str | None = None
    data: bytes | None = None


def header_bytes(info: tarfile.TarInfo) -> bytes:
    """The header block(s) of ``info`` exactly as tarfile's PAX writer emits them."""
    return info.tobuf(tarfile.PAX_FORMAT, ENCODING, ERRORS)


def padded(size: int) -> int:
    """``size`` rounded up to whole 512-byte blocks."""
    return (size + BLOCK - 1) // BLOCK * BLOCK


def archive_size(entries: Iterable[Entry]) -> int:
    """The exact length of the tar stream :func:`write_tar` produces for ``entries``."""
    total = 0
    for e in entries:
        total += len(header_bytes(e.info))
        if e.info.isreg():
            total += padded(e.info.size)
    return end_padding_total(total)


def end_padding_total(offset: int) -> int:
    """Length after the two zero end blocks and record padding, given the entries' length."""
    total = offset + 2 * BLOCK
    return (total + RECORD - 1) // RECORD * RECORD


class HashingSink:
    """A write-only byte sink that forwards to ``out`` (may be None) and hashes what passes.

    With ``threaded=True`` the SHA-256 runs in a helper thread (hashlib releases the GIL on large
    buffers), so reading/writing and hashing use both cores. ``extra`` hashers (e.g. the digest of
    compressed output) are fed in the caller's thread.
    """

    def __init__(self, out: BinaryIO | None, threaded: bool = True) -> None:
        self.out = out
        self.size = 0
        self._h = hashlib.sha256()
        self._q: queue.Queue | None = None
        self._t: threading.Thread | None = None
        if threaded:
            self._q = queue.Queue(maxsize=16)
            self._t = threading.Thread(target=self._run, daemon=True)
            self._t.start()

    def _run(self) -> None:
        assert self._q is not None
        while True:
            b = self._q.get()
            if b is None:
                return
            self._h.update(b)

    def write(self, b: bytes | memoryview) -> int:
        n = len(b)
        if not n:
            return 0
        if self.out is not None:
            self.out.write(b)
        if self._q is not None:
            self._q.put(bytes(b) if isinstance(b, memoryview) else b)
        else:
            self._h.update(b)
        self.size += n
        return n

    def hexdigest(self) -> str:
        """Finish hashing and return the hex SHA-256 of everything written."""
        if self._q is not None and self._t is not None:
            self._q.put(None)
            self._t.join()
            self._q = None
        return self._h.hexdigest()

    def close(self) -> None:
        if self._q is not None:
            self.hexdigest()


def _copy_body(src: str, size: int, sink) -> None:
    """Copy exactly ``size`` bytes of file ``src`` into ``sink``; a file that changed size is an error."""
    remaining = size
    with open(src, "rb", buffering=0) as f:
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
        hdr = header_bytes(e.info)
        sink.write(hdr)
        written += len(hdr)
        if e.info.isreg() and e.info.size:
            if e.data is not None:
                sink.write(e.data)
                pad = padded(len(e.data)) - len(e.data)
                if pad:
                    sink.write(b"\0" * pad)
            elif e.source is not None:
                _copy_body(e.source, e.info.size, sink)
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
