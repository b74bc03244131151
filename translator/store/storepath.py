"""Store paths: how Nix derives ``/nix/store/<hash>-<name>`` from a content or derivation hash.

Every store path is ``<storeDir>/<base32(compress(sha256(fingerprint), 20))>-<name>`` where the
fingerprint is ``<type>:sha256:<inner hash hex>:<storeDir>:<name>`` and ``type`` says what kind
of object it is:

* ``text[:ref...]``            a text file (``builtins.toFile``, ``.drv`` files)
* ``source[:ref...][:self]``   a NAR-hashed (recursive sha256) path (``"${./dir}"``)
* ``output:<id>``              a derivation output, or a fixed-output path of another method/algo

The store directory defaults to ``/nix/store`` and can be overridden with :func:`set_store_dir`
(or the ``NIX_STORE_DIR`` environment variable, as Nix reads it).
"""

from __future__ import annotations

import hashlib
import os

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Iterable

from . import base32
from .errors import StoreError
from .hashing import Hash, compress_hash, hash_string

MAX_NAME_LEN = 211
HASH_LEN = 32  # characters of base32 in a store path's hash part
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-._?=")
DRV_EXTENSION = ".drv"

_store_dir = os.environ.get("NIX_STORE_DIR", "/nix/store").rstrip("/") or "/nix/store"


class BadStorePath(StoreError):
    """An invalid store path or store path name; the message is Nix's.

    In Nix it is an evaluation error (e.g. ``"${/tmp + "/a b"}"``): the evaluator wraps it.
    """


def store_dir() -> str:
    """The store directory in use (``/nix/store`` unless overridden)."""
    return _store_dir


def set_store_dir(path: str) -> None:
    """Use another store directory for every path computed afterwards."""
    global _store_dir
    _store_dir = path.rstrip("/") or "/"


def check_name(path_for_error: str, name: str) -> None:
    """Nix's store path name rules; raise :class:`BadStorePath` with Nix's message."""
    if not name:
        raise BadStorePath(f"store path '{path_for_error}' has an empty name")
    if len(name) > MAX_NAME_LEN:
        raise BadStorePath(f"store path '{path_for_error}' has a name longer than {MAX_NAME_LEN} characters")
    for c in name:
        if c not in _NAME_CHARS:
            raise BadStorePath(f"store path '{path_for_error}' contains illegal character '{c}'")


def make_type(kind: str, references: Iterable[str] = (), has_self_reference: bool = False) -> str:
    """The ``type`` part of a fingerprint: ``kind`` then ``:<ref>`` for each sorted reference."""
    res = kind
    for ref in sorted(set(references)):
        res += ":" + ref
    if has_self_reference:
        res += ":self"
    return res


def make_store_path(type_: str, inner: Hash, name: str) -> str:
    """``makeStorePath``: the store path for fingerprint ``type:algo:hex:storeDir:name``."""
    fingerprint = f"{type_}:{inner.algo}:{inner.base16()}:{_store_dir}:{name}"
    digest = hashlib.sha256(fingerprint.encode("utf-8", "surrogateescape")).digest()
    part = base32.encode(compress_hash(digest, 20))
    check_name(f"{part}-{name}", name)
    return f"{_store_dir}/{part}-{name}"


def make_text_path(name: str, content_hash: Hash, references: Iterable[str] = ()) -> str:
    """Path of a text object (``toFile``, ``.drv``): ``content_hash`` is sha256 of the text."""
    if content_hash.algo != "sha256":
        raise ValueError("text paths are addressed by sha256")
    return make_store_path(make_type("text", references), content_hash, name)


def make_fixed_output_path(name: str, content_hash: Hash, *, recursive: bool,
                           references: Iterable[str] = (), has_self_reference: bool = False) -> str:
    """``makeFixedOutputPath``: where content with this hash (flat file or NAR) is stored.

    A recursive sha256 hash gives a ``source`` path (the same as ``nix-store --add``); every other
    method/algorithm is folded through ``fixed:out:[r:]<algo>:<hex>:`` into an ``output:out`` path.
    """
    if recursive and content_hash.algo == "sha256":
        return make_store_path(make_type("source", references, has_self_reference), content_hash, name)
    references = list(references)
    if references or has_self_reference:
        raise ValueError("fixed-output paths other than recursive sha256 cannot have references")
    inner = hash_string("sha256", f"fixed:out:{'r:' if recursive else ''}{content_hash.to_string('base16', True)}:")
    return make_store_path("output:out", inner, name)


def output_path_name(drv_name: str, output: str) -> str:
    """The name of a derivation output's path: ``name`` for ``out``, else ``name-output``."""
    return drv_name if output == "out" else f"{drv_name}-{output}"


def make_output_path(output: str, drv_hash: Hash, drv_name: str) -> str:
    """``makeOutputPath``: the path of an input-addressed output from ``hashDerivationModulo``."""
    return make_store_path("output:" + output, drv_hash, output_path_name(drv_name, output))


def is_store_path(path: str) -> bool:
    """True when ``path`` is exactly ``<storeDir>/<32 base32 chars>-<valid name>``."""
    try:
        parse_store_path(path)
    except BadStorePath:
        return False
    return True


def parse_store_path(path: str) -> tuple[str, str]:
    """Split a store path into (hash part, name), validating it as Nix does."""
    prefix = _store_dir + "/"
    if not path.startswith(prefix):
        raise BadStorePath(f"path '{path}' is not in the Nix store")
    base = path[len(prefix):]
    if "/" in base:
        raise BadStorePath(f"path '{path}' is not a store path")
    if len(base) < HASH_LEN + 1 or base[HASH_LEN] != "-":
        raise BadStorePath(f"store path '{base}' has invalid length or no name")
    part, name = base[:HASH_LEN], base[HASH_LEN + 1:]
    if not base32.is_valid(part):
        raise BadStorePath(f"store path '{base}' has an invalid hash part")
    check_name(base, name)
    return part, name


def is_in_store(path: str) -> bool:
    """True when ``path`` is below the store directory (a store path or a path inside one)."""
    return path.startswith(_store_dir + "/") and len(path) > len(_store_dir) + 1


def to_store_path(path: str) -> tuple[str, str]:
    """Split a path inside the store into (store path, sub path), like ``Store::toStorePath``."""
    if not is_in_store(path):
        raise BadStorePath(f"path '{path}' is not in the Nix store")
    rest = path[len(_store_dir) + 1:]
    slash = rest.find("/")
    if slash < 0:
        return path, ""
    return f"{_store_dir}/{rest[:slash]}", rest[slash:]


def is_derivation_path(path: str) -> bool:
    """True for ``*.drv`` store paths."""
    return path.endswith(DRV_EXTENSION)


def store_path_name(path: str) -> str:
    """The name part (after the hash and dash) of a store path."""
    return path.rsplit("/", 1)[-1][HASH_LEN + 1:]
