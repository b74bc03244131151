"""The one HTTP layer nix2image speaks through, for registries and binary caches alike.

* :mod:`.tls`: which certificates are trusted for a host (system CAs, ``SSL_CERT_FILE``,
  ``--cert-dir`` or ``/etc/containers/certs.d/<host>/``, client certificates) and
  ``--tls-verify=false``.
* :mod:`.proxy`: ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` as curl and Go read them.
* :mod:`.retry`: retries with exponential backoff for connection errors and 5xx answers.
* :mod:`.client`: :class:`~.client.HttpClient`, pooled connections (urllib3) per host, proxy
  and TLS setting, turning transport failures into :class:`~.retry.TransientError` or
  :class:`~.client.TlsError`.
"""


from importlib import import_module
from typing import Any

__all__ = ["HttpClient", "HttpSettings", "Response", "RetryPolicy", "TlsError", "TransientError"]
_HOMES = {"HttpClient": "client", "Response": "client", "TlsError": "client", "HttpSettings": "settings",
          "RetryPolicy": "retry", "TransientError": "retry"}


def __getattr__(name: str) -> Any:
    """The names above, imported on first use: importing :mod:`.tls` or :mod:`.settings` (as
    commands that may never go online do) must not load urllib3."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{home}", __name__), name)
