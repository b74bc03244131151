"""Where nix2image keeps its caches (parse cache, layer cache, fetched sources, binary-cache NARs,
placeholder contents, ...): ``$NIX2IMAGE_CACHE`` if set, else ``$XDG_CACHE_HOME/nix2image``,
else ``~/.cache/nix2image``. One place, so that moving the caches moves all of them."""

from __future__ import annotations

import os


def cache_home(*parts: str) -> str:
    """The cache directory (or ``parts`` below it); not created here."""
    base = os.environ.get("NIX2IMAGE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "nix2image")
    return os.path.join(base, *parts)
