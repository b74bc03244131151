"""How the HTTP layer connects (TLS trust, timeouts, proxy variables, user agent), apart from
:mod:`.client` so that settings can be made without loading urllib3."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .tls import TlsSettings


@dataclass(frozen=True, slots=True)
class HttpSettings:
    tls: TlsSettings = field(default_factory=TlsSettings)
    timeout: float = 60.0  # seconds without data before a read gives up
    connect_timeout: float = 20.0
    env: Mapping[str, str] | None = None  # proxy variables (default: os.environ)
    user_agent: str = "nix2image"
