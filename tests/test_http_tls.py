"""The one HTTP layer against TLS and proxies: Debian's docker-registry serving TLS with a CA
made here, and a forward proxy run here, both on 127.0.0.1. Certificates are trusted only when
given (--cert-dir, SSL_CERT_FILE); --tls-verify=false works only when asked; HTTPS_PROXY is
used and NO_PROXY bypasses it."""

from __future__ import annotations

import json
import os

import pytest

from conftest import run_cli
from registry_support import Registry, make_docker_archive
from tls_support import ForwardProxy, make_ca_and_server_cert

LAYERS = [{"bin/tool": b"#!/bin/sh\necho tls\n"}, {"etc/motd": b"over TLS\n"}]


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_ca_and_server_cert(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_registry(tmp_path_factory, pki):
    reg = Registry(tmp_path_factory.mktemp("tls-registry"), tls=(pki["cert"], pki["key"])).start()
    yield reg
    reg.stop()


@pytest.fixture
def proxy():
    p = ForwardProxy()
    yield p
    p.close()


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("https_proxy", "http_proxy", "all_proxy", "no_proxy", "ssl_cert_file",
                                "nix_ssl_cert_file")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def pushed(tls_registry, pki, tmp_path_factory):
    """An image pushed over TLS, trusting the test CA through --cert-dir."""
    src = tmp_path_factory.mktemp("src") / "img.tar"
    make_docker_archive(src, LAYERS, "tls:1")
    ref = f"docker://{tls_registry.host}/tls/app:1"
    proc = run_cli("push", str(src), ref, "--cert-dir", str(pki["ca_dir"]), "--json", "-q",
                   "--cache-dir", str(src.parent / "blobmap"), env=clean_env())
    assert proc.returncode == 0, proc.stderr
    return ref, json.loads(proc.stdout)["digest"]


def test_untrusted_certificate_is_refused(tls_registry, tmp_path):
    src = tmp_path / "img.tar"
    make_docker_archive(src, LAYERS, "tls:1")
    proc = run_cli("push", str(src), f"docker://{tls_registry.host}/tls/other:1", "--retries", "1", "-q",
                   "--cache-dir", str(tmp_path / "bm"), env=clean_env())
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: TLS: the certificate of 127.0.0.1:") and "not trusted" in proc.stderr
    assert "--cert-dir" in proc.stderr and "Traceback" not in proc.stderr


def test_pull_with_ssl_cert_file_and_tls_verify_false(pushed, pki, tmp_path):
    ref, digest = pushed
    a = run_cli("pull", ref, "-o", str(tmp_path / "a.tar"), "-q", env=clean_env(SSL_CERT_FILE=str(pki["ca"])))
    assert a.returncode == 0, a.stderr
    assert a.stdout.strip() == digest
    b = run_cli("pull", ref, "-o", str(tmp_path / "b.tar"), "-q", "--tls-verify=false", env=clean_env())
    assert b.returncode == 0, b.stderr
    assert (tmp_path / "a.tar").read_bytes() == (tmp_path / "b.tar").read_bytes()
    missing = run_cli("pull", ref, "-o", str(tmp_path / "c.tar"), "-q", env=clean_env(SSL_CERT_FILE=str(tmp_path / "nope.pem")))
    assert missing.returncode == 1 and "SSL_CERT_FILE" in missing.stderr and "Traceback" not in missing.stderr


def test_https_proxy_and_no_proxy(pushed, pki, proxy, tls_registry, tmp_path):
    ref, digest = pushed
    via = run_cli("pull", ref, "-o", str(tmp_path / "p.tar"), "-q", "--cert-dir", str(pki["ca_dir"]),
                  env=clean_env(HTTPS_PROXY=proxy.url))
    assert via.returncode == 0, via.stderr
    assert via.stdout.strip() == digest
    tunnels = proxy.connects()
    assert tunnels and set(tunnels) == {tls_registry.host}
    # connections are reused: far fewer tunnels than requests (manifest, config, 2 layers, ping)
    assert len(tunnels) <= 2
    before = len(proxy.log)
    direct = run_cli("pull", ref, "-o", str(tmp_path / "d.tar"), "-q", "--cert-dir", str(pki["ca_dir"]),
                     env=clean_env(HTTPS_PROXY=proxy.url, NO_PROXY="localhost,127.0.0.0/8"))
    assert direct.returncode == 0, direct.stderr
    assert len(proxy.log) == before


def test_proxy_that_refuses(pushed, pki, tmp_path):
    """A proxy that refuses the tunnel gives one clear error."""
    p = ForwardProxy()
    p.server.RequestHandlerClass.handle = lambda self: self.request.sendall(
        b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
    try:
        ref, _ = pushed
        proc = run_cli("pull", ref, "-o", str(tmp_path / "x.tar"), "-q", "--cert-dir", str(pki["ca_dir"]),
                       env=clean_env(HTTPS_PROXY=p.url))
    finally:
        p.close()
    assert proc.returncode == 1 and "proxy" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.tar").exists()
