"""A small client for the OCI distribution HTTP API v2 (what ``docker push``/``skopeo`` speak).

One :class:`RegistryClient` per registry host, speaking through :mod:`translator.http` (connection
reuse, ``HTTPS_PROXY``/``NO_PROXY``, CAs from ``--cert-dir`` or ``/etc/containers/certs.d``,
``--tls-verify=false``). Every request goes through :meth:`_send`, which
answers ``401`` challenges (basic or bearer token) once and retries connection errors and 5xx
answers with exponential backoff. Blob uploads restart their upload session on a retry, so a
registry that restarts mid-push is survived. Nothing here prints credentials or tokens.
"""

from __future__ import annotations

import hashlib
import json
import sys
import urllib.parse
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

from ..scratch import count_sent
from ..errors import UserError
from ..http.client import HttpClient, HttpSettings, Response
from ..http.retry import RetryPolicy as _Retry
from ..http.retry import TransientError
from ..http.tls import TlsSettings
from .auth import Credentials, parse_challenge

__all__ = ["RegistryClient", "RegistryError", "RetryPolicy", "Response", "TransientError"]

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)

CHUNK = 1 << 20


class RegistryError(UserError):
    """A registry answered something we cannot go on with (the message says what and where)."""


@dataclass(slots=True)
class RetryPolicy(_Retry):
    """:class:`~translator.http.retry.RetryPolicy` whose final failure is a :class:`RegistryError`."""

    def run(self, what, op, log=None, error=None):  # type: ignore[override]
        return _Retry.run(self, what, op, log, error or RegistryError)


Body = bytes | Callable[[], Iterator[bytes]] | None


class RegistryClient:
    """HTTP API v2 against one registry host (``host[:port]``)."""

    def __init__(self, registry: str, *, insecure: bool = False, credentials: Credentials | None = None,
                 retry: RetryPolicy | None = None, timeout: float = 60.0,
                 log: Callable[[str], None] | None = None, http: HttpClient | None = None,
                 tls: TlsSettings | None = None) -> None:
        self.registry = registry
        self.scheme = "http" if insecure else "https"
        self.credentials = credentials
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.http = http or HttpClient(HttpSettings(tls=tls or TlsSettings(), timeout=timeout))
        self.log = log or (lambda msg: print(msg, file=sys.stderr))
        self._auth: dict[str, str] = {}  # scope -> Authorization header value
        self._basic_ok = False

    # -- plumbing ---------------------------------------------------------------------------
    def _url(self, path: str) -> urllib.parse.SplitResult:
        if path.startswith("http://") or path.startswith("https://"):
            return urllib.parse.urlsplit(path)
        return urllib.parse.urlsplit(f"{self.scheme}://{self.registry}{path}")

    def _raw(self, method: str, url: str, headers: dict[str, str], body: Body,
             sink: BinaryIO | None = None) -> Response:
        """One HTTP exchange (through :mod:`translator.http`: pooled, proxied, TLS per host).
        With ``sink``, a 200 answer's body is streamed into it, not kept."""
        return self.http.request(method, self._url(url).geturl(), headers, body, sink=sink)

    def _authorize(self, challenge_header: str, scope: str) -> None:
        ch = parse_challenge(challenge_header)
        if ch.scheme == "basic":
            if self.credentials is None:
                raise RegistryError(f"{self.registry} requires authentication: give credentials "
                                    "(--username/--password, $REGISTRY_AUTH_FILE or ~/.docker/config.json)")
            if self._basic_ok:
                raise RegistryError(f"{self.registry}: authentication failed for user '{self.credentials.username}'")
            self._auth[scope] = self.credentials.basic_header()
            self._basic_ok = True
            return
        if ch.scheme != "bearer" or "realm" not in ch.params:
            raise RegistryError(f"{self.registry}: unsupported authentication scheme '{ch.scheme}'")
        query = {"service": ch.params.get("service", "")}
        query["scope"] = ch.params.get("scope") or scope
        url = ch.params["realm"] + ("&" if "?" in ch.params["realm"] else "?") + urllib.parse.urlencode(query)
        headers = {}
        if self.credentials is not None:
            headers["Authorization"] = self.credentials.basic_header()
        resp = self._raw("GET", url, headers, None)
        if resp.status in (401, 403):
            who = f"user '{self.credentials.username}'" if self.credentials else "anonymous access"
            raise RegistryError(f"{self.registry}: the token service refused {who} for {query['scope']}")
        if resp.status != 200:
            raise RegistryError(f"{self.registry}: token service answered {resp.status}")
        try:
            doc = json.loads(resp.body)
            token = doc.get("token") or doc["access_token"]
        except (ValueError, KeyError):
            raise RegistryError(f"{self.registry}: the token service sent no token") from None
        self._auth[scope] = f"Bearer {token}"

    def _send(self, method: str, path: str, *, scope: str, headers: dict[str, str] | None = None,
              body: Body = None, ok: tuple[int, ...] = (200,), sink: BinaryIO | None = None) -> Response:
        """One request with auth; 5xx and connection errors raise :class:`TransientError`."""
        for _ in range(3):
            hdrs = dict(headers or {})
            auth = self._auth.get(scope) or self._auth.get("*")
            if auth:
                hdrs["Authorization"] = auth
            resp = self._raw(method, path, hdrs, body, sink)
            if resp.status == 401 and resp.header("www-authenticate"):
                if auth and auth.startswith("Basic") and self._basic_ok:
                    raise RegistryError(f"{self.registry}: authentication failed for user "
                                        f"'{self.credentials.username if self.credentials else ''}'")
                self._authorize(resp.header("www-authenticate") or "", scope)
                if self._auth.get(scope, "").startswith("Basic"):
                    self._auth["*"] = self._auth[scope]
                continue
            if resp.status >= 500:
                raise TransientError(f"{method} {path}: registry answered {resp.status}")
            if resp.status not in ok:
                raise RegistryError(f"{method} {self.registry}{urllib.parse.urlsplit(path).path}: "
                                    f"registry answered {resp.status}: {_error_text(resp)}")
            return resp
        raise RegistryError(f"{self.registry}: authentication did not succeed")

    # -- API --------------------------------------------------------------------------------
    def ping(self) -> None:
        self.retry.run(f"contacting {self.registry}", lambda: self._send("GET", "/v2/", scope="*", ok=(200,)), self.log)

    def blob_size(self, repo: str, digest: str) -> int | None:
        """The size of the blob if ``repo`` has it, else None (``HEAD``)."""
        def op() -> int | None:
            resp = self._send("HEAD", f"/v2/{repo}/blobs/{digest}", scope=_scope(repo, "pull"), ok=(200, 404))
            return int(resp.header("content-length") or 0) if resp.status == 200 else None
        return self.retry.run(f"checking blob {digest[:19]} in {repo}", op, self.log)

    def mount_blob(self, repo: str, digest: str, from_repo: str) -> bool:
        """Ask the registry to link a blob that ``from_repo`` has into ``repo``; True if it did."""
        query = urllib.parse.urlencode({"mount": digest, "from": from_repo})
        def op() -> bool:
            resp = self._send("POST", f"/v2/{repo}/blobs/uploads/?{query}", scope=_scope(repo, "push", from_repo),
                              ok=(201, 202), headers={"Content-Length": "0"})
            if resp.status == 202 and resp.header("location"):
                # not mounted: the registry opened an upload session instead; cancel it politely
                try:
                    self._send("DELETE", resp.header("location") or "", scope=_scope(repo, "push"), ok=(204, 404, 405))
                except (RegistryError, TransientError):
                    pass
            return resp.status == 201
        return self.retry.run(f"mounting {digest[:19]} from {from_repo}", op, self.log)

    def upload_blob(self, repo: str, digest: str, size: int, opener: Callable[[], BinaryIO],
                    *, chunk_size: int | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Upload a blob (monolithic ``PUT``, or ``PATCH`` chunks when ``chunk_size`` is set);
        returns the bytes sent by the successful attempt. A retry starts a new session."""
        scope = _scope(repo, "push")

        def op() -> int:
            resp = self._send("POST", f"/v2/{repo}/blobs/uploads/", scope=scope, ok=(202,), headers={"Content-Length": "0"})
            location = _absolute(self, resp.header("location"))
            sent = 0
            with opener() as f:
                if chunk_size:
                    while True:
                        data = f.read(chunk_size)
                        if not data:
                            break
                        resp = self._send("PATCH", location, scope=scope, body=data, ok=(202,), headers={
                            "Content-Type": "application/octet-stream", "Content-Length": str(len(data)),
                            "Content-Range": f"{sent}-{sent + len(data) - 1}"})
                        sent += len(data)
                        count_sent(len(data))
                        if progress:
                            progress(len(data))
                        location = _absolute(self, resp.header("location"))
                    resp = self._send("PUT", _with_query(location, digest=digest), scope=scope, ok=(201,),
                                      headers={"Content-Length": "0"})
                else:
                    def stream() -> Iterator[bytes]:
                        nonlocal sent
                        while data := f.read(CHUNK):
                            sent += len(data)
                            count_sent(len(data))
                            if progress:
                                progress(len(data))
                            yield data
                    resp = self._send("PUT", _with_query(location, digest=digest), scope=scope, body=stream, ok=(201,),
                                      headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)})
            got = resp.header("docker-content-digest")
            if got and got != digest:
                raise RegistryError(f"{self.registry}/{repo}: registry stored blob as {got}, expected {digest}")
            return sent

        return self.retry.run(f"uploading {digest[:19]} to {repo}", op, self.log)

    def put_manifest(self, repo: str, ref: str, data: bytes, media_type: str) -> str:
        """Upload a manifest under a tag or digest; returns its digest after checking the registry's."""
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        def op() -> str:
            resp = self._send("PUT", f"/v2/{repo}/manifests/{ref}", scope=_scope(repo, "push"), body=data, ok=(201,),
                              headers={"Content-Type": media_type, "Content-Length": str(len(data))})
            got = resp.header("docker-content-digest")
            if got and got != digest:
                raise RegistryError(f"{self.registry}/{repo}:{ref}: registry answered manifest digest {got}, "
                                    f"but the manifest sent has digest {digest}")
            return digest
        return self.retry.run(f"uploading manifest {repo}:{ref}", op, self.log)

    def get_manifest(self, repo: str, ref: str) -> tuple[bytes, str, str]:
        """``(bytes, media type, digest)``; a digest ``ref`` is verified against the bytes."""
        def op() -> Response:
            return self._send("GET", f"/v2/{repo}/manifests/{ref}", scope=_scope(repo, "pull"),
                              headers={"Accept": ", ".join(MANIFEST_TYPES)}, ok=(200,))
        resp = self.retry.run(f"fetching manifest {repo}:{ref}", op, self.log)
        digest = "sha256:" + hashlib.sha256(resp.body).hexdigest()
        if ref.startswith("sha256:") and ref != digest:
            raise RegistryError(f"{self.registry}/{repo}@{ref}: the registry sent a manifest with digest {digest}")
        media_type = (resp.header("content-type") or "").split(";")[0].strip()
        if not media_type or media_type == "application/json":
            media_type = json.loads(resp.body).get("mediaType", media_type)
        return resp.body, media_type, digest

    def get_blob(self, repo: str, digest: str, out: BinaryIO) -> int:
        """Stream a blob into ``out`` (from the start), verifying its digest; returns its size."""
        def op() -> int:
            out.seek(0)
            out.truncate()
            sink = _HashingSink(out)
            resp = self._send("GET", f"/v2/{repo}/blobs/{digest}", scope=_scope(repo, "pull"), ok=(200, 307), sink=sink)
            if resp.status == 307:
                resp = self._raw("GET", resp.header("location") or "", {}, None, sink)
                if resp.status != 200:
                    raise TransientError(f"blob redirect answered {resp.status}")
            if "sha256:" + sink.hash.hexdigest() != digest:
                raise RegistryError(f"{self.registry}/{repo}: blob {digest} arrived with another digest")
            return sink.size
        return self.retry.run(f"fetching blob {digest[:19]} from {repo}", op, self.log)


class _HashingSink:
    """Writes through to a file while hashing what passes."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.hash.update(data)
        self.size += len(data)
        self.out.write(data)


def _scope(repo: str, action: str, from_repo: str | None = None) -> str:
    actions = "pull,push" if action == "push" else "pull"
    scope = f"repository:{repo}:{actions}"
    if from_repo:
        scope += f" repository:{from_repo}:pull"
    return scope


def _absolute(client: RegistryClient, location: str | None) -> str:
    if not location:
        raise RegistryError(f"{client.registry}: upload session answer has no Location header")
    if location.startswith("/"):
        return f"{client.scheme}://{client.registry}{location}"
    return location


def _with_query(url: str, **params: str) -> str:
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)


def _error_text(resp: Response) -> str:
    try:
        errors = json.loads(resp.body).get("errors") or []
        return "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors) or resp.body[:200].decode(errors="replace")
    except (ValueError, AttributeError):
        return resp.body[:200].decode(errors="replace")
