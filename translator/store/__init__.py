"""Nix store primitives: Nix base32, hashes, NAR serialisation, store paths and derivations.

Everything here is pure computation (no store is written): store paths are derived from content
hashes exactly as Nix 2.8 derives them.
"""
