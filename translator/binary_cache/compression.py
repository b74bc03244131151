"""Streaming decompression of NAR files as binary caches compress them.

``Compression:`` in a narinfo is one of ``none``, ``xz``, ``bzip2``, ``zstd``, ``br`` (and
``gzip``, which Nix also reads). Each decompressor takes chunks and returns what it could
decompress so far; input is fed in small pieces so that a hostile file cannot expand one
network read into gigabytes before the NarSize check stops it.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Iterator

from ..errors import UserError

FEED = 64 * 1024

METHODS = ("none", "xz", "bzip2", "zstd", "br", "gzip")


class DecompressionError(UserError):
    """Compressed data that does not decompress."""


def _decompressor(method: str):
    if method in ("none", ""):
        return None
    if method == "xz":
        d = lzma.LZMADecompressor()
        return d.decompress
    if method == "bzip2":
        return bz2.BZ2Decompressor().decompress
    if method == "gzip":
        return zlib.decompressobj(wbits=47).decompress
    if method == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().decompressobj(read_across_frames=True).decompress
    if method == "br":
        import brotli

        return brotli.Decompressor().process
    raise DecompressionError(f"unsupported NAR compression '{method}' (supported: {', '.join(METHODS)})")


def check_method(method: str) -> None:
    """Raise :class:`DecompressionError` unless ``method`` can be read."""
    if method not in METHODS and method != "":
        raise DecompressionError(f"unsupported NAR compression '{method}' (supported: {', '.join(METHODS)})")


def decompress(chunks: Iterator[bytes], method: str) -> Iterator[bytes]:
    """The decompressed stream of ``chunks``."""
    fn = _decompressor(method)
    if fn is None:
        yield from chunks
        return
    for chunk in chunks:
        for i in range(0, len(chunk), FEED):
            try:
                out = fn(chunk[i:i + FEED])
            except (lzma.LZMAError, OSError, zlib.error, ValueError, EOFError) as err:
                raise DecompressionError(f"{method} data is corrupt: {err}") from None
            except Exception as err:  # zstandard.ZstdError, brotli.error
                raise DecompressionError(f"{method} data is corrupt: {err}") from None
            if out:
                yield out
