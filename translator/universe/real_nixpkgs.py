"""A real nixpkgs tree instead of the modelled one: where it is found, and dockerTools on top of it.

A file converted with nix2image names nixpkgs the way it does under Nix: ``<nixpkgs>`` (from
``--nixpkgs``, ``-I`` or ``NIX_PATH``), a flake input pinned in ``flake.lock``, a niv source or a
``fetchTarball`` with a hash. When that nixpkgs can be found offline (a directory given by the
user, or the store path Nix itself would have made for the pinned ``narHash``, in the local store
or nix2image's own fetch cache), nix2image evaluates it; otherwise the modelled nixpkgs stands in,
and a warning says once which input was looked for where.

Every real tree gets nix2image's dockerTools as an overlay (``nixpkgs/real-overlay.nix``): the
top level ``pkgs/top-level/default.nix`` of a real tree is imported through a wrapper that adds it
to the caller's ``overlays``, so ``pkgs.dockerTools.buildImage`` records an image spec over the
tree's exact packages. Plain ``nix2image eval`` is not affected (it evaluates as Nix does).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from ..store.hashing import BadHash, parse_hash
from ..store.storepath import make_fixed_output_path

log = logging.getLogger("nix2image.nixpkgs")

UNIVERSE_DIR = os.path.dirname(__file__)
OVERLAY_NIX = os.path.join(UNIVERSE_DIR, "nixpkgs", "real-overlay.nix")
TOP_LEVEL = "/pkgs/top-level/default.nix"


def is_nixpkgs_tree(path: str) -> bool:
    """True for a directory laid out as nixpkgs (``lib/`` and ``pkgs/top-level/default.nix``)."""
    return os.path.isfile(os.path.join(path, "pkgs", "top-level", "default.nix")) and \
        os.path.isfile(os.path.join(path, "lib", "default.nix"))


def top_level_root(path: str) -> str | None:
    """The tree whose top level ``path`` (an imported file, or its directory) is, or None."""
    from ..store.add import local_source

    path = path.rstrip("/")
    if path.endswith(TOP_LEVEL):
        root = path[: -len(TOP_LEVEL)]
    elif path.endswith(os.path.dirname(TOP_LEVEL)):
        root = path[: -len(os.path.dirname(TOP_LEVEL))]
    else:
        return None
    return root if os.path.isfile(os.path.join(local_source(root), "lib", "default.nix")) else None


# --- where a pinned tree is -----------------------------------------------------------------------

def source_store_path(nar_hash: str) -> str:
    """The store path Nix gives a fetched source tree with this NAR hash: fixed-output, recursive
    SHA-256, named ``source`` (flake inputs, ``fetchTarball``/``fetchGit`` of a lock entry)."""
    return make_fixed_output_path("source", parse_hash(nar_hash, "sha256"), recursive=True)


def store_location(store_path: str, store: str | None) -> str:
    """Where ``store_path`` is on disk: in ``/nix/store``, or below a chroot ``--store DIR``."""
    if not store:
        return store_path
    root = store
    if root.startswith("local?"):
        for part in root[6:].split("&"):
            if part.startswith("root="):
                root = part[5:]
    return os.path.join(root, store_path.lstrip("/"))


@dataclass(frozen=True, slots=True)
class Found:
    """A pinned source looked up offline: the store path looked for and where it is (or None)."""

    store_path: str
    location: str | None
    where: str  # "local store", "nix2image's fetch cache", ...


def find_pinned(nar_hash: str, store: str | None) -> Found | None:
    """Look the source with ``nar_hash`` up in the local store, then in the fetch cache; None
    when ``nar_hash`` is not a hash."""
    try:
        sp = source_store_path(nar_hash)
    except BadHash:
        return None
    return locate(sp, store)


def locate(sp: str, store: str | None) -> Found:
    """Where the tree of store path ``sp`` is on this machine: the local store, then the fetch
    cache (``location`` None: nowhere)."""
    from .source_fetch import cached_location

    loc = store_location(sp, store)
    if os.path.isdir(loc):
        return Found(sp, loc, "the local Nix store" if not store else f"the store {store}")
    cached = cached_location(sp)
    if cached is not None:
        return Found(sp, cached, "nix2image's fetch cache")
    return Found(sp, None, "")


# --- <nixpkgs> from the search path ---------------------------------------------------------------

def search_nixpkgs(nixpkgs: str | None, includes: list[str], nix_path: str) -> tuple[list[str], str, str | None]:
    """The search path entries that come before the model's, where ``<nixpkgs>`` comes from
    (for ``--debug``: ``--nixpkgs``, then ``-I``, then ``NIX_PATH``, in that order) and the real
    nixpkgs tree it is (None: not a real tree)."""
    entries: list[str] = []
    if nixpkgs:
        entries.append(f"nixpkgs={os.path.abspath(nixpkgs)}")
    entries.extend(includes)
    entries.extend(e for e in nix_path.split(":") if e)
    origin = "nix2image's modelled nixpkgs (no --nixpkgs, -I nixpkgs= or NIX_PATH entry names a directory)"
    real = None
    for i, entry in enumerate(entries):
        prefix, sep, path = entry.partition("=")
        if not sep:
            prefix, path = "", entry
        if prefix == "nixpkgs":
            cand = os.path.abspath(path)
        elif prefix == "":
            cand = os.path.join(os.path.abspath(path), "nixpkgs")
        else:
            continue
        if os.path.exists(cand):
            what = "--nixpkgs" if nixpkgs and i == 0 else ("-I" if i < len(includes) + (1 if nixpkgs else 0) else "NIX_PATH")
            kind = "a real nixpkgs tree" if is_nixpkgs_tree(cand) else "a directory that is not laid out as nixpkgs"
            origin = f"{cand} ({what} {entry}; {kind})"
            real = cand if is_nixpkgs_tree(cand) else None
            break
    return entries, origin, real


# --- dockerTools as an overlay --------------------------------------------------------------------

def wrap_top_level(ev: Any, real: Any, root: str) -> Any:
    """``import ROOT/pkgs/top-level/default.nix`` as a function that adds nix2image's dockerTools
    overlay to the caller's ``overlays``."""
    from ..nix.evaluator import call

    wrapper = ev.eval_string(
        "real: overlay: args: real (args // { overlays = (args.overlays or [ ]) ++ [ overlay ]; })",
        "«nix2image:real-nixpkgs»", "/")
    overlay = ev.eval_file(OVERLAY_NIX)
    log.debug("nixpkgs: %s is a real nixpkgs tree; nix2image's dockerTools is added as an overlay", root)
    return call(call(wrapper, real, None), overlay, None)


# --- pinned sources of flakes and fetches ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SourceSettings:
    """What the command line says about where sources come from (kept on the session)."""

    nixpkgs: str | None = None
    override_inputs: tuple[tuple[str, str], ...] = ()
    allow_fetch: bool = False
    store: str | None = None


def _settings() -> SourceSettings:
    from .session import active

    return getattr(active(), "sources", None) or SourceSettings()


def _virtual(store_path: str, location: str) -> str:
    """Make ``store_path`` readable (its files are at ``location``) and return it: evaluation sees
    the store path Nix would see, reads go to the copy nix2image has."""
    from ..store import add as store_add
    from ..store.hashing import Hash

    if location != store_path:
        store_add.KNOWN_SOURCES.setdefault(store_path, (location, Hash("sha256", b"\0" * 32), 0))
    return store_path


def _nixpkgs_named(name: str) -> bool:
    import re

    return re.match(r"^(nixpkgs|nixos)([-_].*)?$", name.lower()) is not None


def locate_locked(name: str, locked: dict[str, Any], what: str, warn_model: bool) -> str | None:
    """The store path of a locked source (a ``flake.lock`` node's ``locked``) when its tree can
    be had: in the store, in the fetch cache, or downloaded under ``--allow-fetch``. None when it
    cannot (for a nixpkgs input, ``warn_model``, with one warning naming the input and the store
    path looked for)."""
    from .session import active
    from .source_fetch import fetch_pinned, lock_url

    nar = locked.get("narHash")
    if not isinstance(nar, str):
        return None
    st = _settings()
    found = find_pinned(nar, st.store)
    if found is None:
        return None
    if found.location is not None:
        log.debug("nixpkgs: %s is %s, found in %s (%s)", what, found.store_path, found.where, found.location)
        return _virtual(found.store_path, found.location)
    url = lock_url(locked)
    if st.allow_fetch and url:
        log.debug("nixpkgs: %s: fetching %s (--allow-fetch)", what, url)
        loc = fetch_pinned(url, nar, found.store_path, what=what)
        log.debug("nixpkgs: %s is %s, fetched into %s", what, found.store_path, loc)
        return _virtual(found.store_path, loc)
    log.debug("nixpkgs: %s: %s is not in the store", what, found.store_path)
    if warn_model:
        how = "--allow-fetch downloads it" if url else "it has no URL nix2image can download"
        active().warn(f"warning: {what} ({nar}) is not in the store: {found.store_path} was looked for; "
                      f"nix2image's modelled nixpkgs stands in for it ({how}; --override-input {name} PATH "
                      "or --nixpkgs PATH names a local tree)")
    return None


def real_flake_input(ev: Any, name: str, kind: str, lock_node: dict | None, top: bool) -> Any:
    """The value of flake input ``name`` from a real tree, or None for the model (or the stand-in).

    In order: ``--override-input NAME PATH``; ``--nixpkgs PATH`` for a nixpkgs input (recognised
    by URL or named ``nixpkgs``/``nixos-*``); the tree its ``flake.lock`` node pins by narHash,
    found offline or fetched under ``--allow-fetch`` (any input: what Nix itself would use)."""
    st = _settings()
    overrides = dict(st.override_inputs)
    if top and name in overrides:
        path = os.path.abspath(overrides[name])
        if not os.path.isdir(path):
            from ..errors import UsageError

            raise UsageError(f"--override-input {name} {overrides[name]}: no such directory")
        log.debug("nixpkgs: flake input '%s' is %s (--override-input)", name, path)
        return _flake_value(ev, path, None)
    is_nixpkgs = kind == "nixpkgs" or _nixpkgs_named(name)
    if is_nixpkgs and st.nixpkgs:
        path = os.path.abspath(st.nixpkgs)
        log.debug("nixpkgs: flake input '%s' is %s (--nixpkgs)", name, path)
        return _flake_value(ev, path, None)
    locked = (lock_node or {}).get("locked") or {}
    where = f"flake input '{name}'"
    sp = locate_locked(name, locked, where, warn_model=is_nixpkgs)
    if sp is None:
        if not is_nixpkgs:
            return None
        log.debug("nixpkgs: %s is nix2image's modelled nixpkgs", where)
        from ..nix.values import NixString

        # a nixpkgs fork by name (an unknown URL) stands for nixpkgs too: the model
        return None if kind == "nixpkgs" else NixString("nixpkgs")
    return _flake_value(ev, sp, locked)


def _flake_value(ev: Any, path: str, locked: dict | None) -> Any:
    """A source tree as a flake input: its flake's outputs when it has a flake.nix, else its path."""
    from ..nix.values import NixAttrs, NixString
    from ..store.add import local_source
    from .flake import evaluate_flake
    from .session import active

    info: dict[str, Any] = {"lastModified": 0, "lastModifiedDate": "19700101000000"}
    if locked:
        for k in ("lastModified", "narHash", "rev", "revCount"):
            if k in locked:
                info[k] = locked[k]
        if "rev" in locked:
            info["shortRev"] = str(locked["rev"])[:7]
        import time

        info["lastModifiedDate"] = time.strftime("%Y%m%d%H%M%S", time.gmtime(int(info["lastModified"])))
    if os.path.isfile(os.path.join(local_source(path), "flake.nix")):
        sess = active()
        return evaluate_flake(ev, os.path.join(path, "flake.nix"), sess, sess.placeholders, {},
                              source_info=info, nested=True)
    d = {k: (NixString(v) if isinstance(v, str) else v) for k, v in info.items()}
    d["outPath"] = NixString(path)
    return NixAttrs(d)


def pinned_store_path(arg: Any, pos: Any) -> tuple[dict[str, str], str] | None:
    """The fetch arguments (as plain strings) and the store path Nix gives the tree that a
    ``fetchTarball``/``fetchGit``/``fetchTree`` call pins by hash; None without a usable hash."""
    from ..nix.operations import coerce_to_string
    from ..nix.values import EvalError, NixAttrs, force

    v = force(arg)
    if type(v) is not NixAttrs:
        return None
    plain: dict[str, str] = {}
    for k in ("url", "name", "sha256", "narHash", "rev"):
        if k in v.d:
            try:
                plain[k] = coerce_to_string(v.d[k], pos, copy_to_store=False).s
            except EvalError:
                return None
    h = plain.get("narHash") or plain.get("sha256")
    if not h:
        return None
    try:
        return plain, make_fixed_output_path(plain.get("name") or "source", parse_hash(h, "sha256"), recursive=True)
    except (BadHash, ValueError):
        return None


def pinned_fetch(builtin_name: str, arg: Any, pos: Any) -> Any:
    """``fetchTarball``/``fetchGit``/``fetchTree`` with a hash whose tree is in the store (or the
    fetch cache): its store path, as Nix would use it without downloading; else None."""
    from ..nix.values import NixAttrs, NixString

    pinned = pinned_store_path(arg, pos)
    if pinned is None:
        return None
    plain, sp = pinned
    h = plain.get("narHash") or plain.get("sha256")
    loc = locate(sp, _settings().store).location
    if loc is None:
        log.debug("nixpkgs: builtins.%s of %s: %s is not in the store", builtin_name, plain.get("url"), sp)
        return None
    log.debug("nixpkgs: builtins.%s of %s is %s (found in the store)", builtin_name, plain.get("url"), sp)
    path = _virtual(sp, loc)
    s = NixString(path, frozenset((path,)))
    if builtin_name == "fetchTarball":
        return s
    rev = plain.get("rev") or "0" * 40
    return NixAttrs({"outPath": s, "rev": NixString(rev), "shortRev": NixString(rev[:7]), "revCount": 0,
                     "lastModified": 0, "lastModifiedDate": NixString("19700101000000"),
                     "narHash": NixString(parse_hash(h, "sha256").sri()), "submodules": False})
