"""Hashes as Nix handles them: algorithms, parsing in every textual form, printing, folding.

Nix writes a hash in four encodings: base16 (hex), Nix base32, base64 and SRI (``sha256-<base64>``),
optionally prefixed with the algorithm (``sha256:<hash>``). When parsing a bare hash the encoding
is recognised from its length, as ``Hash::parseAny`` does.
"""

from __future__ import annotations

import hashlib
import re

from .value_class import SlotValue
from . import base32
from .errors import StoreError

_HEX = re.compile(r"[0-9a-fA-F]*")

#: Digest size in bytes of every algorithm Nix knows.
HASH_SIZES = {"md5": 16, "sha1": 20, "sha256": 32, "sha512": 64}


class BadHash(StoreError):
    """A hash string that cannot be parsed; the message is Nix's."""


def check_algo(algo: str) -> str:
    """``algo`` when Nix knows it; otherwise Nix's ``unknown hash algorithm`` error."""
    if algo not in HASH_SIZES:
        raise BadHash(f"unknown hash algorithm '{algo}'")
    return algo


def new_hasher(algo: str):
    """A fresh ``hashlib`` object for a Nix hash algorithm."""
    return hashlib.new(check_algo(algo))


class Hash(SlotValue):
    """A digest and the algorithm that produced it: a value, compared and hashed by both."""

    __slots__ = ("algo", "digest")

    algo: str
    digest: bytes

    def __init__(self, algo: str, digest: bytes) -> None:
        self.algo = algo
        self.digest = digest

    def base16(self) -> str:
        return self.digest.hex()

    def base32(self) -> str:
        return base32.encode(self.digest)

    def base64(self) -> str:
        import base64  # (SRI forms only: base64 is 1 ms of every start-up)

        return base64.b64encode(self.digest).decode("ascii")

    def sri(self) -> str:
        return f"{self.algo}-{self.base64()}"

    def to_string(self, encoding: str = "base32", include_algo: bool = True) -> str:
        """Nix's ``Hash::to_string``: ``encoding`` is base16/base32/base64/sri."""
        if encoding == "sri":
            return self.sri()
        text = {"base16": self.base16, "base32": self.base32, "base64": self.base64}[encoding]()
        return f"{self.algo}:{text}" if include_algo else text

    def __str__(self) -> str:
        return self.to_string("base32", True)


def hash_bytes(algo: str, data: bytes) -> Hash:
    """The ``algo`` hash of ``data``."""
    h = new_hasher(algo)
    h.update(data)
    return Hash(algo, h.digest())


def hash_string(algo: str, text: str) -> Hash:
    """The ``algo`` hash of ``text`` encoded as UTF-8 (Nix strings are bytes; ours are UTF-8)."""
    return hash_bytes(algo, text.encode("utf-8", "surrogateescape"))


def hash_file(algo: str, path: str, chunk: int = 1 << 20) -> Hash:
    """The ``algo`` hash of the contents of a file (flat hashing), read in large chunks."""
    h = new_hasher(algo)
    with open(path, "rb") as f:
        while True:
            block = f.read(chunk)
            if not block:
                break
            h.update(block)
    return Hash(algo, h.digest())


def compress_hash(digest: bytes, size: int) -> bytes:
    """Fold ``digest`` to ``size`` bytes by XOR, as Nix does to get the 160-bit store path hash."""
    out = bytearray(digest[:size])
    out.extend(bytes(size - len(out)))
    for i in range(size, len(digest)):
        out[i % size] ^= digest[i]
    return bytes(out)


def _decode_body(rest: str, algo: str, is_sri: bool) -> Hash:
    size = HASH_SIZES[algo]
    if not is_sri and len(rest) == size * 2:
        if not _HEX.fullmatch(rest):
            raise BadHash(f"invalid base-16 hash '{rest}'")
        return Hash(algo, bytes.fromhex(rest))
    if not is_sri and len(rest) == base32.encoded_length(size):
        try:
            return Hash(algo, base32.decode(rest))
        except ValueError:
            raise BadHash(f"invalid base-32 hash '{rest}'") from None
    if is_sri or len(rest) == (size + 2) // 3 * 4:
        import base64
        import binascii

        try:
            digest = base64.b64decode(rest, validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if len(digest) != size:
            raise BadHash(f"invalid {'SRI' if is_sri else 'base-64'} hash '{rest}'")
        return Hash(algo, digest)
    raise BadHash(f"hash '{rest}' has wrong length for hash type '{algo}'")


def parse_hash(text: str, algo: str | None = None) -> Hash:
    """Parse a hash in any form Nix accepts (``Hash::parseAny``).

    Accepted: ``<algo>:<base16|base32|base64>``, SRI ``<algo>-<base64>``, or a bare base16/base32/
    base64 string when ``algo`` is given. A prefix that contradicts ``algo`` is an error, as in Nix.
    """
    rest = text
    prefixed: str | None = None
    is_sri = False
    if ":" in text:
        prefixed, rest = text.split(":", 1)
    elif "-" in text:
        prefixed, rest = text.split("-", 1)
        is_sri = True
    if prefixed is not None:
        check_algo(prefixed)
    if prefixed is None and not algo:
        raise BadHash(f"hash '{rest}' does not include a type, nor is the type otherwise known from context")
    if prefixed is not None and algo and algo != prefixed:
        raise BadHash(f"hash '{text}' should have type '{algo}'")
    algo = prefixed or algo
    check_algo(algo)
    return _decode_body(rest, algo, is_sri)


def parse_hash_allow_empty(text: str, algo: str | None) -> Hash:
    """``newHashAllowEmpty``: an empty hash means "all zeros" (Nix warns and uses a fake hash)."""
    if not text:
        if not algo:
            raise BadHash("empty hash requires explicit hash type")
        return Hash(algo, bytes(HASH_SIZES[check_algo(algo)]))
    return parse_hash(text, algo)
