"""A streaming NAR reader that writes the archive's tree to disk.

The NAR format (Nix archive): every token is a string written as a little-endian 64-bit length,
the bytes, and zero padding to a multiple of 8. The archive is ``nix-archive-1`` and one node::

    ( type regular [executable ""] contents <bytes> )
    ( type symlink target <string> )
    ( type directory { entry ( name <string> node <node> ) }* )

Entries must be sorted and unique, names must not be empty, ``.``, ``..`` or contain ``/`` or
NUL. Files get the modes a Nix store gives them (0444, or 0555 when executable), directories
0555 once their entries are written. Symlinks are created as they are, never followed.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator

from ..errors import UserError

MAX_STRING = 1 << 16  # names and symlink targets
COPY = 1 << 20


class NarFormatError(UserError):
    """Bytes that are not a well-formed NAR."""


class _Reader:
    """Exact reads from a stream of chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.buf = bytearray()

    def _fill(self, n: int) -> None:
        while len(self.buf) < n:
            try:
                chunk = next(self.chunks)
            except StopIteration:
                raise NarFormatError("the NAR ends early") from None
            self.buf += chunk

    def read(self, n: int) -> bytes:
        self._fill(n)
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_upto(self, n: int) -> bytes:
        """At most ``n`` bytes, at least one (for streaming large contents)."""
        if not self.buf:
            self._fill(1)
        out = bytes(self.buf[:n])
        del self.buf[:len(out)]
        return out

    def at_end(self) -> bool:
        if self.buf:
            return False
        for chunk in self.chunks:
            if chunk:
                self.buf += chunk
                return False
        return True

    def int64(self) -> int:
        return struct.unpack("<Q", self.read(8))[0]

    def padding(self, n: int) -> None:
        pad = (8 - n % 8) % 8
        if pad and self.read(pad) != b"\0" * pad:
            raise NarFormatError("non-zero padding")

    def string(self, limit: int = MAX_STRING) -> bytes:
        n = self.int64()
        if n > limit:
            raise NarFormatError(f"a string of {n} bytes where at most {limit} are allowed")
        s = self.read(n)
        self.padding(n)
        return s

    def expect(self, token: bytes) -> None:
        got = self.string(len(token) + 64)
        if got != token:
            raise NarFormatError(f"expected '{token.decode()}', found '{got[:40].decode(errors='replace')}'")


def unpack(chunks: Iterator[bytes], dest: str) -> None:
    """Write the NAR read from ``chunks`` at ``dest`` (which must not exist)."""
    r = _Reader(chunks)
    r.expect(b"nix-archive-1")
    _node(r, dest)
    if not r.at_end():
        raise NarFormatError("trailing data after the NAR")


def _node(r: _Reader, path: str) -> None:
    r.expect(b"(")
    r.expect(b"type")
    kind = r.string(16)
    if kind == b"regular":
        tok = r.string(16)
        executable = False
        if tok == b"executable":
            if r.string(0) != b"":
                raise NarFormatError("executable marker with a value")
            executable = True
            tok = r.string(16)
        if tok != b"contents":
            raise NarFormatError(f"expected 'contents', found '{tok.decode(errors='replace')}'")
        size = r.int64()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            left = size
            while left:
                piece = r.read_upto(min(left, COPY))
                _write_all(fd, piece)
                left -= len(piece)
        finally:
            os.close(fd)
        r.padding(size)
        os.chmod(path, 0o555 if executable else 0o444)
        r.expect(b")")
    elif kind == b"symlink":
        r.expect(b"target")
        target = r.string()
        if not target or b"\0" in target:
            raise NarFormatError("empty symlink target")
        os.symlink(target, path)
        r.expect(b")")
    elif kind == b"directory":
        os.mkdir(path, 0o755)
        prev: bytes | None = None
        while True:
            tok = r.string(16)
            if tok == b")":
                break
            if tok != b"entry":
                raise NarFormatError(f"expected 'entry' or ')', found '{tok.decode(errors='replace')}'")
            r.expect(b"(")
            r.expect(b"name")
            name = r.string(255)
            if not name or name in (b".", b"..") or b"/" in name or b"\0" in name:
                raise NarFormatError(f"invalid file name '{name.decode(errors='replace')}'")
            if prev is not None and name <= prev:
                raise NarFormatError(f"entries not sorted or repeated at '{name.decode(errors='replace')}'")
            prev = name
            r.expect(b"node")
            _node(r, os.path.join(path, os.fsdecode(name)))
            r.expect(b")")
        os.chmod(path, 0o555)
    else:
        raise NarFormatError(f"unknown node type '{kind.decode(errors='replace')}'")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
