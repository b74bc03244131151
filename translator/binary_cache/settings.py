"""What one command run uses of binary caches: command-line options over Nix's configuration.

``--substituters`` and ``--trusted-public-keys`` replace the configured values (as Nix's own
options do); without them, ``substituters`` / ``trusted-public-keys`` (and their ``extra-``
forms) come from nix.conf and ``NIX_CONFIG`` (:mod:`.nix_conf`). Nix's built-in default,
cache.nixos.org, is *not* assumed: nix2image asks a cache only when one is configured, so a
machine without network never waits on one. ``require-sigs = false`` accepts unsigned narinfos,
``download-attempts`` and ``connect-timeout`` are honoured as Nix honours them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..errors import UsageError
from ..http.settings import HttpSettings
from ..http.tls import TlsSettings
from . import nix_conf
from ..cachedir import cache_home


@dataclass(frozen=True, slots=True)
class CacheSettings:
    substituters: tuple[str, ...] = ()
    trusted_public_keys: tuple[str, ...] = ()
    require_sigs: bool = True
    offline: bool = False
    attempts: int = 5
    http: HttpSettings = field(default_factory=HttpSettings)
    cache_dir: str | None = None  # default: $XDG_CACHE_HOME/nix2image/binary-cache
    progress: bool | None = None  # default: stderr is a terminal
    quiet: bool = False  # no retry notes on stderr

    @property
    def active(self) -> bool:
        return bool(self.substituters)

    def content_dir(self) -> str:
        if self.cache_dir:
            return self.cache_dir
        return cache_home("binary-cache")


def _words(values: Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    out: list[str] = []
    for v in values:
        out += v.split()
    return out


def resolve(substituters: Iterable[str] | None = None, trusted_public_keys: Iterable[str] | None = None, *,
            offline: bool = False, tls_verify: bool = True, cert_dir: str | None = None,
            env: Mapping[str, str] | None = None) -> CacheSettings:
    """Settings from the command line (None: not given) and the Nix configuration."""
    conf = nix_conf.read_settings(env)
    subs = _words(substituters) if substituters else nix_conf.as_list(conf.get("substituters"))
    keys = _words(trusted_public_keys) if trusted_public_keys else nix_conf.as_list(conf.get("trusted-public-keys"))
    try:
        attempts = max(1, int(conf.get("download-attempts") or 5))
        connect = float(conf.get("connect-timeout") or 0) or 20.0
        stalled = float(conf.get("stalled-download-timeout") or 0) or 300.0
    except ValueError as err:
        raise UsageError(f"nix configuration: {err}") from None
    seen: list[str] = []
    for s in subs:
        if s not in seen:
            seen.append(s)
    for s in seen:
        scheme = s.split("://", 1)[0] if "://" in s else ""
        if scheme not in ("http", "https", "file"):
            raise UsageError(f"substituter '{s}': nix2image reads http://, https:// and file:// binary caches",
                             hint="copy the paths into a file:// cache with `nix copy --to file:///DIR`")
    http = HttpSettings(tls=TlsSettings(verify=tls_verify, cert_dir=cert_dir), timeout=stalled, connect_timeout=connect)
    return CacheSettings(substituters=tuple(seen), trusted_public_keys=tuple(keys),
                         require_sigs=nix_conf.as_bool(conf.get("require-sigs"), True), offline=offline,
                         attempts=attempts, http=http)
