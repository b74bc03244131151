"""Download one NAR, check it while it streams, and unpack it into the content store.

The compressed bytes are counted and hashed (``FileSize``/``FileHash``), decompressed, counted
and hashed again (``NarSize``/``NarHash``) and unpacked into a staging path as they arrive; a
stream that grows past a declared size stops at once. Only when every check passed is the entry
renamed into place: a mismatch, a corrupt stream or a cut connection leaves nothing behind.
A cut connection (or a 5xx answer) is retried with backoff; a mismatch is not: the cache
answered, and its answer is wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from ..errors import UserError
from ..http.retry import RetryPolicy
from .cache_store import ContentStore
from .compression import decompress
from .nar_unpack import unpack
from .narinfo import NarInfo
from .substituter import CacheError, Substituter
from ..store.hashing import parse_hash


class RefusedError(UserError):
    """A cache's answer failed a check; the message names the store path and the cache."""


class _Checked:
    """Passes chunks through, counting and hashing them; stops past ``limit`` bytes."""

    def __init__(self, chunks: Iterator[bytes], limit: int | None, on_excess: Callable[[int], Exception],
                 progress: Callable[[int], None] | None = None) -> None:
        self.chunks = chunks
        self.limit = limit
        self.on_excess = on_excess
        self.hash = hashlib.sha256()
        self.size = 0
        self.progress = progress

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.size += len(chunk)
            if self.limit is not None and self.size > self.limit:
                raise self.on_excess(self.size)
            self.hash.update(chunk)
            if self.progress:
                self.progress(len(chunk))
            yield chunk

    def digest(self) -> str:
        from ..store import base32

        return "sha256:" + base32.encode(self.hash.digest())


def fetch_nar(info: NarInfo, sub: Substituter, store: ContentStore, retry: RetryPolicy,
              log: Callable[[str], None] | None = None, progress: Callable[[int], None] | None = None) -> str:
    """The content store location of ``info``'s content, downloading it when needed."""
    if store.has(info.nar_hash):
        return store.path_for(info.nar_hash)
    path = info.store_path
    where = f"{path}: NAR {info.url} from {sub}"

    def refuse(msg: str) -> RefusedError:
        return RefusedError(f"{where}: {msg}; nothing was kept")

    file_hash = str(parse_hash(info.file_hash)) if info.file_hash and info.file_hash.startswith("sha256:") else None

    def attempt() -> str:
        with store.staging(info.nar_hash) as staged, sub.open(info.url) as raw:
            compressed = _Checked(raw, info.file_size,
                                  lambda n: refuse(f"more than FileSize {info.file_size} bytes arrived"), progress)
            nar = _Checked(decompress(iter(compressed), info.compression), info.nar_size,
                           lambda n: refuse(f"it unpacks to more than NarSize {info.nar_size} bytes"))
            try:
                unpack(iter(nar), staged)
            except UserError as err:
                if isinstance(err, (RefusedError, CacheError)):
                    raise
                if info.file_size is not None and compressed.size < info.file_size:
                    raise refuse(f"the download was cut short: {compressed.size} of FileSize {info.file_size} "
                                 "bytes arrived") from None
                raise refuse(f"{err.message}") from None
            if info.file_size is not None and compressed.size != info.file_size:
                raise refuse(f"FileSize is {info.file_size} but {compressed.size} bytes arrived")
            if file_hash and compressed.digest() != file_hash:
                raise refuse(f"FileHash mismatch: expected {file_hash}, got {compressed.digest()}")
            if nar.size != info.nar_size:
                raise refuse(f"NarSize is {info.nar_size} but the NAR has {nar.size} bytes")
            if nar.digest() != info.nar_hash:
                raise refuse(f"NarHash mismatch: expected {info.nar_hash}, got {nar.digest()}")
            return store.commit(staged, info.nar_hash)

    return retry.run(f"{path}: downloading {info.url} from {sub}", attempt, log, error=CacheError)
