"""Attribute set builtins: attrNames, attrValues, getAttr, hasAttr, removeAttrs, intersectAttrs,
listToAttrs, mapAttrs, catAttrs, zipAttrsWith, unsafeGetAttrPos.

Values are never forced here unless Nix forces them: ``attrValues``, ``mapAttrs``,
``listToAttrs`` and ``zipAttrsWith`` hand back the original thunks or delayed applications.
Names are ordered as Nix orders them (byte-wise, which for Python ``str`` is code point order).
"""

from __future__ import annotations

from ..values import Apply, EvalError, NixAttrs, NixList, NixString, force
from ...errors import _virtual_sources
from .. import operations as ops
from . import builtin
from ._util import force_string_noctx


@builtin("attrNames", 1)
def prim_attr_names(args, pos):
    d = ops.force_attrs(args[0], pos).d
    return NixList([NixString(k) for k in sorted(d)])


@builtin("attrValues", 1)
def prim_attr_values(args, pos):
    d = ops.force_attrs(args[0], pos).d
    return NixList([d[k] for k in sorted(d)])


@builtin("getAttr", 2)
def prim_get_attr(args, pos):
    name = force_string_noctx(args[0], pos)
    d = ops.force_attrs(args[1], pos).d
    if name not in d:
        raise EvalError(f"attribute '{name}' missing for call to 'getAttr'", pos)
    return force(d[name])


@builtin("hasAttr", 2)
def prim_has_attr(args, pos):
    name = force_string_noctx(args[0], pos)
    return name in ops.force_attrs(args[1], pos).d


@builtin("unsafeGetAttrPos", 2)
def prim_unsafe_get_attr_pos(args, pos):
    name = force_string_noctx(args[0], pos)
    attrs = ops.force_attrs(args[1], pos)
    if name not in attrs.d:
        return None
    p = attrs.pos.get(name) if attrs.pos else None
    if p is None:
        return None
    # Nix 2.8 reports a -E expression's own text as its "file" (its origin is the string)
    file = _virtual_sources.get(p.file, p.file)
    return NixAttrs({"file": NixString(file), "line": p.line, "column": p.col})


@builtin("removeAttrs", 2, glob=True)
def prim_remove_attrs(args, pos):
    attrs = ops.force_attrs(args[0], pos)
    drop = {force_string_noctx(x, pos) for x in ops.force_list(args[1], pos).items}
    d = {k: v for k, v in attrs.d.items() if k not in drop}
    p = attrs.pos and {k: v for k, v in attrs.pos.items() if k in d}
    return NixAttrs(d, p)


@builtin("intersectAttrs", 2)
def prim_intersect_attrs(args, pos):
    a = ops.force_attrs(args[0], pos).d
    b = ops.force_attrs(args[1], pos)
    bd = b.d
    if len(a) < len(bd):  # callPackage: a function's few formals against the whole package set
        d = {k: bd[k] for k in sorted(a) if k in bd}  # sets are kept in name order
    else:
        d = {k: v for k, v in bd.items() if k in a}
    bp = b.pos
    p = bp and {k: bp[k] for k in d if k in bp}
    return NixAttrs(d, p)


@builtin("listToAttrs", 1)
def prim_list_to_attrs(args, pos):
    d: dict = {}
    p: dict = {}
    for item in ops.force_list(args[0], pos).items:
        a = ops.force_attrs(item, pos)
        if "name" not in a.d:
            raise EvalError("attribute 'name' missing for call to 'listToAttrs'", pos)
        name = force_string_noctx(a.d["name"], pos)
        if name in d:
            continue
        if "value" not in a.d:
            raise EvalError("attribute 'value' missing for call to 'listToAttrs'", pos)
        d[name] = a.d["value"]
        vp = a.pos.get("value") if a.pos else None
        if vp is not None:
            p[name] = vp
    return NixAttrs(d, p or None)


@builtin("mapAttrs", 2)
def prim_map_attrs(args, pos):
    f = args[0]
    attrs = ops.force_attrs(args[1], pos)
    # applied with no call site: Nix forces these delayed applications with noPos
    d = {k: Apply(Apply(f, NixString(k)), v) for k, v in attrs.d.items()}
    return NixAttrs(d)  # Nix 2.8 keeps no attribute positions here


@builtin("catAttrs", 2)
def prim_cat_attrs(args, pos):
    name = force_string_noctx(args[0], pos)
    out = []
    for item in ops.force_list(args[1], pos).items:
        d = ops.force_attrs(item, pos).d
        if name in d:
            out.append(d[name])
    return NixList(out)


@builtin("zipAttrsWith", 2)
def prim_zip_attrs_with(args, pos):
    f = args[0]
    groups: dict[str, list] = {}
    for item in ops.force_list(args[1], pos).items:
        for k, v in ops.force_attrs(item, pos).d.items():
            groups.setdefault(k, []).append(v)
    # applied with no call site, as Nix forces them (noPos)
    d = {k: Apply(Apply(f, NixString(k)), NixList(groups[k])) for k in sorted(groups)}
    return NixAttrs(d)
