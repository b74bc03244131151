"""Render an AST as text for people and programs.

* :func:`to_sexpr` - the readable form ``nix2image parse`` prints: one node per S-expression,
  ``(Kind@LINE:COL field...)``, nested and indented (documented in docs/parser.md);
* :func:`to_json` / :func:`to_json_obj` - a JSON tree: ``{"type": ..., "pos": {file,line,col},
  fields...}``;
* :func:`to_nix_parse_format` - exactly what ``nix-instantiate --parse`` (Nix 2.8) prints for
  the same source, so that the parser can be tested against real Nix text-for-text.
"""

from __future__ import annotations

import re
import sys

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from . import ast

# --------------------------------------------------------------------------------------------
# Nix 2.8 `--parse` format


def nix_string(s: str) -> str:
    """Nix's ``printString``: quotes, with ``\\ " $`` and ``\\n \\r \\t`` escaped."""
    out = ['"']
    for ch in s:
        if ch in '\\"$':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _float(v: float) -> str:
    return "%g" % v  # C++ ostream default: 6 significant digits


_CALL_OPS = {"-": "__sub", "*": "__mul", "/": "__div", "<": "__lessThan", ">": "__lessThan"}


def _call_parts(e: ast.Expr) -> list[str] | None:
    """For nodes Nix 2.8 represents as one ``ExprCall`` (whose later applications merge into its
    argument list), the printed function and arguments."""
    if isinstance(e, ast.Call):
        head = _call_parts(e.fn)
        if head is None:
            head = [_p(e.fn)]
        return head + [_p(e.arg)]
    if isinstance(e, ast.BinOp) and e.op in _CALL_OPS:
        if e.op == ">":
            return ["__lessThan", _p(e.rhs), _p(e.lhs)]
        return [_CALL_OPS[e.op], _p(e.lhs), _p(e.rhs)]
    if isinstance(e, ast.SearchPath):
        return ["__findFile", "__nixPath", nix_string(e.name)]
    return None


_IDENT = re.compile(r"[a-zA-Z_][a-zA-Z0-9_'-]*")


def nix_identifier(name: str) -> str:
    """Nix 2.8's ``printIdentifier``: bare when a valid identifier other than ``if``, else quoted."""
    if name != "if" and _IDENT.fullmatch(name):
        return name
    return nix_string(name)


def _attr_path(path: list) -> str:
    return ".".join(nix_identifier(p) if isinstance(p, str) else '"${' + _p(p) + '}"' for p in path)


def _binding(name: str, d: ast.AttrDef, in_let: bool) -> str:
    name = nix_identifier(name)
    if d.inherited and isinstance(d.expr, ast.Var):
        return f"inherit {name}; " if in_let else f"inherit {name} ; "
    return f"{name} = {_p(d.expr)}; "


_SORTED = False  # set while printing with let bindings and formals sorted by name


def _p(e: ast.Expr) -> str:
    t = type(e)
    if t is ast.Int:
        return str(e.value)
    if t is ast.Float:
        return _float(e.value)
    if t is ast.Str:
        return nix_string(e.value)
    if t is ast.Path:
        return e.value
    if t is ast.Var:
        return e.name
    if t is ast.CurPos:
        return "__curPos"
    if t is ast.InterpStr or t is ast.InterpPath:
        items = []
        for i, part in enumerate(e.parts):
            if isinstance(part, str):
                items.append(part if (t is ast.InterpPath and i == 0) else nix_string(part))
            else:
                items.append(_p(part))
        return "(" + " + ".join(items) + ")"
    if t is ast.Select:
        s = f"({_p(e.expr)}).{_attr_path(e.path)}"
        if e.default is not None:
            s += f" or ({_p(e.default)})"
        return s
    if t is ast.HasAttr:
        return f"(({_p(e.expr)}) ? {_attr_path(e.path)})"
    if t is ast.Attrs:
        s = "rec { " if e.rec else "{ "
        for name in sorted(e.attrs, key=lambda n: n.encode("utf-8", "surrogateescape")):
            s += _binding(name, e.attrs[name], False)
        for d in e.dynamic:
            s += f'"${{{_p(d.name)}}}" = {_p(d.expr)}; '
        return s + "}"
    if t is ast.List:
        return "[ " + "".join(f"({_p(i)}) " for i in e.items) + "]"
    if t is ast.Lambda:
        s = "("
        if e.formals is not None:
            entries = sorted(e.formals.entries, key=lambda f: f.name) if _SORTED else e.formals.entries
            items = [f.name if f.default is None else f"{f.name} ? {_p(f.default)}" for f in entries]
            if e.formals.ellipsis:
                items.append("...")
            s += "{ " + ", ".join(items) + " }"
            if e.param is not None:
                s += " @ " + e.param
        else:
            s += e.param
        return s + ": " + _p(e.body) + ")"
    if t is ast.Let:
        s = "(let "
        names = sorted(e.attrs.attrs) if _SORTED else list(e.attrs.attrs)
        for name in names:
            s += _binding(name, e.attrs.attrs[name], True)
        return s + "in " + _p(e.body) + ")"
    if t is ast.With:
        return f"(with {_p(e.env)}; {_p(e.body)})"
    if t is ast.Assert:
        return f"assert {_p(e.cond)}; {_p(e.body)}"
    if t is ast.If:
        return f"(if {_p(e.cond)} then {_p(e.then)} else {_p(e.else_)})"
    if t is ast.Not:
        return f"(! {_p(e.expr)})"
    if t is ast.BinOp:
        if e.op in _CALL_OPS:
            return "(" + " ".join(_call_parts(e)) + ")"
        if e.op == "<=":
            return f"(! (__lessThan {_p(e.rhs)} {_p(e.lhs)}))"
        if e.op == ">=":
            return f"(! (__lessThan {_p(e.lhs)} {_p(e.rhs)}))"
        return f"({_p(e.lhs)} {e.op} {_p(e.rhs)})"
    if t is ast.Call or t is ast.SearchPath:
        return "(" + " ".join(_call_parts(e)) + ")"
    raise TypeError(f"unknown node {t.__name__}")


def _deep(fn):
    """Run a recursive dump with room for deeply nested trees (Python 3.11 frames of pure Python
    calls do not use the C stack, so a high limit is safe)."""

    def wrapper(*args, **kwargs):
        old = sys.getrecursionlimit()
        if old < _DEEP_LIMIT:
            sys.setrecursionlimit(_DEEP_LIMIT)
        try:
            return fn(*args, **kwargs)
        finally:
            if old < _DEEP_LIMIT:
                sys.setrecursionlimit(old)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


_DEEP_LIMIT = 200_000


@_deep
def to_nix_parse_format(e: ast.Expr, sort_names: bool = False) -> str:
    """The text ``nix-instantiate --parse`` prints for the expression ``e`` parsed from.

    Nix 2.8 prints ``let`` bindings and formals in the order its symbol table created the names
    (source order in a fresh process, unless Nix itself created a name first, like ``system``);
    ``sort_names=True`` sorts them instead, to compare two printed forms independently of that.
    """
    global _SORTED
    _SORTED = sort_names
    try:
        return _p(e)
    finally:
        _SORTED = False


# --------------------------------------------------------------------------------------------
# JSON


def _pos_obj(pos) -> dict | None:
    if pos is None:
        return None
    return {"file": pos.file, "line": pos.line, "col": pos.col}


def _attr_name_obj(name) -> Any:
    return name if isinstance(name, str) else _json(name)


@_deep
def to_json_obj(node: Any) -> Any:
    """A JSON-ready structure: nodes become ``{"type", "pos", <fields>}``."""
    return _json(node)


def _json(node: Any) -> Any:
    if isinstance(node, ast.Expr):
        out: dict[str, Any] = {"type": type(node).__name__, "pos": _pos_obj(node.pos)}
        t = type(node)
        if t in (ast.Int, ast.Float, ast.Str, ast.Path):
            out["value"] = node.value
        elif t is ast.Var:
            out["name"] = node.name
        elif t is ast.SearchPath:
            out["name"] = node.name
        elif t in (ast.InterpStr, ast.InterpPath):
            out["parts"] = [p if isinstance(p, str) else _json(p) for p in node.parts]
        elif t is ast.Select:
            out["expr"] = _json(node.expr)
            out["path"] = [_attr_name_obj(p) for p in node.path]
            out["default"] = _json(node.default) if node.default is not None else None
        elif t is ast.HasAttr:
            out["expr"] = _json(node.expr)
            out["path"] = [_attr_name_obj(p) for p in node.path]
        elif t is ast.Attrs:
            out["rec"] = node.rec
            out["attrs"] = {k: _attrdef_obj(v) for k, v in node.attrs.items()}
            out["dynamic"] = [{"name": _json(d.name), "expr": _json(d.expr), "pos": _pos_obj(d.pos)}
                              for d in node.dynamic]
        elif t is ast.List:
            out["items"] = [_json(i) for i in node.items]
        elif t is ast.Lambda:
            out["name"] = node.name
            out["param"] = node.param
            if node.formals is None:
                out["formals"] = None
            else:
                out["formals"] = {
                    "entries": [{"name": f.name, "default": _json(f.default) if f.default is not None else None,
                                 "pos": _pos_obj(f.pos)} for f in node.formals.entries],
                    "ellipsis": node.formals.ellipsis,
                }
            out["body"] = _json(node.body)
        elif t is ast.Call:
            out["fn"] = _json(node.fn)
            out["arg"] = _json(node.arg)
        elif t is ast.Let:
            out["attrs"] = _json(node.attrs)
            out["body"] = _json(node.body)
        elif t is ast.With:
            out["env"] = _json(node.env)
            out["body"] = _json(node.body)
        elif t is ast.Assert:
            out["cond"] = _json(node.cond)
            out["body"] = _json(node.body)
        elif t is ast.If:
            out["cond"] = _json(node.cond)
            out["then"] = _json(node.then)
            out["else"] = _json(node.else_)
        elif t is ast.Not:
            out["expr"] = _json(node.expr)
        elif t is ast.BinOp:
            out["op"] = node.op
            out["lhs"] = _json(node.lhs)
            out["rhs"] = _json(node.rhs)
        return out
    raise TypeError(f"not an AST node: {node!r}")


def _attrdef_obj(d: ast.AttrDef) -> dict:
    return {"expr": _json(d.expr), "pos": _pos_obj(d.pos), "inherited": d.inherited}


@_deep
def to_json(e: ast.Expr, indent: int | None = 2) -> str:
    """The JSON text of :func:`to_json_obj` (floats keep Python's shortest round-trip form)."""
    import json  # (not at import: the evaluator imports this module, and seldom prints JSON)

    return json.dumps(_json(e), indent=indent, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# S-expressions for people


def _atom(v: Any) -> str:
    if isinstance(v, str):
        import json

        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool) or v is None:
        return {True: "true", False: "false", None: "null"}[v]
    return repr(v)


def _name(n) -> str:
    return _atom(n) if isinstance(n, str) else None  # type: ignore[return-value]


@_deep
def to_sexpr(e: ast.Expr, indent: int = 0) -> str:
    """``(Kind@L:C ...)``: scalars inline, children on their own lines, two spaces per level."""
    lines: list[str] = []
    _sx(e, indent, lines, "")
    return "\n".join(lines)


def _sx(e: Any, depth: int, out: list[str], label: str) -> None:
    pad = "  " * depth + (f"{label} " if label else "")
    t = type(e)
    head = f"({t.__name__}@{e.pos.line}:{e.pos.col}"
    if t in (ast.Int, ast.Float, ast.Str, ast.Path):
        out.append(f"{pad}{head} {_atom(e.value)})")
        return
    if t in (ast.Var, ast.SearchPath):
        out.append(f"{pad}{head} {e.name})" if t is ast.Var else f"{pad}{head} <{e.name}>)")
        return
    if t is ast.CurPos:
        out.append(f"{pad}{head})")
        return
    children: list[tuple[str, Any]] = []
    extra = ""
    if t in (ast.InterpStr, ast.InterpPath):
        for p in e.parts:
            children.append(("", p))
    elif t in (ast.Select, ast.HasAttr):
        extra = " " + ".".join(_atom(p) if isinstance(p, str) else "${...}" for p in e.path)
        children.append(("", e.expr))
        for p in e.path:
            if not isinstance(p, str):
                children.append(("${}", p))
        if t is ast.Select and e.default is not None:
            children.append(("or", e.default))
    elif t is ast.Attrs:
        extra = " rec" if e.rec else ""
        for k, d in e.attrs.items():
            children.append((f"{_atom(k)}{' inherit' if d.inherited else ''} =", d.expr))
        for d in e.dynamic:
            children.append(("${}", d.name))
            children.append(("  =", d.expr))
    elif t is ast.List:
        children = [("", i) for i in e.items]
    elif t is ast.Lambda:
        if e.name:
            extra += f" name={_atom(e.name)}"
        if e.param is not None:
            extra += f" param={e.param}"
        if e.formals is not None:
            fs = [f.name + ("?" if f.default is not None else "") for f in e.formals.entries]
            if e.formals.ellipsis:
                fs.append("...")
            extra += " {" + ", ".join(fs) + "}"
            for f in e.formals.entries:
                if f.default is not None:
                    children.append((f"{f.name} ?", f.default))
        children.append(("", e.body))
    elif t is ast.Call:
        children = [("", e.fn), ("", e.arg)]
    elif t is ast.Let:
        for k, d in e.attrs.attrs.items():
            children.append((f"{_atom(k)}{' inherit' if d.inherited else ''} =", d.expr))
        children.append(("in", e.body))
    elif t is ast.With:
        children = [("", e.env), ("", e.body)]
    elif t is ast.Assert:
        children = [("", e.cond), ("", e.body)]
    elif t is ast.If:
        children = [("", e.cond), ("then", e.then), ("else", e.else_)]
    elif t is ast.Not:
        children = [("", e.expr)]
    elif t is ast.BinOp:
        extra = f" {e.op}"
        children = [("", e.lhs), ("", e.rhs)]
    out.append(f"{pad}{head}{extra}")
    for lab, c in children:
        if isinstance(c, str):
            out.append("  " * (depth + 1) + (f"{lab} " if lab else "") + _atom(c))
        else:
            _sx(c, depth + 1, out, lab)
    out[-1] += ")"
