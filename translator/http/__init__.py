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

from .client import HttpClient, HttpSettings, Response, TlsError
from .retry import RetryPolicy, TransientError

__all__ = ["HttpClient", "HttpSettings", "Response", "RetryPolicy", "TlsError", "TransientError"]
