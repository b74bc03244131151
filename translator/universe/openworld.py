"""The open package world: packages the catalog lacks become labelled synthetic packages.

The modelled nixpkgs marks its package sets (the top-level ``pkgs``, every layer an overlay
sees, ``python3Packages``, ``xorg``, ... and every synthetic package, which is itself a set so
that ``pkgs.haskell.lib.x`` works) with ``__nix2imageOpen { prefix; synth; } set``. When a
*strict* select (``pkgs.foo``, no ``or``), a ``with pkgs;`` variable or a ``callPackage``
argument finds nothing in such a set, the evaluator asks :func:`missing_attribute`, which calls
the set's ``synth`` (a Nix function from ``pkgs/top-level/synthetic.nix``) with the attribute
path and records the path with the position of the access.

What stays closed (decided, and documented in docs/universe.md): ``pkgs ? foo``,
``pkgs.foo or default``, ``lib.attrByPath``, ``builtins.attrNames pkgs``, ``builtins.hasAttr``
and ``builtins.getAttr`` see only the packages that exist (catalog and modelled builders), so
``or`` defaults and feature tests behave as they would against a nixpkgs without the package.

With ``--placeholders`` the stand-ins are used and named in one warning; without it, evaluation
still continues with them (so that every missing package is found), and one error lists them
all with their positions (:func:`missing_error`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Pos, UserError
from ..nix import evaluator as _evaluator
from ..nix.builtins import builtin
from ..nix.values import EvalError, Lambda, NixAttrs, NixString, force
from .session import active

_MISSING = _evaluator._MISSING


@dataclass(slots=True)
class OpenSet:
    """A registered package set: the set itself (kept alive so that its id stays unique), the
    attribute path it sits at under ``pkgs`` (``""`` for ``pkgs``) and its synthesiser."""

    attrs: NixAttrs
    prefix: str
    synth: Any
    synthetic: bool


class MissingPackagesError(UserError):
    """Packages the catalog lacks, all of them, with where each is used."""


def _pos(pos: Any) -> Pos | None:
    if isinstance(pos, _evaluator.DeferredPos):
        pos = pos.resolve()
    return pos if isinstance(pos, Pos) and pos.line > 0 else None


@builtin("__nix2imageOpen", 2)
def prim_open(args: list, pos: Any) -> Any:
    """``__nix2imageOpen { prefix; synth; synthetic ? false; } set``: register ``set`` as open."""
    info = force(args[0])
    s = force(args[1])
    if type(s) is not NixAttrs or type(info) is not NixAttrs:
        return s
    prefix = force(info.d["prefix"]).s
    synthetic = bool(force(info.d["synthetic"])) if "synthetic" in info.d else False
    active().open_sets[id(s)] = OpenSet(s, prefix, info.d["synth"], synthetic)
    return s


@builtin("__nix2imageIsOpen", 1)
def prim_is_open(args: list, pos: Any) -> Any:
    """``__nix2imageIsOpen set``: whether ``set`` is a registered open package set."""
    s = force(args[0])
    entry = active().open_sets.get(id(s))
    return entry is not None and entry.attrs is s


@builtin("__nix2imageMissingArg", 3)
def prim_missing_arg(args: list, pos: Any) -> Any:
    """``__nix2imageMissingArg fn name pkgs``: a stand-in for a required argument of ``fn``
    that ``pkgs`` lacks (``callPackage``), recorded at the argument's position."""
    fn = force(args[0])
    name = force(args[1]).s
    where = formal_pos(fn, name) or pos
    v = missing_attribute(force(args[2]), name, where)
    if v is _MISSING:
        raise EvalError(f"function called without required argument '{name}'", where)
    return v


def formal_pos(fn: Any, name: str) -> Pos | None:
    """Where ``fn`` declares its formal argument ``name`` (or where the function starts)."""
    if type(fn) is Lambda and fn.node.formals is not None:
        for f in fn.node.formals.entries:
            if f.name == name:
                return _pos(getattr(f, "pos", None)) or _pos(getattr(fn.node, "pos", None))
        return _pos(getattr(fn.node, "pos", None))
    return None


def missing_attribute(attrs: Any, name: str, pos: Any) -> Any:
    """The evaluator's hook: a stand-in for ``attrs.name`` when ``attrs`` is an open set."""
    sess = active()
    entry = sess.open_sets.get(id(attrs))
    if entry is None or entry.attrs is not attrs or name.startswith("__") or name == "outPath":
        return _MISSING
    path = f"{entry.prefix}.{name}" if entry.prefix else name
    key = (id(entry.synth), path)
    hit = sess.synthetic_values.get(key)
    if hit is None:
        hit = _evaluator.call(entry.synth, NixString(path), pos)
        sess.synthetic_values[key] = hit
    where = _pos(pos)
    if entry.synthetic:
        # `pkgs.nodePackages.typescript`: the stand-in for the set was recorded at this same
        # expression; the package is what is missing
        parent = sess.missing.get(entry.prefix)
        if where is None or parent is None or where not in parent:
            return hit
        parent.remove(where)
        if not parent:
            del sess.missing[entry.prefix]
    if not _bound(sess, path, name):
        seen = sess.missing.setdefault(path, [])
        if where is not None and where not in seen:
            seen.append(where)
    return hit


def _bound(sess: Any, path: str, name: str) -> bool:
    return path in sess.binds or name in sess.binds


def install() -> None:
    """Make the evaluator ask :func:`missing_attribute` (idempotent)."""
    _evaluator.missing_attribute_hook = missing_attribute


def _listing(missing: dict[str, list[Pos]]) -> str:
    width = max(len(p) for p in missing) + len("pkgs.")
    lines = []
    for path in sorted(missing):
        where = missing[path]
        at = ", ".join(str(p) for p in where[:3]) + (f" (+{len(where) - 3} more)" if len(where) > 3 else "")
        lines.append(f"         {('pkgs.' + path).ljust(width)}  {('at ' + at) if at else ''}".rstrip())
    return "\n".join(lines)


def missing_error(sess: Any, after: str | None = None) -> MissingPackagesError:
    """One error naming every missing package, where it is used and how to supply it."""
    n = len(sess.missing)
    first = sorted(sess.missing)[0].rsplit(".", 1)[-1]
    text = (f"{n} package{'s are' if n != 1 else ' is'} not in nix2image's catalog "
            f"(attribute path and where it is used):\n{_listing(sess.missing)}")
    if after:
        text += f"\n       (evaluation then stopped at: {after})"
    return MissingPackagesError(
        text,
        hint=f"describe them with --catalog FILE (see `nix2image catalog`), provide each build with "
             f"--bind NAME=PATH (e.g. --bind {first}=./result), or use --placeholders for labelled "
             "synthetic stand-ins")


def missing_warning(sess: Any) -> str | None:
    """The one warning naming every stand-in used under ``--placeholders``."""
    if not sess.missing:
        return None
    n = len(sess.missing)
    return (f"warning: --placeholders: {n} package{'s' if n != 1 else ''} not in nix2image's catalog "
            f"{'are' if n != 1 else 'is'} replaced by labelled synthetic packages:\n{_listing(sess.missing)}")
