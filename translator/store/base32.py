"""Nix's base32 encoding of hashes (as in ``/nix/store/<base32>-name``).

Nix does not use RFC 4648 base32: its alphabet omits ``e o u t`` and the digits are emitted
starting from the *last* 5-bit group of the little-endian bit string, so the output reads
"backwards". A ``n``-byte input gives ``ceil(n * 8 / 5)`` characters.
"""

from __future__ import annotations

ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def encoded_length(n_bytes: int) -> int:
    """Number of characters that encode ``n_bytes`` bytes."""
    return (n_bytes * 8 - 1) // 5 + 1 if n_bytes else 0


def decoded_length(n_chars: int) -> int:
    """Number of bytes encoded by ``n_chars`` characters."""
    return n_chars * 5 // 8


def encode(data: bytes) -> str:
    """Nix base32 text of ``data``."""
    if not data:
        return ""
    num = int.from_bytes(data, "little")
    n = encoded_length(len(data))
    # character k (from the left) is 5-bit group n-1-k of the little-endian integer
    return "".join(ALPHABET[(num >> (5 * i)) & 0x1F] for i in range(n - 1, -1, -1))


def decode(s: str) -> bytes:
    """Bytes encoded by Nix base32 text ``s``; ``ValueError`` for invalid text."""
    n_bytes = decoded_length(len(s))
    num = 0
    for c in s:  # leftmost character is the most significant group
        try:
            d = _INDEX[c]
        except KeyError:
            raise ValueError(f"invalid character {c!r} in Nix base32 string {s!r}") from None
        num = (num << 5) | d
    if num >> (n_bytes * 8):
        raise ValueError(f"invalid Nix base32 string {s!r} (excess bits)")
    return num.to_bytes(n_bytes, "little")


def is_valid(s: str) -> bool:
    """True when ``s`` consists only of Nix base32 characters."""
    return all(c in _INDEX for c in s)
