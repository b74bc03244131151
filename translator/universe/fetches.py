"""Fetches and flake references in an offline evaluation: known libraries, stand-ins, clear errors.

Hooked into one universe evaluation by :func:`install` (the evaluator itself is not changed):

* A fetch with a hash (``sha256``/``narHash``) whose tree is in the local store or nix2image's
  fetch cache gives that store path, as Nix would (:func:`.real_nixpkgs.pinned_fetch`).
* ``builtins.fetchTarball``/``fetchGit``/``fetchTree``/``fetchurl`` of a known library (see
  :mod:`.known_libraries`: nixpkgs by URL, channel or niv pin, flake-utils, naersk, ...) give the
  library's model folder (``fetchGit``/``fetchTree`` the attribute set they return, with
  ``outPath``). ``import`` of an opaque ``pkgs.fetchFromGitHub``/``fetchzip``/``fetchgit`` of a
  known library gives the model too.
* Any other fetch is, under ``--placeholders``, a labelled synthetic source tree (an opaque
  package whose content is a placeholder; importing it gives an open stand-in, see
  :mod:`.standin`), with a warning; without, an error naming the URL and the lock entry it came
  from (niv's ``nix/sources.json``, ``flake.lock``).
* A local path that does not exist (a source folder not checked out, a ``./result`` link not
  built) is, under ``--placeholders``, a labelled synthetic tree with a warning; without, Nix's
  error stays.
* ``builtins.__nix2imageStandIn { label; default?; }`` is an open stand-in (:mod:`.standin`) for
  library models whose interface has arbitrary names (haskell.nix's ``pkgs.haskell-nix``).
* ``builtins.__nix2imageSourceOf path``: the local folder a store path of a copied local source
  (``lib.fileset.toSource``, ``builtins.path``) came from, so library models can read a crate's
  Cargo.toml or a project's pyproject.toml as the real library reads them from its source.
* ``builtins.__nix2imageMissingPath path``: for a local path that does not exist, under
  ``--placeholders`` the labelled synthetic tree standing for it (with the warning), else null;
  for modelled code that checks paths itself (``lib.fileset``) and should accept them as
  placeholders.
* ``builtins.getFlake REF`` and ``__nix2imageFlake PATH`` (used by the flake-compat model)
  evaluate a local flake as nix2image evaluates flakes; ``getFlake`` of a known library's URL
  gives its flake model.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from ..nix.values import EvalError, NixAttrs, NixPath, NixString, PrimOp, force
from .known_libraries import library_dir, library_for_url, spec_url
from .session import Session, active

FETCHERS = ("fetchTarball", "fetchGit", "fetchTree", "fetchurl")


@dataclass(slots=True)
class FetchState:
    """What :func:`install` knows about the current evaluation."""

    session: Session
    main_dir: str
    ev: Any
    synthetic: dict[str, str] = field(default_factory=dict)  # store path -> what it stands for
    flakes: dict[str, Any] = field(default_factory=dict)  # flake dir -> evaluated self


_state: FetchState | None = None


def state() -> FetchState | None:
    """The hooks' state when the active session is the one they were installed for."""
    st = _state
    if st is None or st.session is not active():
        return None
    return st


# --- what a fetch asks for ------------------------------------------------------------------------

def _fetch_request(arg: Any, pos: Any) -> tuple[str, str | None, dict]:
    """(url, name argument, other plain attributes) of a fetcher's argument."""
    from ..nix.operations import coerce_to_string

    v = force(arg)
    if type(v) is NixString:
        return v.s, None, {}
    if type(v) is NixPath:
        return v.path, None, {}
    if type(v) is not NixAttrs:
        return "", None, {}
    plain: dict[str, Any] = {}
    for k in ("url", "name", "type", "owner", "repo", "ref", "rev", "path"):
        if k in v.d:
            try:
                plain[k] = coerce_to_string(v.d[k], pos, copy_to_store=False).s
            except EvalError:
                pass
    url = plain.get("url") or spec_url(plain)
    return url, plain.get("name"), plain


def lock_entry(url: str, name: str | None, start: str) -> str | None:
    """Where ``url`` is pinned: a niv source in ``nix/sources.json`` or a ``flake.lock`` node,
    searched in ``start`` and the folders above it (up to the repository root)."""
    d = os.path.abspath(start)
    for _ in range(6):
        for rel in ("nix/sources.json", "sources.json", "flake.lock"):
            f = os.path.join(d, rel)
            if not os.path.isfile(f):
                continue
            try:
                with open(f, encoding="utf-8") as fh:
                    data = json.load(fh)
            except (OSError, ValueError):
                continue
            if rel.endswith("flake.lock"):
                from .flake import lock_problem

                if lock_problem(data):
                    continue  # not a lock file: no hint from it
                for key, node in (data.get("nodes") or {}).items():
                    locked = node.get("locked") or {}
                    rev = locked.get("rev")
                    if (isinstance(rev, str) and rev and rev in url) or (locked.get("url") and locked.get("url") == url):
                        return f"flake.lock node '{key}' ({os.path.relpath(f)})"
            elif isinstance(data, dict):
                for key, src in data.items():
                    if isinstance(src, dict) and (src.get("url") == url or (name and _niv_name(key) == name)):
                        return f"niv source '{key}' in {os.path.relpath(f)}"
        if os.path.isdir(os.path.join(d, ".git")) or os.path.dirname(d) == d:
            break
        d = os.path.dirname(d)
    return None


def _niv_name(key: str) -> str:
    """The store name niv's sources.nix gives a source (its key, sanitised)."""
    return re.sub(r"[^A-Za-z0-9+._?=-]", "-", key)


# --- the resolver ---------------------------------------------------------------------------------

def resolve_fetch(builtin_name: str, arg: Any, pos: Any) -> Any:
    """A :data:`translator.nix.builtins.impure.FETCH_RESOLVERS` entry (see the module doc)."""
    st = state()
    if st is None:
        return None
    from .real_nixpkgs import pinned_fetch

    pinned = pinned_fetch(builtin_name, arg, pos)  # a hash whose tree is in the store: Nix's answer
    if pinned is not None:
        return pinned
    url, name, plain = _fetch_request(arg, pos)
    library = library_for_url(url) if url else None
    where = lock_entry(url, name, st.main_dir) if url else None
    if library is not None:
        if library == "nixpkgs":
            _warn_model_nixpkgs(st, builtin_name, url, where, arg, pos)
        return _fetch_result(builtin_name, library_dir(library), plain)
    origin = f" (pinned by {where})" if where else ""
    what = url or "«" + ", ".join(sorted(plain)) + "»"
    if st.session.placeholders:
        path = synthetic_tree(st, f"{builtin_name} {what}", name or _source_name(url))
        st.session.warn(f"warning: --placeholders: builtins.{builtin_name} of {what}{origin} is not a library "
                        f"nix2image models; a labelled synthetic source tree stands for it ({path})")
        return _fetch_result(builtin_name, path, plain, context=True)
    raise EvalError(
        f"'builtins.{builtin_name}' cannot fetch '{what}'{origin}: nix2image evaluates without network access "
        "and does not model this library (modelled: nixpkgs, flake-utils, flake-parts, crane, naersk, fenix, "
        "rust-overlay, nixpkgs-mozilla, poetry2nix, gitignore.nix, nix-filter, flake-compat, gomod2nix, "
        "haskell.nix, nix-systems); use --placeholders for a labelled synthetic source tree", pos)


def _warn_model_nixpkgs(st: FetchState, builtin_name: str, url: str | None, where: str | None,
                        arg: Any, pos: Any) -> None:
    """Say once that a pinned nixpkgs is stood in for by the model, naming the store path looked for."""
    from .real_nixpkgs import pinned_store_path

    pinned = pinned_store_path(arg, pos)
    looked = f": {pinned[1]} is not in the store" if pinned is not None else " (no hash pins it)"
    origin = f" (pinned by {where})" if where else ""
    st.session.warn(f"warning: builtins.{builtin_name} {url}{origin}{looked}; nix2image's modelled nixpkgs "
                    "stands in for it (--allow-fetch downloads a pinned tree; --nixpkgs PATH names a local one)")


def _source_name(url: str) -> str:
    base = url.rstrip("/").rsplit("/", 1)[-1] if url else "source"
    for ext in (".tar.gz", ".tar.xz", ".tar.bz2", ".tgz", ".zip", ".git"):
        if base.endswith(ext):
            base = base[: -len(ext)]
    return "source" if re.fullmatch(r"[0-9a-f]{7,40}", base or "") else (base or "source")


def _fetch_result(builtin_name: str, path: str, plain: dict, context: bool = False) -> Any:
    s = NixString(path, frozenset((path,)) if context else frozenset())
    if builtin_name not in ("fetchGit", "fetchTree"):
        return s
    rev = plain.get("rev") or "0" * 40
    d = {"outPath": s, "rev": NixString(rev), "shortRev": NixString(rev[:7]), "revCount": 0,
         "lastModified": 0, "lastModifiedDate": NixString("19700101000000"),
         "narHash": NixString("sha256-" + "A" * 43 + "="), "submodules": False}
    return NixAttrs(d)


def synthetic_tree(st: FetchState, what: str, name: str) -> str:
    """A labelled synthetic source tree (an opaque package of the session) standing for ``what``."""
    from .primops import prim_mk

    safe = re.sub(r"[^A-Za-z0-9+._?=-]+", "-", name).strip("-.")[:100] or "source"
    recipe = NixAttrs({"kind": NixString("opaque"), "builder": NixString(what), "name": NixString(safe),
                       "pname": NixString(safe)})
    path = force(prim_mk([recipe], None)).s
    st.synthetic[path] = what
    return path


# --- missing local paths --------------------------------------------------------------------------

def missing_path(path: str) -> str | None:
    """The store path standing for a local path that does not exist (``--placeholders``), else None."""
    st = state()
    if st is None or not st.session.placeholders:
        return None
    from .known_libraries import is_library_path

    if is_library_path(path):
        return None
    name = os.path.basename(path.rstrip("/")) or "source"
    out = synthetic_tree(st, f"missing local path {path}", name)
    st.session.warn(f"warning: --placeholders: {path} does not exist (a source folder not checked out, or a "
                    f"build result not built); a labelled synthetic tree stands for it ({out})")
    return out


# --- imports of fetched or synthetic sources ------------------------------------------------------

def import_override(path: str) -> Any:
    """The value ``import path`` has when ``path`` is a known library fetched by a nixpkgs fetcher
    (``pkgs.fetchFromGitHub { owner = "NixOS"; repo = "nixpkgs"; }``) or a synthetic tree
    (a stand-in); None to import normally."""
    st = state()
    if st is None or not path.startswith("/nix/store/"):
        return None
    store_path = "/".join(path.split("/")[:4])
    sub = path[len(store_path):]
    recipe = st.session.recipes.get(store_path)
    if recipe is not None and recipe.kind == "opaque":
        data = recipe.data
        url = data.get("url") or ""
        if not url and data.get("owner") and data.get("repo"):
            url = f"github:{data['owner']}/{data['repo']}"
        library = library_for_url(url) if isinstance(url, str) and url else None
        if library is not None:
            target = library_dir(library) + sub
            return st.ev.eval_file(target)
        if st.session.placeholders:
            from .standin import stand_in

            return stand_in(f"import of {data.get('builder', 'a source')} ({data.get('name')}){sub}")
    return None


# --- flakes by reference --------------------------------------------------------------------------

def get_flake(st: FetchState, ref: str, pos: Any) -> Any:
    """``builtins.getFlake ref``: a local flake (a path, ``path:``, ``git+file:``) evaluated with
    modelled inputs, or a known library's flake model."""
    local = None
    if ref.startswith("/"):
        local = ref
    else:
        m = re.match(r"^(?:path:|git\+file://|file://)(/[^?#]*)", ref)
        if m:
            local = m.group(1)
    if local is not None:
        from ..nix.limits import check_path

        return flake_at(st, check_path(local), pos)  # --restrict-eval: only allowed directories
    library = library_for_url(ref)
    if library is not None:
        return _library_input(st, library)
    if st.session.placeholders:
        from .standin import stand_in

        st.session.warn(f"warning: --placeholders: builtins.getFlake \"{ref}\" is not a flake nix2image models; "
                        "an open stand-in replaces it")
        return stand_in(f"flake '{ref}'")
    raise EvalError(f"builtins.getFlake: cannot fetch flake '{ref}': nix2image evaluates without network access "
                    "and models only local flakes and known libraries (use --placeholders for a stand-in)", pos)


def flake_at(st: FetchState, directory: str, pos: Any) -> Any:
    from .flake import evaluate_flake

    d = os.path.abspath(directory)
    if os.path.basename(d) == "flake.nix":
        d = os.path.dirname(d)
    if not os.path.isfile(os.path.join(d, "flake.nix")):
        raise EvalError(f"path '{d}' is not a flake (it has no flake.nix)", pos)
    if d not in st.flakes:
        st.flakes[d] = evaluate_flake(st.ev, os.path.join(d, "flake.nix"), st.session, st.session.placeholders, {})
    return st.flakes[d]


def _library_input(st: FetchState, library: str) -> Any:
    from ..nix.evaluator import call

    models = force(call(st.ev.eval_file(os.path.join(os.path.dirname(library_dir("flake-utils")), "inputs.nix")),
                        NixAttrs({"lib": st.ev.eval_file(os.path.join(library_dir("nixpkgs"), "lib"))}), None))
    return force(models.d[library])


# --- installing the hooks -------------------------------------------------------------------------

def install(ev: Any, session: Session, main_dir: str) -> None:
    """Hook fetches, missing paths and flake references of ``ev`` (one universe evaluation)."""
    global _state
    from ..nix import operations
    from ..nix.builtins.impure import FETCH_RESOLVERS

    _state = FetchState(session, main_dir, ev)
    if resolve_fetch not in FETCH_RESOLVERS:
        FETCH_RESOLVERS.insert(0, resolve_fetch)
    hooks = getattr(operations, "MISSING_PATH_HOOKS", None)
    if hooks is not None and missing_path not in hooks:
        hooks.append(missing_path)
    st = _state

    def prim_get_flake(args: list, pos: Any) -> Any:
        from ..nix.operations import coerce_to_string

        ref = coerce_to_string(args[0], pos, copy_to_store=False).s
        return get_flake(st, ref, pos)

    def prim_flake(args: list, pos: Any) -> Any:
        from ..nix.operations import coerce_to_string

        v = force(args[0])
        path = v.path if type(v) is NixPath else coerce_to_string(v, pos, copy_to_store=False).s
        return flake_at(st, path, pos)

    def prim_open(args: list, pos: Any) -> Any:
        from ..nix.operations import coerce_to_string, force_attrs
        from .standin import stand_in

        a = force_attrs(args[0], pos)
        label = coerce_to_string(a.d["label"], pos, copy_to_store=False).s if "label" in a.d else "stand-in"
        return stand_in(label, a.d.get("default"))

    def prim_source_of(args: list, pos: Any) -> Any:
        from ..nix.operations import coerce_to_string
        from ..store.add import KNOWN_SOURCES

        text = coerce_to_string(args[0], pos, copy_to_store=False).s
        store_path = "/".join(text.split("/")[:4])
        known = KNOWN_SOURCES.get(store_path) if text.startswith("/nix/store/") else None
        return NixString(known[0] + text[len(store_path):]) if known else NixString(text)

    def prim_missing(args: list, pos: Any) -> Any:
        from ..nix.operations import coerce_to_string

        v = force(args[0])
        path = v.path if type(v) is NixPath else coerce_to_string(v, pos, copy_to_store=False).s
        found = missing_path(path) if not os.path.exists(path) else None
        return NixString(found, frozenset((found,))) if found else None

    _set_builtin(ev, "getFlake", PrimOp("getFlake", 1, prim_get_flake))
    _set_builtin(ev, "__nix2imageMissingPath", PrimOp("__nix2imageMissingPath", 1, prim_missing))
    _set_builtin(ev, "__nix2imageSourceOf", PrimOp("__nix2imageSourceOf", 1, prim_source_of))
    _set_builtin(ev, "__nix2imageStandIn", PrimOp("__nix2imageStandIn", 1, prim_open))
    _set_builtin(ev, "__nix2imageFlake", PrimOp("__nix2imageFlake", 1, prim_flake))


def _set_builtin(ev: Any, name: str, prim: PrimOp) -> None:
    bset = ev.base_env[ev.global_names["builtins"]]
    bset.d[name] = prim
    for key in (name, "__" + name):
        if key in ev.global_names:
            ev.base_env[ev.global_names[key]] = prim

