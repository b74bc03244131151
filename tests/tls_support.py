"""TLS and proxies for tests, all on loopback: a CA and a server certificate for 127.0.0.1 made
with ``cryptography``, and a small forward proxy (``CONNECT`` tunnels and absolute-URI GETs)
that records what it was asked."""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import select
import socket
import socketserver
import urllib.parse
from pathlib import Path

from loopback import LoopbackServer


def make_ca_and_server_cert(workdir: Path, name: str = "n2i-test") -> dict[str, Path]:
    """``{"ca": ca.pem, "cert": server.pem, "key": server.key, "ca_dir": dir with ca.crt}``; the
    certificate is for 127.0.0.1 and good for server and client authentication."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH,
                                                   x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    workdir.mkdir(parents=True, exist_ok=True)
    out = {"ca": workdir / "ca.pem", "cert": workdir / "server.pem", "key": workdir / "server.key",
           "ca_dir": workdir / "certs"}
    out["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    out["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    out["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    out["ca_dir"].mkdir(exist_ok=True)
    (out["ca_dir"] / "ca.crt").write_bytes(out["ca"].read_bytes())
    return out


class ForwardProxy(LoopbackServer):
    """An HTTP forward proxy on 127.0.0.1: ``CONNECT host:port`` tunnels (only to loopback) and
    ``GET http://...`` requests; ``log`` lists the request lines it received."""

    def __init__(self) -> None:
        self.log: list[str] = []
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock = self.request
                f = sock.makefile("rb")
                line = f.readline().decode("latin-1").strip()
                headers = {}
                while True:
                    h = f.readline().decode("latin-1")
                    if h in ("\r\n", "\n", ""):
                        break
                    k, _, v = h.partition(":")
                    headers[k.strip().lower()] = v.strip()
                proxy.log.append(line)
                method, target, _ = (line.split(" ") + ["", ""])[:3]
                if method == "CONNECT":
                    host, _, port = target.rpartition(":")
                    if host not in ("127.0.0.1", "localhost"):
                        sock.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                        return
                    upstream = socket.create_connection((host, int(port)), timeout=30)
                    sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    _pump(sock, upstream, f)
                    return
                parts = urllib.parse.urlsplit(target)
                if parts.hostname not in ("127.0.0.1", "localhost"):
                    sock.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                    return
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                fwd = {k: v for k, v in headers.items() if k not in ("proxy-connection", "connection")}
                conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=fwd)
                resp = conn.getresponse()
                body = resp.read()
                out = [f"HTTP/1.1 {resp.status} {resp.reason}"]
                out += [f"{k}: {v}" for k, v in resp.getheaders()
                        if k.lower() not in ("connection", "transfer-encoding", "content-length")]
                out += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
                sock.sendall("\r\n".join(out).encode("latin-1") + body)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.serve(Server(("127.0.0.1", 0), Handler))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def connects(self) -> list[str]:
        return [l.split(" ")[1] for l in self.log if l.startswith("CONNECT ")]


def _pump(client: socket.socket, upstream: socket.socket, buffered) -> None:
    """Copy bytes both ways until one side closes (bounded by a 30 s idle timeout)."""
    pending = buffered.peek() if hasattr(buffered, "peek") else b""
    if pending:
        upstream.sendall(buffered.read(len(pending)))
    socks = [client, upstream]
    try:
        while True:
            ready, _, _ = select.select(socks, [], [], 30)
            if not ready:
                return
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (upstream if s is client else client).sendall(data)
    finally:
        upstream.close()
