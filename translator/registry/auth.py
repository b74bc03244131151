"""Registry credentials and the ``WWW-Authenticate`` challenge flow.

Credentials come from (first found wins): explicit flags, ``$REGISTRY_AUTH_FILE``,
``$XDG_RUNTIME_DIR/containers/auth.json``, ``~/.docker/config.json``. Both files use the
``{"auths": {"host": {"auth": base64("user:pass")}}}`` shape. Secrets never appear in messages:
:class:`Credentials` hides the password from ``repr``.
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: str = field(repr=False)

    def basic_header(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {token}"


def _auth_files() -> list[Path]:
    files = []
    if os.environ.get("REGISTRY_AUTH_FILE"):
        files.append(Path(os.environ["REGISTRY_AUTH_FILE"]))
    if os.environ.get("XDG_RUNTIME_DIR"):
        files.append(Path(os.environ["XDG_RUNTIME_DIR"]) / "containers" / "auth.json")
    docker_config = os.environ.get("DOCKER_CONFIG")
    files.append(Path(docker_config) / "config.json" if docker_config else Path.home() / ".docker" / "config.json")
    return files


def _host_keys(registry: str) -> list[str]:
    keys = [registry, f"https://{registry}", f"http://{registry}", f"https://{registry}/v1/", f"https://{registry}/v2/"]
    if registry == "registry-1.docker.io":
        keys += ["docker.io", "https://index.docker.io/v1/", "index.docker.io"]
    return keys


def credentials_for(registry: str, username: str | None = None, password: str | None = None) -> Credentials | None:
    """The credentials to use for ``registry``: flags first, then the auth files."""
    if username is not None:
        if password is None:
            raise UserError(f"a username was given for {registry} without a password (--password or --password-stdin)")
        return Credentials(username, password)
    for path in _auth_files():
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise UserError(f"cannot read registry credentials from {path}: {err}") from None
        auths = data.get("auths") or {}
        for key in _host_keys(registry):
            entry = auths.get(key)
            if not entry:
                continue
            if "auth" in entry:
                try:
                    user, _, pw = base64.b64decode(entry["auth"]).decode().partition(":")
                except (ValueError, UnicodeDecodeError):
                    raise UserError(f"{path}: the 'auth' entry for {key} is not base64 of user:password") from None
                return Credentials(user, pw)
            if "username" in entry and "password" in entry:
                return Credentials(entry["username"], entry["password"])
    return None


@dataclass(frozen=True, slots=True)
class Challenge:
    """A parsed ``WWW-Authenticate`` header: scheme (``basic``/``bearer``) and its parameters."""

    scheme: str
    params: dict[str, str]


_PARAM = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')


def parse_challenge(header: str) -> Challenge:
    scheme, _, rest = header.strip().partition(" ")
    params = {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _PARAM.finditer(rest)}
    return Challenge(scheme.lower(), params)
