"""Primops the modelled nixpkgs calls (registered when this module is imported).

* ``__nix2imageCatalog { system; prefix; }``: the catalog's packages under ``prefix`` (``""``,
  ``"pkgsStatic"``, ``"pkgsCross.<name>"``) as a flat set ``"attr.path" -> info``; output paths
  carry their own store path as string context.
* ``__nix2imageMk recipe``: the store path of a modelled builder's output. The recipe (kind and
  arguments, as data) is recorded in the active :class:`~.session.Session`; the path is the
  store path of a text named like the output whose content is the recipe, so equal recipes give
  equal paths and the path changes with any argument. An opaque package bound with ``--bind``
  gets the bound store path instead.
* ``__nix2imageSystem``: the system given with ``--system``.

Both primops are pure functions of their arguments and the session (same inputs, same paths).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..nix.builtins import builtin, constant
from ..nix.operations import coerce_to_string, force_attrs
from ..nix.values import EvalError, Lambda, NixAttrs, NixList, NixPath, NixString, PrimOp, force
from ..store.hashing import hash_string
from ..store.storepath import BadStorePath, make_text_path
from .session import Bound, Recipe, active

STORE_PATH_RE = re.compile(r"/nix/store/[0123456789abcdfghijklmnpqrsvwxyz]{32}-[A-Za-z0-9+\-._?=]+")
SET_PREFIXES = ("pkgsStatic.", "pkgsCross.", "pkgsMusl.", "pkgsi686Linux.")


# --- string contexts ------------------------------------------------------------------------------

def context_paths(s: NixString) -> set[str]:
    """Store paths a string depends on: plain context paths, outputs of ``!out!drv`` contexts
    (through the derivation registry) and, for ``=drv``, every output of the derivation."""
    out: set[str] = set()
    for c in s.ctx:
        if c.startswith("!"):
            name, _, drv = c[1:].partition("!")
            path = _drv_output(drv, name)
            if path:
                out.add(path)
        elif c.startswith("="):
            for path in _drv_outputs(c[1:]).values():
                out.add(path)
        else:
            out.add(c)
    if s.ctx and not out:
        out.update(STORE_PATH_RE.findall(s.s))
    return out


def _drv_outputs(drv: str) -> dict[str, str]:
    try:
        from ..store.derivation import DerivationError, read_derivation
    except ImportError:  # pragma: no cover - store helper absent
        return {}
    try:
        return read_derivation(drv).output_paths()
    except (DerivationError, OSError, ValueError):
        return {}


def _drv_output(drv: str, name: str) -> str | None:
    return _drv_outputs(drv).get(name)


# --- Nix values -> plain data ---------------------------------------------------------------------

def to_data(v: Any, refs: set[str], pos: Any = None, depth: int = 0) -> Any:
    """A forced, JSON-able copy of a Nix value; store paths found in strings go into ``refs``.

    Derivations become their ``outPath``; paths stay paths (text, not copied); functions become
    ``"<function>"``.
    """
    v = force(v)
    t = type(v)
    if t is NixString:
        refs.update(context_paths(v))
        return v.s
    if t is NixPath:
        return v.path
    if t is NixAttrs:
        if "outPath" in v.d or "__toString" in v.d:
            s = coerce_to_string(v, pos, copy_to_store=False)
            refs.update(context_paths(s))
            return s.s
        return {k: to_data(v.d[k], refs, pos, depth + 1) for k in sorted(v.d)}
    if t is NixList:
        return [to_data(x, refs, pos, depth + 1) for x in v.items]
    if t is Lambda or t is PrimOp:
        return "<function>"
    return v


def from_data(v: Any) -> Any:
    """A Nix value from JSON-like Python data (catalog metadata)."""
    if isinstance(v, str):
        return NixString(v)
    if isinstance(v, dict):
        return NixAttrs({k: from_data(v[k]) for k in sorted(v)})
    if isinstance(v, (list, tuple)):
        return NixList([from_data(x) for x in v])
    return v


def _pos_data(v: Any) -> Any:
    """``unsafeGetAttrPos`` result -> :class:`~translator.errors.Pos` (or None)."""
    v = force(v)
    if type(v) is not NixAttrs:
        return None
    try:
        from ..errors import Pos

        return Pos(force(v.d["file"]).s, int(force(v.d["line"])), int(force(v.d["column"])))
    except (KeyError, AttributeError, TypeError, ValueError):
        return None


# --- the catalog ----------------------------------------------------------------------------------

def _package_info(pkg: Any, attr: str) -> NixAttrs:
    outs = {name: NixString(o.path, frozenset((o.path,))) for name, o in pkg.outputs.items()}
    d = {
        "attr": NixString(attr),
        "pname": NixString(pkg.pname),
        "version": NixString(pkg.version),
        "name": NixString(pkg.name),
        "outputs": NixAttrs(outs),
        "outputNames": NixList([NixString(n) for n in pkg.outputs]),
        "mainProgram": NixString(pkg.main_program) if pkg.main_program else None,
        "meta": from_data(pkg.meta or {}),
        "system": NixString(pkg.system),
    }
    return NixAttrs(d)


def catalog_attrs(prefix: str, system: str) -> dict[str, Any]:
    """The flat ``attr -> Package`` table for one package set of the active session."""
    sess = active()
    cat = sess.catalog
    table: dict[str, Any] = {}
    if prefix == "":
        for attr in cat.attrs():
            if attr.startswith(SET_PREFIXES):
                continue
            pkg = cat.package(attr)
            if pkg is not None:
                table[attr] = pkg
        if system != sess.system and system != _catalog_system(cat):
            return _derived(f"system {system}", table, system)
        return table
    head = prefix + "."
    for attr in cat.attrs():
        if attr.startswith(head):
            pkg = cat.package(attr)
            if pkg is not None:
                table[attr[len(head):]] = pkg
    if prefix.startswith("pkgsCross."):
        # the catalog describes a few cross packages; the rest are derived for the platform
        merged = dict(_derived(prefix, catalog_attrs("", _catalog_system(cat)), system))
        merged.update(table)
        return merged
    return table


def _catalog_system(cat: Any) -> str:
    return (cat.info or {}).get("system", "x86_64-linux")


def _derived(key: str, base: dict[str, Any], system: str) -> dict[str, Any]:
    """A package set for another platform the catalog does not describe: the same packages with
    store paths of their own (derived from the originals and the system), the same sizes and a
    reference graph of the same shape. Their content can only be synthetic."""
    from .catalog import Output, Package

    sess = active()
    cached = sess.cross_cache.get(key)
    if cached is not None:
        return cached
    cat = sess.catalog
    mapping: dict[str, str] = {}

    config = _platform_config(system)

    def rename(path: str) -> str:
        new = mapping.get(path)
        if new is None:
            name = path.split("-", 1)[1] if "-" in path[len("/nix/store/"):] else "unknown"
            m = re.match(r"^(.*?)-(\d.*)$", name)
            # nixpkgs names cross builds <pname>-<host config>-<version>
            name = f"{m.group(1)}-{config}-{m.group(2)}" if m else f"{name}-{config}"
            new = make_text_path(name[:211], hash_string("sha256", f"nix2image-cross:{system}:{path}"))
            mapping[path] = new
        return new

    from ..storeinfo import PathInfo

    out: dict[str, Any] = {}
    for attr, pkg in base.items():
        outputs = {}
        for oname, o in pkg.outputs.items():
            outputs[oname] = Output(oname, rename(o.path), o.nar_size, tuple(rename(r) for r in o.references))
        out[attr] = Package(attr=attr, pname=pkg.pname, version=pkg.version,
                            name=outputs[next(iter(outputs))].path.split("-", 1)[1], outputs=outputs,
                            main_program=pkg.main_program, meta=dict(pkg.meta or {}), system=system)
        for o in pkg.outputs.values():
            try:
                closure = cat.closure([o.path])
            except Exception:  # noqa: BLE001 - an open catalog: derive what is known
                closure = [cat.paths[o.path]] if o.path in cat.paths else []
            for info in closure:
                new = rename(info.path)
                if new not in sess.extra_paths:
                    sess.extra_paths[new] = PathInfo(new, info.nar_size, tuple(rename(r) for r in info.references))
    sess.cross_cache[key] = out
    return out


def _platform_config(system: str) -> str:
    cpu, _, kernel = system.partition("-")
    if kernel == "darwin":
        return f"{cpu}-apple-darwin"
    abi = "gnueabihf" if cpu.startswith("armv") else "gnu"
    return f"{cpu}-unknown-linux-{abi}"


@builtin("__nix2imageCatalog", 1)
def prim_catalog(args: list, pos: Any) -> Any:
    a = force_attrs(args[0], pos)
    system = force(a.d["system"]).s if "system" in a.d else active().system
    prefix = force(a.d["prefix"]).s if "prefix" in a.d else ""
    table = catalog_attrs(prefix, system)
    return NixAttrs({attr: _package_info(pkg, attr) for attr, pkg in sorted(table.items())})


# --- recipes --------------------------------------------------------------------------------------

def recipe_path(name: str, data: dict, refs: set[str]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return make_text_path(name, hash_string("sha256", "nix2image-recipe:" + text), sorted(refs))


def find_bind(data: dict) -> Bound | None:
    """The ``--bind`` standing for an opaque package, matched by pname, name or builder."""
    sess = active()
    for key in (data.get("pname"), data.get("name")):
        if isinstance(key, str) and key in sess.binds:
            return sess.binds[key]
    return None


@builtin("__nix2imageMk", 1)
def prim_mk(args: list, pos: Any) -> Any:
    a = force_attrs(args[0], pos)
    refs: set[str] = set()
    data = {k: to_data(a.d[k], refs, pos) for k in sorted(a.d) if k != "pos"}
    kind = data.get("kind")
    name = data.get("name")
    if not isinstance(kind, str) or not isinstance(name, str):
        raise EvalError("__nix2imageMk: the recipe needs a string 'kind' and 'name'", pos)
    where = _pos_data(a.d["pos"]) if "pos" in a.d else None
    sess = active()
    if kind == "opaque":
        bound = find_bind(data)
        if bound is not None:
            bound.used = True
            sess.recipes.setdefault(bound.store_path, Recipe("bound", name, bound.store_path, data, frozenset(), where))
            return NixString(bound.store_path, frozenset((bound.store_path,)))
    try:
        path = recipe_path(name, data, refs)
    except BadStorePath as err:
        raise EvalError(str(err), pos) from None
    if path not in sess.recipes:
        sess.recipes[path] = Recipe(kind, name, path, data, frozenset(refs), where)
    return NixString(path, frozenset((path,)))


constant("__nix2imageSystem", lambda: NixString(active().system))


from . import openworld as _openworld  # noqa: E402 - registers the open world's primops and hook

_openworld.install()
