"""Which proxy a URL goes through: ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` and
``NO_PROXY`` (lower-case forms first, as curl reads them).

``NO_PROXY`` is a comma-separated list of host names (a name also matches its subdomains, a
leading ``.`` or ``*.`` is allowed), IP addresses or CIDR blocks, each optionally with ``:port``;
``*`` alone turns proxies off. A proxy URL without a scheme is ``http://``.
"""

from __future__ import annotations

import ipaddress
import os
import urllib.parse
from collections.abc import Mapping


def _env(env: Mapping[str, str], name: str) -> str:
    return env.get(name.lower()) or env.get(name.upper()) or ""


def proxy_for(url: str, env: Mapping[str, str] | None = None) -> str | None:
    """The proxy URL for ``url``, or None for a direct connection."""
    env = os.environ if env is None else env
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None
    proxy = _env(env, f"{scheme}_proxy") or _env(env, "all_proxy")
    if not proxy:
        return None
    if bypassed(parts.hostname or "", parts.port or (443 if scheme == "https" else 80), _env(env, "no_proxy")):
        return None
    if "://" not in proxy:
        proxy = "http://" + proxy
    return proxy


def bypassed(host: str, port: int, no_proxy: str) -> bool:
    """True when ``host:port`` matches an entry of a ``NO_PROXY`` list."""
    host = host.strip("[]").lower().rstrip(".")
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        addr = None
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        entry_port = None
        if entry.startswith("["):  # [v6]:port
            inner, _, rest = entry[1:].partition("]")
            entry, entry_port = inner, rest[1:] if rest.startswith(":") else None
        elif entry.count(":") == 1:
            entry, entry_port = entry.split(":")
        if entry_port and entry_port.isdigit() and int(entry_port) != port:
            continue
        if addr is not None:
            try:
                if addr in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
            continue
        name = entry.lstrip("*").lstrip(".").rstrip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False
