"""Reproducible layer compression: ``none``, ``gzip`` (no name, mtime 0) and ``zstd``.

Used by the OCI writer and by registry pushes; the same input always gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
from typing import BinaryIO

import zstandard

COMPRESSIONS = ("none", "gzip", "zstd")
GZIP_LEVEL = 6
ZSTD_LEVEL = 3

#: media type suffix per compression, for OCI and Docker layer media types
OCI_SUFFIX = {"none": "", "gzip": "+gzip", "zstd": "+zstd"}


class _Tee:
    """A writable that hashes and counts what it passes on to ``out``."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        self.out.write(data)
        return len(data)

    def flush(self) -> None:
        pass


def compress_stream(src: BinaryIO, out: BinaryIO, compression: str) -> tuple[str, int]:
    """Copy ``src`` to ``out`` compressed; returns ``(sha256:hex, size)`` of what was written."""
    tee = _Tee(out)
    if compression == "none":
        shutil.copyfileobj(src, tee, 1 << 20)
    elif compression == "gzip":
        with gzip.GzipFile(filename="", mode="wb", fileobj=tee, mtime=0, compresslevel=GZIP_LEVEL) as gz:  # type: ignore[arg-type]
            shutil.copyfileobj(src, gz, 1 << 20)
    elif compression == "zstd":
        cctx = zstandard.ZstdCompressor(level=ZSTD_LEVEL, threads=0, write_checksum=False)
        with cctx.stream_writer(tee, closefd=False) as zw:  # type: ignore[arg-type]
            shutil.copyfileobj(src, zw, 1 << 20)
    else:
        raise ValueError(f"unknown compression {compression!r} (one of {', '.join(COMPRESSIONS)})")
    return "sha256:" + tee.hash.hexdigest(), tee.size


def open_decompressed(f: BinaryIO) -> BinaryIO:
    """Wrap ``f`` so that reading gives the uncompressed bytes, whatever the (magic-detected) format."""
    head = f.read(4)
    f.seek(0)
    if head[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f, mode="rb")  # type: ignore[return-value]
    if head == b"\x28\xb5\x2f\xfd":
        return zstandard.ZstdDecompressor().stream_reader(f, closefd=False)  # type: ignore[return-value]
    return f
