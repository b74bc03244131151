"""Rendering values as ``nix-instantiate --eval`` prints them, and as Nix's JSON.

``print_value`` follows Nix 2.8's value printer byte for byte: ``{ a = 1; b = [ 2 3 ]; }``,
``<LAMBDA>``, ``<PRIMOP>``, ``<PRIMOP-APP>``, ``<CODE>`` for what is still unevaluated,
``«repeated»`` for a set or list met again (Nix tracks those by their storage: a non-empty set, a
list of three or more elements by its contents, a one- or two-element list by its cell), floats
as C++ ``%g``, and attribute names quoted unless they are identifiers.

``to_json`` follows Nix 2.8's ``printValueAsJSON``: sets with ``__toString`` or ``outPath`` become
that string, keys sorted, paths copied to the store, floats as ``%g``, control characters as
``\\u00XX`` and every other character as is.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from .operations import store_path_of, try_attrs_to_string
from .values import (
    _UNSET,
    EvalError,
    Lambda,
    NixAttrs,
    NixList,
    NixPath,
    NixString,
    PrimOp,
    Thunk,
    show_type,
)

_IDENT = re.compile(r"[a-zA-Z_][a-zA-Z0-9_'-]*\Z")
_KEYWORDS = frozenset(("if",))  # Nix 2.8 quotes only this keyword


def format_float(f: float) -> str:
    """C++ ``ostream << double``: ``%g`` with 6 significant digits."""
    if f != f:
        return "-nan" if str(f).startswith("-") else "nan"
    if f in (float("inf"), float("-inf")):
        return "inf" if f > 0 else "-inf"
    return "%g" % f


def print_string(s: str) -> str:
    """A Nix string literal for ``s`` (Nix 2.8's printString)."""
    if s.isalnum():
        return '"' + s + '"'
    out = ['"']
    n = len(s)
    for i, c in enumerate(s):
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == "$" and i + 1 < n and s[i + 1] == "{":
            out.append("\\$")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def attr_name(name: str) -> str:
    if _IDENT.match(name) and name not in _KEYWORDS:
        return name
    return print_string(name)


def _cell_value(cell: Any) -> Any:
    """The value in a container cell, or ``_UNSET`` when it is an unevaluated thunk."""
    if isinstance(cell, Thunk):
        v = cell.value
        if v is _UNSET or type(v) is object:
            return _UNSET
        return v
    return cell


def _key(cell: Any, v: Any) -> Any:
    t = type(v)
    if t is NixAttrs:
        return id(v) if v.d else None
    if t is NixList:
        n = len(v.items)
        if n == 0:
            return None
        return id(v) if n > 2 else ("cell", id(cell))
    return None


def print_value(v: Any, strict: bool = False) -> str:
    """``v`` as nix-instantiate --eval prints it (without the trailing newline).

    With ``strict`` the value is forced deeply first (as ``--strict`` does)."""
    if strict:
        from .operations import force_deep

        v = force_deep(v)
    elif isinstance(v, Thunk):
        v = v.force()
    out: list[str] = []
    seen: set = set()
    _print(v, v, out, seen)
    return "".join(out)


def _print(cell: Any, v: Any, out: list[str], seen: set) -> None:
    # iterative over a work stack: deep nesting never recurses in Python; an element is checked
    # against ``seen`` when it is printed (Nix's order), the top value never is
    stack: list = [(cell, v, False)]
    while stack:
        item = stack.pop()
        if type(item) is str:
            out.append(item)
            continue
        cell, v, check = item
        if v is _UNSET:
            out.append("<CODE>")
            continue
        t = type(v)
        if t is bool:
            out.append("true" if v else "false")
        elif t is int:
            out.append(str(v))
        elif v is None:
            out.append("null")
        elif t is NixString:
            out.append(print_string(v.s))
        elif t is NixPath:
            out.append(v.path)
        elif t is float:
            out.append(format_float(v))
        elif t is NixAttrs or t is NixList:
            k = _key(cell, v)
            if k is not None:
                if check and k in seen:
                    out.append("«repeated»")
                    continue
                seen.add(k)
            todo: list = []
            if t is NixAttrs:
                out.append("{ ")
                d = v.d
                for name in sorted(d):
                    c = d[name]
                    todo.append(attr_name(name) + " = ")
                    todo.append((c, _cell_value(c), True))
                    todo.append("; ")
                todo.append("}")
            else:
                out.append("[ ")
                for c in v.items:
                    todo.append((c, _cell_value(c), True))
                    todo.append(" ")
                todo.append("]")
            stack.extend(reversed(todo))
        elif t is Lambda:
            out.append("<LAMBDA>")
        elif t is PrimOp:
            out.append("<PRIMOP-APP>" if v.args else "<PRIMOP>")
        else:
            out.append("<CODE>")


# --------------------------------------------------------------------------------------------
# JSON

_JSON_ESC = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_JSON_SPECIAL = re.compile(r'["\\\x00-\x1f]')


def json_string(s: str) -> str:
    def rep(m: re.Match) -> str:
        c = m.group(0)
        e = _JSON_ESC.get(c)
        return e if e is not None else "\\u%04x" % ord(c)
    return '"' + _JSON_SPECIAL.sub(rep, s) + '"'


def to_json(v: Any, pos: Any = None, *, copy_to_store: bool = True) -> tuple[str, frozenset]:
    """Nix 2.8's JSON of ``v`` (forcing what it needs) and the string context it collected."""
    ctx: set[str] = set()
    out: list[str] = []
    _json(v, pos, copy_to_store, out, ctx)
    return "".join(out), frozenset(ctx)


def _json(v: Any, pos: Any, copy: bool, out: list[str], ctx: set) -> None:
    # iterative; ``active`` holds the sets and lists being printed: meeting one again means the
    # value is infinite, where Nix's recursive printer overflows its stack
    active: set[int] = set()
    stack: list = [(v, pos)]
    while stack:
        item = stack.pop()
        ti = type(item)
        if ti is str:
            out.append(item)
            continue
        if ti is int:
            active.discard(item)
            continue
        v, pos = item
        if isinstance(v, Thunk):
            v = v.force()
        t = type(v)
        if t is bool:
            out.append("true" if v else "false")
        elif t is int:
            out.append(str(v))
        elif v is None:
            out.append("null")
        elif t is NixString:
            out.append(json_string(v.s))
            ctx.update(v.ctx)
        elif t is NixPath:
            if copy:
                sp = store_path_of(v.path, pos)
                ctx.add(sp)
                out.append(json_string(sp))
            else:
                out.append(json_string(v.path))
        elif t is float:
            out.append(format_float(v))
        elif t is NixAttrs:
            s = try_attrs_to_string(v, pos, False, copy)
            if s is not None:
                out.append(json_string(s.s))
                ctx.update(s.ctx)
                continue
            o = v.d.get("outPath")
            if o is not None:
                stack.append((o, pos))
                continue
            if id(v) in active:
                raise EvalError("stack overflow (possible infinite recursion)", None)
            active.add(id(v))
            todo: list = ["{"]
            first = True
            posmap = v.pos or {}
            for name in sorted(v.d):
                if not first:
                    todo.append(",")
                first = False
                todo.append(json_string(name) + ":")
                todo.append((v.d[name], posmap.get(name)))
            todo.append("}")
            todo.append(id(v))
            stack.extend(reversed(todo))
        elif t is NixList:
            if id(v) in active:
                raise EvalError("stack overflow (possible infinite recursion)", None)
            active.add(id(v))
            todo = ["["]
            for i, c in enumerate(v.items):
                if i:
                    todo.append(",")
                todo.append((c, pos))
            todo.append("]")
            todo.append(id(v))
            stack.extend(reversed(todo))
        else:
            # Nix 2.8 adds this (placeholder) trace entry at the position being converted
            raise EvalError(f"cannot convert {show_type(v)} to JSON", v.node.pos if t is Lambda else pos
                            ).add_trace("message for the trace", pos)
