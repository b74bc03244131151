"""Pooled HTTP(S) connections through proxies with per-host TLS trust (urllib3 underneath).

One :class:`HttpClient` is shared by everything that talks HTTP in a command: connections to a
host are kept and reused (one urllib3 pool manager per host and proxy, holding that host's TLS
context), proxies come from the environment (:mod:`.proxy`) and trust from :mod:`.tls`.

Transport failures become :class:`~.retry.TransientError` (worth retrying) or a
:class:`TlsError` (a certificate that is not trusted: retrying will not help). Status codes are
returned, never raised: callers decide what a 404 or a 500 means. urllib3's own retries and
redirects are off; :meth:`HttpClient.request` follows redirects only when asked.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO, Callable

import urllib3
from urllib3.exceptions import HTTPError, ProxyError, SSLError

from ..errors import UserError
from .proxy import proxy_for
from .retry import TransientError
from .settings import HttpSettings
from .tls import TlsSettings, context_for

CHUNK = 1 << 20
REDIRECTS = (301, 302, 303, 307, 308)

Body = bytes | Callable[[], Iterator[bytes]] | Iterable[bytes] | None


class TlsError(UserError):
    """The server's certificate is not trusted (or TLS could not be set up)."""


@dataclass(slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Streamed:
    """An answer whose body is read as it arrives (:meth:`chunks`)."""

    def __init__(self, raw: urllib3.BaseHTTPResponse, url: str, decode: bool) -> None:
        self.raw = raw
        self.url = url
        self.status = raw.status
        self.headers = {k.lower(): v for k, v in raw.headers.items()}
        self._decode = decode and bool(self.headers.get("content-encoding"))

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        """The body in pieces; a connection that drops mid-body raises :class:`TransientError`."""
        try:
            yield from self.raw.stream(size, decode_content=self._decode)
        except HTTPError as err:
            raise _transient("GET", self.url, err) from None
        except OSError as err:
            raise TransientError(f"GET {_short(self.url)}: {type(err).__name__}: {err}") from None

    def read(self) -> bytes:
        return b"".join(self.chunks())


def _short(url: str) -> str:
    p = urllib.parse.urlsplit(url)
    return f"{p.scheme}://{p.netloc}{p.path}"


def _transient(method: str, url: str, err: BaseException) -> TransientError:
    reason = getattr(err, "reason", None) or err
    for arg in getattr(err, "args", ()):
        if type(arg).__name__ == "IncompleteRead":
            got, more = getattr(arg, "partial", 0), getattr(arg, "expected", None)
            got = got if isinstance(got, int) else len(got)
            return TransientError(f"{method} {_short(url)}: the connection closed after {got} bytes"
                                  + (f", {more} more expected" if more is not None else ""))
    text = str(reason)
    # urllib3's messages repeat the connection object's repr; keep the useful part
    if "): " in text and text.startswith("<"):
        text = text.split("): ", 1)[1]
    return TransientError(f"{method} {_short(url)}: {type(reason).__name__}: {text}")


class HttpClient:
    """HTTP for one command run. Thread-safe; connections are pooled per host."""

    def __init__(self, settings: HttpSettings | None = None) -> None:
        self.settings = settings or HttpSettings()
        self._managers: dict[tuple[str | None, str, str], urllib3.PoolManager] = {}
        self._lock = threading.Lock()

    def _manager(self, url: str) -> urllib3.PoolManager:
        parts = urllib.parse.urlsplit(url)
        proxy = proxy_for(url, self.settings.env)
        key = (proxy, parts.scheme, parts.netloc)
        with self._lock:
            pm = self._managers.get(key)
            if pm is not None:
                return pm
            kw: dict = {"num_pools": 4, "maxsize": 8, "block": False,
                        "headers": {"User-Agent": self.settings.user_agent}}
            if parts.scheme == "https":
                tls = self.settings.tls
                kw["ssl_context"] = context_for(parts.hostname or "", parts.port, tls)
                if not tls.verify:
                    kw["cert_reqs"] = "CERT_NONE"
                    kw["assert_hostname"] = False
            pm = urllib3.ProxyManager(proxy, **kw) if proxy else urllib3.PoolManager(**kw)
            self._managers[key] = pm
            return pm

    def _open(self, method: str, url: str, headers: Mapping[str, str] | None, body: Body) -> urllib3.BaseHTTPResponse:
        timeout = urllib3.Timeout(connect=self.settings.connect_timeout, read=self.settings.timeout)
        if callable(body):
            body = body()
        try:
            return self._manager(url).urlopen(method, url, body=body, headers=dict(headers or {}),
                                              retries=False, redirect=False, preload_content=False,
                                              decode_content=False, timeout=timeout)
        except SSLError as err:
            text = str(getattr(err, "reason", None) or err)
            if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text or "hostname" in text.lower():
                host = urllib.parse.urlsplit(url).netloc
                raise TlsError(f"TLS: the certificate of {host} is not trusted ({_tls_reason(text)})",
                               hint=f"give its CA with --cert-dir DIR (a *.crt file), /etc/containers/certs.d/{host}/, "
                                    "or SSL_CERT_FILE; --tls-verify=false turns checking off") from None
            raise _transient(method, url, err) from None
        except ProxyError as err:
            text = str(getattr(err, "original_error", None) or err)
            if "Tunnel connection failed" in text:
                raise UserError(f"the proxy for {_short(url)} refused the connection: {text.split(': ', 1)[-1]}",
                                hint="check HTTPS_PROXY/HTTP_PROXY, or list the host in NO_PROXY") from None
            raise _transient(method, url, err) from None
        except HTTPError as err:
            raise _transient(method, url, err) from None
        except OSError as err:
            raise TransientError(f"{method} {_short(url)}: {type(err).__name__}: {err}") from None

    def request(self, method: str, url: str, headers: Mapping[str, str] | None = None, body: Body = None, *,
                sink: BinaryIO | None = None, follow: bool = False) -> Response:
        """One exchange, body read in full (or, for a 200 answer, streamed into ``sink``).
        ``follow``: follow redirects (GET/HEAD), at most 5, dropping ``Authorization`` when the host
        changes."""
        hdrs = dict(headers or {})
        for _ in range(6):
            raw = self._open(method, url, hdrs, body)
            try:
                if follow and raw.status in REDIRECTS and raw.headers.get("location"):
                    raw.drain_conn()
                    nxt = urllib.parse.urljoin(url, raw.headers["location"])
                    if urllib.parse.urlsplit(nxt).netloc != urllib.parse.urlsplit(url).netloc:
                        hdrs.pop("Authorization", None)
                    url = nxt
                    continue
                s = Streamed(raw, url, decode=False)
                if sink is not None and raw.status == 200:
                    for chunk in s.chunks():
                        sink.write(chunk)
                    data = b""
                else:
                    data = s.read()
                return Response(raw.status, s.headers, data, url)
            finally:
                raw.release_conn()
        raise TransientError(f"{method} {_short(url)}: too many redirects")

    @contextmanager
    def stream(self, url: str, headers: Mapping[str, str] | None = None) -> Iterator[Streamed]:
        """``GET url`` following redirects; the answer's body is read from the yielded object.
        Content-Encoding set by the server is undone."""
        hdrs = dict(headers or {})
        for _ in range(6):
            raw = self._open("GET", url, hdrs, None)
            if raw.status in REDIRECTS and raw.headers.get("location"):
                raw.drain_conn()
                raw.release_conn()
                url = urllib.parse.urljoin(url, raw.headers["location"])
                continue
            try:
                yield Streamed(raw, url, decode=True)
            except BaseException:
                raw.close()  # a half-read body must not go back to the pool
                raise
            else:
                raw.drain_conn()
                raw.release_conn()
            return
        raise TransientError(f"GET {_short(url)}: too many redirects")

    def close(self) -> None:
        with self._lock:
            for pm in self._managers.values():
                pm.clear()
            self._managers.clear()


def _tls_reason(text: str) -> str:
    for marker in ("certificate verify failed: ", "Hostname mismatch, "):
        if marker in text:
            return text.split(marker, 1)[1].split(" (_ssl")[0].rstrip(")")
    return text
