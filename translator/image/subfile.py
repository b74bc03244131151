"""A read-only, seekable window onto part of a file (a layer tar inside an outer archive)."""

from __future__ import annotations

import io
import os


class SubFile(io.RawIOBase):
    """Bytes ``offset .. offset+size`` of ``path`` as their own file (for ``tarfile.open(fileobj=...)``)."""

    def __init__(self, path: str, offset: int, size: int) -> None:
        super().__init__()
        self._f = open(path, "rb")
        self._off = offset
        self._size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            pos += self._pos
        elif whence == os.SEEK_END:
            pos += self._size
        self._pos = max(0, min(pos, self._size))
        return self._pos

    def readinto(self, b) -> int:
        n = min(len(b), self._size - self._pos)
        if n <= 0:
            return 0
        self._f.seek(self._off + self._pos)
        data = self._f.read(n)
        b[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        self._f.close()
        super().close()
