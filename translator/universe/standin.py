"""Open stand-ins: what an unknown flake input or an unmodelled library is under ``--placeholders``.

A stand-in is an attribute set that answers every attribute with another stand-in
(``inputs.templ.packages.x86_64-linux.templ``), can be called (``pkgs.callPackage``, ``import
src { }``) and is a package: its ``outPath`` is an opaque package of the session, so an image
that contains one gets labelled synthetic content, as any placeholder does. Its own (listed)
attributes are only ``type``, ``name``, ``outPath``, ``outputs``, ``outputName``, ``meta`` (empty)
and the ``__nix2imageStandIn`` mark, so
``attrNames``, ``//`` and ``mapAttrs`` see a small package and never recurse for ever. Names the
flake schema gives overlays (``overlay``, ``overlays.*``) are overlays that add nothing, and
``__``-names other than ``__functor`` are absent (``lib.isFunction`` stays finite); flags
(``outputSpecified``, ``isDarwin``, ...) are false and ``out`` is the stand-in itself.
"""

from __future__ import annotations

import re
from typing import Any

from ..nix.values import Lazy, NixAttrs, NixList, NixString, PrimOp

_SAFE = re.compile(r"[^A-Za-z0-9+._?=-]+")


class OpenNames(dict):
    """The attribute table of a stand-in: a name it does not list is another stand-in."""

    __slots__ = ("label", "children", "default")

    def get(self, key: Any, default: Any = None) -> Any:  # the evaluator selects through .get
        hit = dict.get(self, key, _ABSENT)
        if hit is not _ABSENT:
            return hit
        if not isinstance(key, str) or (key.startswith("__") and key != "__functor"):
            return default
        child = self.children.get(key)
        if child is None:
            child = self.default if self.default is not None else _child(self.label, key)
            self.children[key] = child
        return child


_ABSENT = object()


#: attributes Nix code tests as flags: a stand-in answers false
FLAGS = {"outputSpecified", "recurseForDerivations", "allowSubstitutes", "preferLocalBuild", "broken",
         "insecure", "unfree", "enable", "doCheck", "dontStrip", "strictDeps", "__structuredAttrs"}


def _child(label: str, key: str) -> Any:
    if key in FLAGS or (key.startswith("is") and key[2:3].isupper()):
        return False
    if key == "__functor":
        return PrimOp("standInCall", 2, lambda args, pos: stand_in(f"{label}(...)"))
    if key == "overlay" or label.endswith(".overlays"):
        return PrimOp("standInOverlay", 2, lambda args, pos: NixAttrs({}))
    return stand_in(f"{label}.{key}")


def stand_in(label: str, default: Any = None) -> NixAttrs:
    """A stand-in for whatever ``label`` names (``flake input 'templ'``, a URL, ...); with
    ``default``, every attribute it does not list is that value instead."""
    names = OpenNames()
    names.label = label
    names.children = {}
    names.default = default
    quoted = re.search(r"'([^']*)'(.*)$", label)  # "flake input 'templ'.packages.x" -> "templ.packages.x"
    short = quoted.group(1) + quoted.group(2) if quoted else label
    name = _SAFE.sub("-", short.replace("(...)", "")).strip("-.")[-80:].lstrip("-.") or "stand-in"
    names["__nix2imageStandIn"] = True
    names["type"] = NixString("derivation")
    names["name"] = NixString(name)
    names["outPath"] = Lazy(lambda: _out_path(label, name))
    names["outputs"] = NixList([NixString("out")])
    names["outputName"] = NixString("out")
    names["meta"] = NixAttrs({})
    v = NixAttrs(names)
    names.children["out"] = v  # not listed: attrNames and deepSeq see no cycle
    return v


def _out_path(label: str, name: str) -> Any:
    from .primops import prim_mk

    recipe = NixAttrs({"kind": NixString("opaque"), "builder": NixString(f"stand-in for {label}"),
                       "name": NixString(name), "pname": NixString(name)})
    return prim_mk([recipe], None)


def opened(attrs: dict, label: str) -> NixAttrs:
    """A set with ``attrs`` whose other attributes are stand-ins labelled ``label.<name>`` (a
    missing import stays the package it was, and ``(import ./missing { }).project`` works)."""
    names = OpenNames(attrs)
    names.label = label
    names.children = {}
    names.default = None
    return NixAttrs(names)


def is_stand_in(v: Any) -> bool:
    return type(v) is NixAttrs and isinstance(v.d, OpenNames)
