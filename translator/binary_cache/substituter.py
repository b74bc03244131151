"""One binary cache: its ``nix-cache-info``, its narinfos and its NAR files.

``http(s)://`` caches are read through :mod:`translator.http` (pooled, proxied, TLS as
configured), with retries and backoff on connection errors and 5xx answers; a 404 is an answer
(the path is not there) and is never retried. ``file://`` caches are read from disk. A URL's
``?priority=N`` overrides the cache's own ``Priority``. Verified narinfos and the cache info are
kept under the content cache so that ``--offline`` can use them later.
"""

from __future__ import annotations

import hashlib
import os
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from .. import scratch
from ..errors import UserError
from ..http.client import HttpClient
from ..http.retry import RetryPolicy, TransientError
from .narinfo import STORE_DIR

DEFAULT_PRIORITY = 50
CHUNK = 1 << 20


class CacheError(UserError):
    """A cache could not be read (unreachable, a bad answer, a wrong store directory)."""


@dataclass(frozen=True, slots=True)
class CacheInfo:
    store_dir: str = STORE_DIR
    priority: int = DEFAULT_PRIORITY
    want_mass_query: bool = False


def parse_cache_info(text: str) -> CacheInfo:
    fields = {}
    for line in text.splitlines():
        k, sep, v = line.partition(":")
        if sep:
            fields[k.strip()] = v.strip()
    prio = fields.get("Priority", "")
    return CacheInfo(store_dir=fields.get("StoreDir") or STORE_DIR,
                     priority=int(prio) if prio.isdigit() else DEFAULT_PRIORITY,
                     want_mass_query=fields.get("WantMassQuery") == "1")


class Substituter:
    """A binary cache at ``url`` (``http(s)://...`` or ``file:///...``)."""

    def __init__(self, url: str, *, http: HttpClient, retry: RetryPolicy, local_dir: str, offline: bool = False,
                 log: Callable[[str], None] | None = None) -> None:
        parts = urllib.parse.urlsplit(url)
        self.params = dict(urllib.parse.parse_qsl(parts.query))
        self.url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self.scheme = parts.scheme
        self.http = http
        self.retry = retry
        self.offline = offline
        self.log = log
        key = hashlib.sha256(self.url.encode()).hexdigest()[:20]
        self.local = os.path.join(local_dir, "narinfo", key)
        self._info: CacheInfo | None = None
        self._lock = threading.Lock()

    def __str__(self) -> str:
        return self.url

    # -- raw access -------------------------------------------------------------------------
    def _file(self, rel: str) -> str:
        return urllib.parse.unquote(urllib.parse.urlsplit(self.url).path) + "/" + rel

    def get(self, rel: str) -> bytes | None:
        """The file ``rel`` of the cache, or None when the cache does not have it (404)."""
        if self.scheme == "file":
            try:
                with open(self._file(rel), "rb") as f:
                    return f.read()
            except (FileNotFoundError, NotADirectoryError):
                return None
            except OSError as err:
                raise CacheError(f"cannot read {self.url}/{rel}: {err.strerror}") from None

        def op() -> bytes | None:
            resp = self.http.request("GET", f"{self.url}/{rel}", follow=True)
            if resp.status in (404, 403, 410):  # S3 answers 403 for a missing key without list rights
                return None
            if resp.status >= 500 or resp.status == 429:
                raise TransientError(f"GET {self.url}/{rel}: the cache answered {resp.status}")
            if resp.status != 200:
                raise CacheError(f"GET {self.url}/{rel}: the cache answered {resp.status}")
            return resp.body

        return self.retry.run(f"reading {self.url}/{rel}", op, self.log, error=CacheError)

    @contextmanager
    def open(self, rel: str) -> Iterator[Iterator[bytes]]:
        """The bytes of ``rel`` as chunks (one attempt: the caller retries a whole download)."""
        if self.scheme == "file":
            path = self._file(rel)
            try:
                f = open(path, "rb")
            except FileNotFoundError:
                raise CacheError(f"{self.url}: {rel} is missing though its narinfo names it") from None
            except OSError as err:
                raise CacheError(f"cannot read {path}: {err.strerror}") from None
            with f:
                yield iter(lambda: f.read(CHUNK), b"")
            return
        with self.http.stream(f"{self.url}/{rel}") as resp:
            if resp.status >= 500 or resp.status == 429:
                raise TransientError(f"GET {self.url}/{rel}: the cache answered {resp.status}")
            if resp.status in (404, 403, 410):
                raise CacheError(f"{self.url}: {rel} is missing (answer {resp.status}) though its narinfo names it")
            if resp.status != 200:
                raise CacheError(f"GET {self.url}/{rel}: the cache answered {resp.status}")
            yield resp.chunks()

    # -- cache info -------------------------------------------------------------------------
    def info(self) -> CacheInfo:
        """``nix-cache-info`` (read once; a cache without one has the defaults)."""
        with self._lock:
            if self._info is None:
                self._info = self._read_info()
            return self._info

    def _read_info(self) -> CacheInfo:
        local = os.path.join(self.local, "nix-cache-info")
        if self.offline:
            data = _read(local)
        else:
            data = self.get("nix-cache-info")
            if data is not None:
                _write_atomic(local, data)
        info = parse_cache_info(data.decode(errors="replace")) if data else CacheInfo()
        if info.store_dir != STORE_DIR:
            raise CacheError(f"binary cache {self.url} is for Nix stores with prefix '{info.store_dir}', "
                             f"not '{STORE_DIR}'")
        prio = self.params.get("priority")
        if prio and prio.isdigit():
            info = CacheInfo(info.store_dir, int(prio), info.want_mass_query)
        return info

    # -- narinfos -------------------------------------------------------------------------
    def narinfo(self, store_path: str) -> str | None:
        """The narinfo text for ``store_path`` or None. Offline: only a copy kept earlier."""
        hash_part = store_path[len(STORE_DIR) + 1:][:32]
        if self.offline:
            data = _read(os.path.join(self.local, f"{hash_part}.narinfo"))
        else:
            data = self.get(f"{hash_part}.narinfo")
        return data.decode(errors="replace") if data is not None else None

    def keep(self, store_path: str, text: str) -> None:
        """Keep a verified narinfo for later ``--offline`` runs."""
        if not self.offline:
            hash_part = store_path[len(STORE_DIR) + 1:][:32]
            _write_atomic(os.path.join(self.local, f"{hash_part}.narinfo"), text.encode())


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _write_atomic(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = scratch.temp_name(os.path.dirname(path), os.path.basename(path))
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
