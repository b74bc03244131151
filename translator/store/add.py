"""Store paths of local files and texts, computed as Nix computes them, without copying anything.

``"${./x}"``, ``builtins.path``, ``filterSource`` and ``nix-store --add`` all name a local path by
the hash of its NAR serialisation (or of its contents for ``recursive = false``); ``toFile`` names
a text by its sha256 and its references. Nix in read-only mode (``nix-instantiate --eval``)
computes these names the same way without writing the store: so do we.

Results are cached per (path, name, method, mtime/size of the root): evaluating ``"${./src}"`` many
times hashes the tree once. A filtered import is never cached (the filter is an arbitrary function).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Iterable

    from .nar import PathFilter

from . import source_hashes
from .errors import StoreError
from .hashing import Hash, hash_file, hash_string, parse_hash
from .nar import nar_hash
from .storepath import BadStorePath, is_in_store, make_fixed_output_path, make_text_path, to_store_path

_cache: dict[tuple, tuple[str, Hash, int]] = {}

#: Store objects this process has named, with their references (text paths carry them).
#: Used for closures of ``=drv`` contexts and by the universe to know what a path refers to.
KNOWN_REFERENCES: dict[str, frozenset[str]] = {}
#: Paths imported from the local filesystem: store path -> (source path, NAR hash, NAR size).
KNOWN_SOURCES: dict[str, tuple[str, Hash, int]] = {}
#: Texts named by ``toFile``: store path -> text (so that images can contain them).
KNOWN_TEXTS: dict[str, str] = {}


class StorePathMismatch(StoreError):
    """``builtins.path { sha256 = ...; }`` got contents with another hash."""


def base_name(path: str) -> str:
    """Nix's ``baseNameOf`` for a path string (last component, trailing slash ignored)."""
    p = path.rstrip("/") if path != "/" else path
    return p.rsplit("/", 1)[-1]


def path_info(abs_path: str, name: str | None = None, *, recursive: bool = True,
              filter: PathFilter | None = None) -> tuple[str, Hash, int]:
    """(store path, content hash, NAR size) for importing ``abs_path``; size is 0 when flat.

    ``recursive`` hashes the NAR (``nix-store --add``); otherwise the file's bytes (``--flat``).
    Raises :class:`~.storepath.BadStorePath` for names Nix rejects, ``OSError`` for unreadable paths.
    """
    if name is None:
        name = base_name(abs_path)
    abs_path = local_source(abs_path)  # a file inside a computed store path: hash its source
    st = os.lstat(abs_path) if recursive else os.stat(abs_path)  # flat hashing follows symlinks
    key = None
    if filter is None:
        key = (abs_path, name, recursive, st.st_mtime_ns, st.st_size, st.st_ino, st.st_mode)
        hit = _cache.get(key)
        if hit is not None:
            return hit
    kept = None
    keep = filter is None and source_hashes.active()  # hashes kept across runs (see source_hashes)
    if keep:
        skey, newest = source_hashes.key_of(abs_path, st, recursive)
        kept = source_hashes.lookup(skey)
    if kept is not None:
        h, size = Hash(kept[0], kept[1]), kept[2]
    else:
        if recursive:
            h, size = nar_hash(abs_path, filter)
        else:
            h, size = hash_file("sha256", abs_path), 0
        if keep:
            source_hashes.remember(skey, newest, (h.algo, h.digest, size))
    store_path = make_fixed_output_path(name, h, recursive=recursive)
    result = (store_path, h, size)
    if key is not None:
        _cache[key] = result
    KNOWN_REFERENCES.setdefault(store_path, frozenset())
    if recursive:
        KNOWN_SOURCES[store_path] = (abs_path, h, size)
    return result


def path_to_store_path(abs_path: str, name: str | None = None, *, recursive: bool = True,
                       filter: PathFilter | None = None, expected_sha256: str | Hash | None = None) -> str:
    """The store path ``"${./x}"`` / ``builtins.path`` / ``filterSource`` / ``nix-store --add`` give.

    ``name`` defaults to the last path component. ``expected_sha256`` (any form Nix accepts for
    ``builtins.path``'s ``sha256``) must match the content hash, else :class:`StorePathMismatch`
    with Nix's message; when the path it names is already in the store, that path is the answer
    without reading ``abs_path`` (as Nix does for a valid path).
    """
    if expected_sha256 is not None:
        expected = expected_sha256 if isinstance(expected_sha256, Hash) else parse_hash(expected_sha256, "sha256")
        expected_path = make_fixed_output_path(name or base_name(abs_path), expected, recursive=recursive)
        if os.path.lexists(expected_path):  # already in the store: Nix uses it without hashing
            return expected_path
        store_path = path_info(abs_path, name, recursive=recursive, filter=filter)[0]
        if store_path != expected_path:
            raise StorePathMismatch(f"store path mismatch in (possibly filtered) path added from '{abs_path}'")
        return store_path
    return path_info(abs_path, name, recursive=recursive, filter=filter)[0]


def local_source(path: str) -> str:
    """Where to read ``path``: a path under a store path this process computed from a local
    source (and never copied) is read from that source; anything else from the path itself."""
    if is_in_store(path) and not os.path.lexists(path):
        sp, sub = to_store_path(path)
        src = KNOWN_SOURCES.get(sp)
        if src is not None:
            return src[0] + sub
    return path


def known_text(path: str) -> str | None:
    """The text of ``path`` when it is a ``builtins.toFile`` result of this process that is not
    on disk: Nix writes the file into the store before anything reads it; nix2image never writes
    the store, so it reads it from here (``import``, ``readFile``, ``pathExists``)."""
    text = KNOWN_TEXTS.get(path)
    if text is None or os.path.lexists(path):
        return None
    return text


def text_to_store_path(name: str, text: str, references: Iterable[str] = ()) -> str:
    """The store path of ``builtins.toFile name text`` whose text refers to ``references``."""
    refs = frozenset(references)
    path = make_text_path(name, hash_string("sha256", text), refs)
    KNOWN_REFERENCES[path] = refs
    KNOWN_TEXTS[path] = text
    return path


__all__ = ["BadStorePath", "StorePathMismatch", "path_info", "path_to_store_path", "text_to_store_path",
           "KNOWN_REFERENCES", "KNOWN_SOURCES", "KNOWN_TEXTS", "base_name", "known_text", "local_source"]


def clear_cache() -> None:
    """Forget cached import hashes (for long-lived processes whose sources change)."""
    _cache.clear()
