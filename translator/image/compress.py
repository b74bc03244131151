"""Layer compression for OCI blobs: ``none``, ``gzip`` (reproducible: no file name, mtime 0) or
``zstd``; the uncompressed stream (diff_id) and the compressed one (blob digest) are hashed in the
same single pass."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import BinaryIO

from ..errors import UsageError
from .tarwriter import HashingSink, archive_size, write_tar

COMPRESSIONS = ("none", "gzip", "zstd")

MEDIA_TYPES = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}


@dataclass(slots=True)
class Encoded:
    diff_id: str  # hex sha256 of the uncompressed tar
    digest: str  # hex sha256 of the bytes written
    size: int  # bytes written
    raw_size: int  # uncompressed size


class _Compressor:
    """A write-only stream compressing into ``out``."""

    def __init__(self, kind: str, out) -> None:
        self.kind = kind
        if kind == "gzip":
            self._w = gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=6)
        elif kind == "zstd":
            import zstandard

            self._w = zstandard.ZstdCompressor(level=3, threads=0, write_checksum=True).stream_writer(out, closefd=False)
        else:
            raise UsageError(f"error: unknown compression {kind!r} (use one of {', '.join(COMPRESSIONS)})")

    def write(self, b) -> int:
        return self._w.write(b)

    def close(self) -> None:
        if self.kind == "zstd":
            import zstandard

            self._w.flush(zstandard.FLUSH_FRAME)
        else:
            self._w.close()


def encode_layer(entries, out: BinaryIO, compression: str, progress=None) -> Encoded:
    """Tar ``entries``, compress, write to ``out``; hash both sides while writing once."""
    entries = entries if isinstance(entries, list) else list(entries)
    expected = archive_size(entries)  # small layers are hashed inline (see HashingSink.THREAD_MIN)
    outer = HashingSink(out, threaded=compression == "none", expected=expected)
    if compression == "none":
        n = write_tar(entries, outer, progress)
        d = outer.hexdigest()
        return Encoded(d, d, n, n)
    comp = _Compressor(compression, outer)
    inner = HashingSink(comp, expected=expected)
    n = write_tar(entries, inner, progress)
    diff_id = inner.hexdigest()  # flushes what inner buffered into the compressor
    comp.close()
    return Encoded(diff_id, outer.hexdigest(), outer.size, n)


def encode_blob(blob, out: BinaryIO, compression: str) -> Encoded:
    """Compress an existing uncompressed layer (a base layer) into ``out``."""
    outer = HashingSink(out, threaded=False)
    sink = outer if compression == "none" else _Compressor(compression, outer)
    with blob.open() as f:
        remaining = blob.size
        while remaining:
            b = f.read(min(1 << 20, remaining))
            if not b:
                raise OSError("base layer ended early")
            sink.write(b)
            remaining -= len(b)
    if compression != "none":
        sink.close()
    return Encoded(blob.digest, outer.hexdigest(), outer.size, blob.size)


def compress_stream(src: BinaryIO, out: BinaryIO, compression: str) -> tuple[str, int]:
    """Copy the plain bytes of ``src`` into ``out`` compressed (registry pushes); returns the
    ``sha256:`` digest and size of what was written."""
    outer = HashingSink(out, threaded=False)
    sink = outer if compression == "none" else _Compressor(compression, outer)
    while b := src.read(1 << 20):
        sink.write(b)
    if compression != "none":
        sink.close()
    return "sha256:" + outer.hexdigest(), outer.size


def open_decompressed(f: BinaryIO) -> BinaryIO:
    """``f`` as plain bytes: gzip and zstd (told by their magic numbers) are decompressed on the fly."""
    head = f.read(4)
    f.seek(0)
    if head[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f, mode="rb")  # type: ignore[return-value]
    if head == b"\x28\xb5\x2f\xfd":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(f, closefd=False, read_across_frames=True)  # type: ignore[return-value]
    return f
