"""Which certificates a TLS connection trusts, as container and Nix tools decide it.

For every ``host[:port]`` the context trusts:

* the system CAs (OpenSSL's default paths), or the bundle named by ``NIX_SSL_CERT_FILE`` /
  ``SSL_CERT_FILE`` (as Nix and curl honour them) when set;
* plus, like skopeo and podman (``containers-certs.d(5)``), the ``*.crt`` files of the host's
  directory: ``--cert-dir DIR`` when given, else the first of
  ``/etc/containers/certs.d/<host[:port]>/``, ``~/.config/containers/certs.d/<host[:port]>/``,
  ``/etc/docker/certs.d/<host[:port]>/`` that exists; a ``NAME.cert`` with a ``NAME.key`` there is
  a client certificate.

``verify=False`` (``--tls-verify=false``) turns checking off, only when asked.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError

#: Where per-host certificate directories live, in the order they are looked up.
CERTS_D = ("/etc/containers/certs.d", "~/.config/containers/certs.d", "/etc/docker/certs.d")


@dataclass(frozen=True, slots=True)
class TlsSettings:
    verify: bool = True
    cert_dir: str | None = None  # --cert-dir: replaces the certs.d lookup
    certs_d: tuple[str, ...] = CERTS_D


def host_cert_dir(host: str, port: int | None, settings: TlsSettings) -> Path | None:
    """The certificate directory for ``host[:port]``: ``--cert-dir``, else certs.d's entry."""
    if settings.cert_dir:
        d = Path(settings.cert_dir)
        if not d.is_dir():
            raise UserError(f"--cert-dir {settings.cert_dir}: no such directory")
        return d
    names = [f"{host}:{port}", host] if port not in (None, 443) else [host]
    for base in settings.certs_d:
        for name in names:
            d = Path(os.path.expanduser(base)) / name
            if d.is_dir():
                return d
    return None


def ca_bundle_from_env() -> str | None:
    """The CA bundle ``NIX_SSL_CERT_FILE`` or ``SSL_CERT_FILE`` names (it must exist)."""
    for var in ("NIX_SSL_CERT_FILE", "SSL_CERT_FILE"):
        value = os.environ.get(var)
        if value:
            if not os.path.isfile(value):
                raise UserError(f"{var}={value}: no such file (it should name a CA certificate bundle)")
            return value
    return None


def context_for(host: str, port: int | None, settings: TlsSettings) -> ssl.SSLContext:
    """The SSL context for connections to ``host[:port]``."""
    if not settings.verify:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        bundle = ca_bundle_from_env()
        ctx = ssl.create_default_context(cafile=bundle) if bundle else ssl.create_default_context()
    d = host_cert_dir(host, port, settings)
    if d is not None:
        try:
            for crt in sorted(d.glob("*.crt")):
                if settings.verify:
                    ctx.load_verify_locations(cafile=str(crt))
            for cert in sorted(d.glob("*.cert")):
                key = cert.with_suffix(".key")
                if not key.is_file():
                    raise UserError(f"{cert}: client certificate without its key {key.name}")
                ctx.load_cert_chain(str(cert), str(key))
        except (ssl.SSLError, OSError) as err:
            raise UserError(f"cannot load the certificates in {d}: {err}") from None
    return ctx
