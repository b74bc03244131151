"""Image names and tags as nixpkgs' dockerTools forms them.

* The name is lowercased (``lib.toLower name``); a registry prefix (``registry-1.docker.io/x``,
  ``localhost:5000/x``) is part of the name and is kept as written.
* A given ``tag`` is used as is.
* A null ``tag``: nixpkgs uses the hash part of the image's own store path, which exists only when
  Nix builds it. nix2image derives it from the content instead: **the first 32 characters of the
  Nix base32 encoding of the SHA-256 of the image config JSON** (the config holds every diff_id,
  so two images with the same content and config get the same tag, and any change of a layer or
  of the config changes the tag). It looks like a store path hash, as nixpkgs' tags do.
"""

from __future__ import annotations

import hashlib
import re

from ..errors import UsageError

_NIX32 = "0123456789abcdfghijklmnpqrsvwxyz"
_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def nix_base32(data: bytes) -> str:
    """Nix's base32 (``nix-hash --to-base32``): little-endian bit order, its own alphabet."""
    n = len(data)
    length = (n * 8 - 1) // 5 + 1
    out = []
    for i in range(length - 1, -1, -1):
        b = i * 5
        j, k = divmod(b, 8)
        c = data[j] >> k
        if j + 1 < n:
            c |= data[j + 1] << (8 - k)
        out.append(_NIX32[c & 0x1F])
    return "".join(out)


def image_name(name: str) -> str:
    """The repository name written into the archive: lowercased, registry prefix kept."""
    if not name:
        raise UsageError("error: the image name is empty")
    return name.lower()


def content_tag(config_json: bytes) -> str:
    """The tag used when ``tag = null``: see the module docstring."""
    return nix_base32(hashlib.sha256(config_json).digest())[:32]


def image_tag(tag: str | None, config_json: bytes) -> str:
    """The given tag, or the content-derived one; rejects tags container tools would refuse."""
    if tag is None:
        return content_tag(config_json)
    if not _TAG_RE.match(tag):
        raise UsageError(f"error: invalid image tag {tag!r}: a tag is 1-128 characters of [A-Za-z0-9_.-], not starting with '.' or '-'")
    return tag


def repo_tag(name: str, tag: str) -> str:
    return f"{image_name(name)}:{tag}"
