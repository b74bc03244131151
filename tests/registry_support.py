"""A real registry (Debian's docker-registry, distribution 2.8) for tests, on 127.0.0.1 only,
with storage in a temporary directory and a config of our own; plus a small fault-injecting
HTTP proxy put in front of it to simulate 500s, wrong digests and dropped connections."""

from __future__ import annotations

import http.client
import http.server
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from conftest import need_tool
from loopback import LoopbackServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """``docker-registry serve`` on 127.0.0.1:PORT; ``htpasswd`` (user, password) enables basic auth."""

    def __init__(self, workdir: Path, htpasswd: tuple[str, str] | None = None, auth_config: str = "",
                 tls: tuple[Path, Path] | None = None) -> None:
        need_tool("docker-registry")
        self.workdir = workdir
        self.port = free_port()
        self.htpasswd = htpasswd
        self.proc: subprocess.Popen | None = None
        (workdir / "storage").mkdir(parents=True, exist_ok=True)
        auth = auth_config
        if htpasswd:
            import bcrypt

            pw = bcrypt.hashpw(htpasswd[1].encode(), bcrypt.gensalt(rounds=4)).decode()
            (workdir / "htpasswd").write_text(f"{htpasswd[0]}:{pw}\n")
            auth = f"auth:\n  htpasswd:\n    realm: nix2image-test\n    path: {workdir / 'htpasswd'}\n"
        (workdir / "config.yml").write_text(
            "version: 0.1\n"
            "log:\n  level: error\n  accesslog:\n    disabled: true\n"
            f"storage:\n  filesystem:\n    rootdirectory: {workdir / 'storage'}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: 127.0.0.1:{self.port}\n  secret: nix2image-test-secret\n"
            + (f"  tls:\n    certificate: {tls[0]}\n    key: {tls[1]}\n" if tls else "")
            + auth
        )

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "Registry":
        self.proc = subprocess.Popen(["docker-registry", "serve", str(self.workdir / "config.yml")],
                                     stdout=open(self.workdir / "registry.log", "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1)
                return self
            except urllib.error.HTTPError:
                return self  # 401 with auth: it is up
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("docker-registry exited: " + (self.workdir / "registry.log").read_text())
                time.sleep(0.1)
        raise RuntimeError("docker-registry did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class FaultProxy(LoopbackServer):
    """Forwards to ``target`` (host:port); ``rules`` change answers.

    Each rule is ``(method, path_substring, action, count)`` with action ``"500"`` (answer 500
    instead of forwarding), ``"bad-digest"`` (forward, then change Docker-Content-Digest) or
    ``"drop"`` (close the connection without an answer); ``count`` is how many times it fires.
    ``log`` records ``(method, path, status)`` of every request seen.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self.rules: list[list] = []
        self.log: list[tuple[str, str, int]] = []
        self.bytes_in = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _handle(self) -> None:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = self._read_chunked()
                else:
                    length = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(length) if length else b""
                proxy.bytes_in += len(body)
                action = proxy._match(self.command, self.path)
                if action == "drop":
                    proxy.log.append((self.command, self.path, 0))
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if action == "500":
                    proxy.log.append((self.command, self.path, 500))
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                conn = http.client.HTTPConnection(proxy.target, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "transfer-encoding")}
                if body:
                    headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body if body or self.command in ("PUT", "POST", "PATCH") else None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                proxy.log.append((self.command, self.path, resp.status))
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() in ("connection", "transfer-encoding", "content-length"):
                        continue
                    if k.lower() == "docker-content-digest" and action == "bad-digest":
                        v = "sha256:" + "0" * 64
                    if k.lower() == "location":
                        v = v.replace(proxy.target, f"127.0.0.1:{proxy.port}")
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            def _read_chunked(self) -> bytes:
                parts = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(parts)
                    parts.append(self.rfile.read(size))
                    self.rfile.readline()

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _handle

        self.serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler))

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _match(self, method: str, path: str) -> str | None:
        for rule in self.rules:
            m, sub, action, count = rule
            if count > 0 and method == m and sub in path:
                rule[3] -= 1
                return action
        return None


def _tar_bytes(files: dict[str, bytes]) -> bytes:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in sorted(files.items()):
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode, ti.mtime = len(data), 0o755 if name.startswith("bin/") else 0o644, 1
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def make_docker_archive(path: Path, layers: list[dict[str, bytes]], repo_tag: str, cmd: list[str] | None = None) -> list[str]:
    """A small layered docker-archive written by hand (manifest.json form); returns its diff_ids."""
    import hashlib
    import io
    import json
    import tarfile

    blobs = [_tar_bytes(files) for files in layers]
    diff_ids = ["sha256:" + hashlib.sha256(b).hexdigest() for b in blobs]
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:01Z",
        "config": {"Cmd": cmd or ["/bin/true"], "Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "1970-01-01T00:00:01Z"} for _ in blobs],
    }, sort_keys=True).encode()
    cfg_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": [repo_tag],
                            "Layers": [d.split(":")[1] + "/layer.tar" for d in diff_ids]}]).encode()
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        members = [(d.split(":")[1] + "/layer.tar", b) for d, b in zip(diff_ids, blobs)]
        members += [(cfg_name, config), ("manifest.json", manifest)]
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime = len(data), 1
            tf.addfile(ti, io.BytesIO(data))
    return diff_ids


class TokenServer:
    """A tiny bearer-token service (the Docker token flow) for a registry configured with
    ``auth.token``: it checks basic credentials and hands out RS256 JWTs signed by a
    self-signed certificate that the registry trusts (``rootcertbundle``)."""

    def __init__(self, workdir: Path, user: str, password: str, service: str = "nix2image-test") -> None:
        import base64
        import datetime
        import json as _json

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
        from cryptography.x509.oid import NameOID

        self.service = service
        self.issuer = "nix2image-test-issuer"
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nix2image-test-token")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(key, hashes.SHA256()))
        self.cert_path = workdir / "token-cert.pem"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        server = self

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        def token_for(scope: str) -> str:
            access = []
            for part in scope.split():
                kind, _, rest = part.partition(":")
                repo, _, actions = rest.rpartition(":")
                access.append({"type": kind, "name": repo, "actions": actions.split(",")})
            t = int(time.time())
            header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
            claims = {"iss": server.issuer, "sub": user, "aud": server.service, "exp": t + 300, "nbf": t - 10,
                      "iat": t, "jti": f"{t}-{len(server.issued)}", "access": access}
            signing_input = f"{b64(_json.dumps(header).encode())}.{b64(_json.dumps(claims).encode())}"
            sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
            return f"{signing_input}.{b64(sig)}"

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                import urllib.parse as up

                query = dict(up.parse_qsl(up.urlsplit(self.path).query))
                if self.headers.get("Authorization") != expected:
                    server.refused += 1
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = _json.dumps({"token": token_for(query.get("scope", ""))}).encode()
                server.issued.append(query.get("scope", ""))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.issued: list[str] = []
        self.refused = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def registry_auth_config(self) -> str:
        return (f"auth:\n  token:\n    realm: http://127.0.0.1:{self.port}/token\n    service: {self.service}\n"
                f"    issuer: {self.issuer}\n    rootcertbundle: {self.cert_path}\n")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
