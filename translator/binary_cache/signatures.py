"""ed25519 signatures over narinfo fingerprints, checked against ``trusted-public-keys``.

Keys and signatures are written as Nix writes them: ``NAME:<base64>`` (32 key bytes, 64
signature bytes). A narinfo is accepted when any of its ``Sig`` lines is a valid signature by a
trusted key of the same name (``cryptography`` does the ed25519 arithmetic).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import UsageError


@dataclass(frozen=True, slots=True)
class PublicKey:
    name: str
    key: Ed25519PublicKey


def _split(text: str, size: int, what: str) -> tuple[str, bytes]:
    name, sep, b64 = text.strip().partition(":")
    if not sep or not name:
        raise ValueError(f"{what} '{text}' is not NAME:BASE64")
    try:
        raw = base64.b64decode(b64, validate=True)
    except binascii.Error:
        raise ValueError(f"{what} '{text}': not base64") from None
    if len(raw) != size:
        raise ValueError(f"{what} '{text}': {len(raw)} bytes, expected {size}")
    return name, raw


def parse_public_key(text: str) -> PublicKey:
    """``NAME:BASE64`` (a ``trusted-public-keys`` entry)."""
    try:
        name, raw = _split(text, 32, "public key")
    except ValueError as err:
        raise UsageError(f"trusted-public-keys: {err}") from None
    return PublicKey(name, Ed25519PublicKey.from_public_bytes(raw))


def parse_public_keys(texts: Iterable[str]) -> dict[str, list[PublicKey]]:
    """Keys by name (a name may carry several keys, e.g. during a rotation)."""
    out: dict[str, list[PublicKey]] = {}
    for t in texts:
        k = parse_public_key(t)
        out.setdefault(k.name, []).append(k)
    return out


def signer_names(sigs: Iterable[str]) -> list[str]:
    """The key names that ``Sig`` lines claim (for error messages)."""
    return sorted({s.partition(":")[0] for s in sigs if ":" in s})


def verify(fingerprint: str, sigs: Iterable[str], keys: dict[str, list[PublicKey]]) -> str | None:
    """The name of a trusted key whose signature over ``fingerprint`` is valid, else None."""
    data = fingerprint.encode()
    for s in sigs:
        try:
            name, raw = _split(s, 64, "signature")
        except ValueError:
            continue
        for k in keys.get(name, ()):
            try:
                k.key.verify(raw, data)
                return name
            except InvalidSignature:
                continue
    return None


def sign(fingerprint: str, secret_key: str) -> str:
    """``NAME:<sig>`` for a Nix secret key ``NAME:BASE64(64 bytes: seed + public key)`` (tests, tools)."""
    name, raw = _split(secret_key, 64, "secret key")
    sig = Ed25519PrivateKey.from_private_bytes(raw[:32]).sign(fingerprint.encode())
    return f"{name}:{base64.b64encode(sig).decode()}"
