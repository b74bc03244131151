"""String context builtins: hasContext, getContext, appendContext, unsafeDiscardStringContext,
unsafeDiscardOutputDependency (Nix 2.8 has no ``addDrvOutputDependencies``).

Context elements use Nix's encoding (see :mod:`translator.nix.values`): ``/nix/store/...`` (a
plain path), ``=/nix/store/x.drv`` (the derivation with all its outputs) and ``!out!/nix/store/
x.drv`` (one output). ``getContext`` turns them into Nix's ``{ path; allOutputs; outputs; }``
description and ``appendContext`` back.
"""

from __future__ import annotations

from ...store.storepath import is_store_path
from ..values import EvalError, NixAttrs, NixList, NixString
from .. import operations as ops
from . import builtin
from ._util import force_string_noctx


def decode_context(elem: str) -> tuple[str, str]:
    """(store path, output) of an element; output is ``""`` for plain paths and ``=`` ones."""
    if elem.startswith("!"):
        name, _, path = elem[1:].partition("!")
        return path, name
    if elem.startswith("="):
        return elem[1:], ""
    return elem, ""


@builtin("hasContext", 1)
def prim_has_context(args, pos):
    return bool(ops.force_string(args[0], pos).ctx)


@builtin("unsafeDiscardStringContext", 1)
def prim_unsafe_discard_string_context(args, pos):
    return NixString(ops.coerce_to_string(args[0], pos).s)


@builtin("unsafeDiscardOutputDependency", 1)
def prim_unsafe_discard_output_dependency(args, pos):
    s = ops.coerce_to_string(args[0], pos)
    ctx = frozenset(e[1:] if e.startswith("=") else e for e in s.ctx)
    return NixString(s.s, ctx)


@builtin("getContext", 1)
def prim_get_context(args, pos):
    s = ops.force_string(args[0], pos)
    infos: dict[str, dict] = {}
    for elem in sorted(s.ctx):
        if elem.startswith("="):
            path, kind, output = elem[1:], "all", ""
        elif elem.startswith("!"):
            path, output = decode_context(elem)
            kind = "output"
        else:
            path, kind, output = elem, "path", ""
        info = infos.get(path)
        if info is None:
            info = infos[path] = {"path": False, "all": False, "outputs": []}
        if kind == "path":
            info["path"] = True
        elif kind == "all":
            info["all"] = True
        else:
            info["outputs"].append(output)
    out = {}
    for path in sorted(infos):
        info = infos[path]
        d: dict = {}
        if info["path"]:
            d["path"] = True
        if info["all"]:
            d["allOutputs"] = True
        if info["outputs"]:
            d["outputs"] = NixList([NixString(o) for o in info["outputs"]])
        out[path] = NixAttrs(d)
    return NixAttrs(out)


@builtin("appendContext", 2)
def prim_append_context(args, pos):
    s = ops.force_string(args[0], pos)
    attrs = ops.force_attrs(args[1], pos)
    ctx = set(s.ctx)
    for name in sorted(attrs.d):
        apos = (attrs.pos or {}).get(name, pos)
        if not is_store_path(name):
            raise EvalError(f"Context key '{name}' is not a store path", apos)
        info = ops.force_attrs(attrs.d[name], apos)
        v = info.d.get("path")
        if v is not None and ops.force_bool(v, apos):
            ctx.add(name)
        v = info.d.get("allOutputs")
        if v is not None and ops.force_bool(v, apos):
            if not name.endswith(".drv"):
                raise EvalError(f"Tried to add all-outputs context of \"{name}\", which is not a derivation, "
                                "to a string", apos)
            ctx.add("=" + name)
        v = info.d.get("outputs")
        if v is not None:
            outs = ops.force_list(v, apos).items
            if outs and not name.endswith(".drv"):
                raise EvalError(f"Tried to add derivation output context of \"{name}\", which is not a "
                                "derivation, to a string", apos)
            for o in outs:
                ctx.add(f"!{force_string_noctx(o, apos)}!{name}")
    return NixString(s.s, frozenset(ctx))

