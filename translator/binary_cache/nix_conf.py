"""Nix settings from ``nix.conf`` files and ``NIX_CONFIG``, read the way Nix reads them.

Sources, later ones overriding earlier ones: ``$NIX_CONF_DIR/nix.conf`` (``/etc/nix/nix.conf``),
then the user files (``$NIX_USER_CONF_FILES``, colon-separated, or ``nix/nix.conf`` in
``$XDG_CONFIG_DIRS`` and ``$XDG_CONFIG_HOME``, the more important last), then ``$NIX_CONFIG``.
Each is ``name = value`` lines with ``#`` comments and ``include FILE`` / ``!include FILE``
(the latter silent when missing). ``extra-NAME = ...`` appends to ``NAME``; within one source
the plain settings apply before the ``extra-`` ones, as in Nix. Only the values nix2image uses
are kept; the rest are ignored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..errors import UserError

#: The settings nix2image reads (list-valued ones are whitespace-separated).
LIST_SETTINGS = ("substituters", "trusted-public-keys", "trusted-substituters")
SCALAR_SETTINGS = ("require-sigs", "download-attempts", "connect-timeout", "stalled-download-timeout")


def config_files(env: Mapping[str, str]) -> list[Path]:
    """The nix.conf files Nix reads, least important first."""
    files = [Path(env.get("NIX_CONF_DIR") or "/etc/nix") / "nix.conf"]
    if env.get("NIX_USER_CONF_FILES"):
        users = [Path(p) for p in env["NIX_USER_CONF_FILES"].split(":") if p]
    else:
        home = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
        dirs = [home] + [d for d in (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":") if d]
        users = [Path(d) / "nix" / "nix.conf" for d in dirs]
    return files + list(reversed(users))


def _lines(text: str, origin: str, depth: int) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if words[0] in ("include", "!include"):
            if len(words) != 2:
                raise UserError(f"{origin}:{n}: '{words[0]}' takes one file name")
            target = Path(words[1])
            if not target.is_absolute() and origin not in ("NIX_CONFIG",):
                target = Path(origin).parent / target
            if target.is_file() and depth < 16:
                pairs += _lines(target.read_text(errors="replace"), str(target), depth + 1)
            elif words[0] == "include" and not target.is_file():
                raise UserError(f"{origin}:{n}: included file {target} does not exist")
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise UserError(f"{origin}:{n}: expected 'name = value', found '{line}'")
        pairs.append((name.strip(), value.strip()))
    return pairs


def apply(settings: dict[str, str], text: str, origin: str) -> None:
    """Apply one source's lines to ``settings`` (plain settings first, then ``extra-`` ones)."""
    pairs = _lines(text, origin, 0)
    plain = [(k, v) for k, v in pairs if not k.startswith("extra-")]
    extra = [(k[6:], v) for k, v in pairs if k.startswith("extra-")]
    for k, v in plain:
        settings[k] = v
    for k, v in extra:
        old = settings.get(k, "")
        settings[k] = f"{old} {v}".strip()


def read_settings(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every setting from the nix.conf files and ``NIX_CONFIG``, as raw strings."""
    env = os.environ if env is None else env
    settings: dict[str, str] = {}
    for f in config_files(env):
        if f.is_file():
            try:
                text = f.read_text(errors="replace")
            except OSError:
                continue
            apply(settings, text, str(f))
    if env.get("NIX_CONFIG"):
        apply(settings, env["NIX_CONFIG"], "NIX_CONFIG")
    return settings


def as_list(value: str | None) -> list[str]:
    return (value or "").split()


def as_bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("true", "1", "yes")
