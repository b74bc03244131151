"""Binary caches for tests: made by Nix itself from ../shared/conformance/image's store paths
(``nix-store --generate-binary-cache-key``, ``nix copy --to file://DIR?compression=...``),
served over loopback HTTP(S) by :class:`CacheServer`, which can also misbehave on request
(answer 500 a few times, cut a body short)."""

from __future__ import annotations

import http.server
import os
import shutil
import ssl
import subprocess
import threading
from pathlib import Path

from conftest import nix_env
from loopback import LoopbackServer


def make_key(workdir: Path, name: str) -> tuple[Path, str]:
    """``(secret key file, public key text)`` made by ``nix-store --generate-binary-cache-key``."""
    sk, pk = workdir / f"{name}.sec", workdir / f"{name}.pub"
    if not sk.exists():
        subprocess.run(["nix-store", "--generate-binary-cache-key", name, str(sk), str(pk)], env=nix_env(),
                       check=True, capture_output=True, timeout=60)
    return sk, pk.read_text().strip()


def nix_copy(paths: list[str], dest: Path, compression: str, secret_key: Path) -> Path:
    """A signed file:// binary cache holding ``paths`` (and their closure), written by Nix."""
    url = f"file://{dest}?compression={compression}&secret-key={secret_key}"
    proc = subprocess.run(["nix", "copy", "--to", url, *paths], env=nix_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return dest


def copy_cache(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


class CacheServer(LoopbackServer):
    """Serves a directory on 127.0.0.1 (HTTP, or HTTPS with ``tls=(cert, key)``).

    ``fail[name] = n``: answer 500 to the next ``n`` requests whose path ends with ``name``;
    ``cut[name] = n``: send the first half of the body (with the full Content-Length) and close,
    ``n`` times. ``log`` lists ``(path, status)`` of every request.
    """

    def __init__(self, root: Path, tls: tuple[Path, Path] | None = None) -> None:
        self.root = root
        self.fail: dict[str, int] = {}
        self.cut: dict[str, int] = {}
        self.log: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _rule(self, table: dict[str, int]) -> bool:
                with server.lock:
                    for name, n in table.items():
                        if n > 0 and self.path.endswith(name):
                            table[name] = n - 1
                            return True
                return False

            def do_GET(self) -> None:
                rel = self.path.split("?", 1)[0].lstrip("/")
                if self._rule(server.fail):
                    server.log.append((self.path, 500))
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                target = server.root / rel
                if ".." in rel.split("/") or not target.is_file():
                    server.log.append((self.path, 404))
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = target.read_bytes()
                cut = self._rule(server.cut)
                server.log.append((self.path, 200))
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if cut:
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(data)

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if tls is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(tls[0]), str(tls[1]))
            httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
            self.scheme = "https"
        self.serve(httpd)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def requests(self, suffix: str) -> list[int]:
        return [status for path, status in self.log if path.endswith(suffix)]


def leftovers(cache_home: Path) -> list[str]:
    """Half-written entries in nix2image's content cache (there must never be any)."""
    nar = cache_home / "nix2image" / "binary-cache" / "nar"
    return sorted(p.name for p in nar.iterdir() if p.name.startswith((".tmp", ".nix2image-"))) if nar.is_dir() else []


def cached_hashes(cache_home: Path) -> set[str]:
    nar = cache_home / "nix2image" / "binary-cache" / "nar"
    return {p.name for p in nar.iterdir()} if nar.is_dir() else set()


def env_with(cache_home: Path, **extra: str) -> dict[str, str]:
    """The CLI's environment: its own cache home, no Nix configuration of the machine."""
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(cache_home)
    env["NIX_CONFIG"] = "substituters =\ntrusted-public-keys ="
    env.pop("NIX2IMAGE_CACHE", None)
    env.update(extra)
    return env
