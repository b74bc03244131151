"""How evaluation errors look: Nix 2.8's ``error: ...`` block with ``at FILE:L:C:``, the source
lines around the position with a caret, the trace (``… while evaluating ...``), and Nix's
``Expr::show`` rendering used in ``assertion '...' failed``.
"""

from __future__ import annotations

from typing import Any

from ..errors import Pos, UserError, code_block, render_message
from . import ast as A
from .printer import print_string  # Expr::show prints strings as printString does
from .values import EvalError


_INDENT = "\n       "  # the width of ``error: ``


def _resolve(pos: Any) -> Any:
    return pos.resolve() if hasattr(pos, "resolve") else pos


def format_error(err: EvalError, *, show_trace: bool = True) -> str:
    """The full text Nix 2.8 prints for ``err`` (with ``--show-trace`` when ``show_trace``)."""
    msg = err.message.replace("\n", _INDENT)  # Nix indents every line of the message block
    parts = [msg if msg.startswith("error:") else f"error: {msg}"]
    pos = _resolve(err.pos)
    if isinstance(pos, Pos):
        parts.append(code_block(pos))
    hint = getattr(err, "suggestion", None)
    if hint:
        parts.append(f"\n       {hint}")
    if show_trace:
        for text, pos in err.trace:
            parts.append(f"\n\n       … {text.replace(chr(10), _INDENT)}")
            pos = _resolve(pos)
            if isinstance(pos, Pos):
                parts.append(code_block(pos))
    elif err.trace:
        parts.append("\n(use '--show-trace' to show detailed location information)")
    return render_message("".join(parts))


class NixEvalError(UserError):
    """An evaluation error as the user sees it (already formatted like Nix)."""

    def __init__(self, err: EvalError, show_trace: bool = True) -> None:
        pos = _resolve(err.pos)
        super().__init__(err.message, pos if isinstance(pos, Pos) else None)
        self.eval_error = err
        self.text = format_error(err, show_trace=show_trace)

    def __str__(self) -> str:
        return self.text


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggestion_text(query: str, names) -> str | None:
    """Nix's ``Did you mean ...?`` line: up to 5 names within edit distance 2."""
    ranked = sorted((levenshtein(query, n), n) for n in names)
    best = [n for d, n in ranked if d <= 2][:5]
    if not best:
        return None
    if len(best) == 1:
        return f"Did you mean {best[0]}?"
    return f"Did you mean one of {', '.join(best[:-1])} or {best[-1]}?"


# --- Nix's Expr::show (used by ``assertion '...' failed``) -------------------------------------

def _attr_path(path: list) -> str:
    return ".".join(p if isinstance(p, str) else f'"${{{show_expr(p)}}}"' for p in path)


def _float(f: float) -> str:
    return "%g" % f


_CMP = {"<": ("__lessThan", False, False), ">": ("__lessThan", True, False),
        "<=": ("__lessThan", True, True), ">=": ("__lessThan", False, True)}
_ARITH = {"-": "__sub", "*": "__mul", "/": "__div"}


def show_expr(e: Any) -> str:
    """Nix 2.8's textual rendering of an expression (fully parenthesised)."""
    t = type(e)
    if t is A.Int:
        return str(e.value)
    if t is A.Float:
        return _float(e.value)
    if t is A.Str:
        return print_string(e.value)
    if t is A.Path:
        return e.value
    if t is A.Var:
        return e.name
    if t is A.SearchPath:
        return f"(__findFile __nixPath {print_string(e.name)})"
    if t is A.Select:
        s = f"({show_expr(e.expr)}).{_attr_path(e.path)}"
        if e.default is not None:
            s += f" or ({show_expr(e.default)})"
        return s
    if t is A.HasAttr:
        return f"(({show_expr(e.expr)}) ? {_attr_path(e.path)})"
    if t is A.Attrs:
        out = ["rec " if e.rec else "", "{ "]
        for name, d in e.attrs.items():
            if d.inherited and type(d.expr) is A.Var:  # ``inherit (e) x`` is ``x = (e).x`` to Nix
                out.append(f"inherit {name} ; ")
            else:
                out.append(f"{name} = {show_expr(d.expr)}; ")
        for d in e.dynamic:
            out.append(f'"${{{show_expr(d.name)}}}" = {show_expr(d.expr)}; ')
        out.append("}")
        return "".join(out)
    if t is A.List:
        return "[ " + "".join(f"({show_expr(i)}) " for i in e.items) + "]"
    if t is A.Lambda:
        out = ["("]
        if e.formals is not None:
            items = [f.name + (f" ? {show_expr(f.default)}" if f.default is not None else "") for f in e.formals.entries]
            if e.formals.ellipsis:
                items.append("...")
            out.append("{ " + ", ".join(items) + " }")
            if e.param:
                out.append(" @ ")
        if e.param:
            out.append(e.param)
        out.append(f": {show_expr(e.body)})")
        return "".join(out)
    if t is A.Call:
        args = []
        f = e
        while type(f) is A.Call:
            args.append(f.arg)
            f = f.fn
        return "(" + show_expr(f) + "".join(" " + show_expr(a) for a in reversed(args)) + ")"
    if t is A.Let:
        out = ["(let "]
        for name, d in e.attrs.attrs.items():
            inherited = d.inherited and type(d.expr) is A.Var
            out.append(f"inherit {name}; " if inherited else f"{name} = {show_expr(d.expr)}; ")
        out.append(f"in {show_expr(e.body)})")
        return "".join(out)
    if t is A.With:
        return f"(with {show_expr(e.env)}; {show_expr(e.body)})"
    if t is A.If:
        return f"(if {show_expr(e.cond)} then {show_expr(e.then)} else {show_expr(e.else_)})"
    if t is A.Assert:
        return f"assert {show_expr(e.cond)}; {show_expr(e.body)}"
    if t is A.Not:
        return f"(! {show_expr(e.expr)})"
    if t is A.InterpStr or t is A.InterpPath:
        parts = [print_string(p) if isinstance(p, str) else show_expr(p) for p in e.parts]
        if t is A.InterpPath and parts:
            parts[0] = e.parts[0] if isinstance(e.parts[0], str) else parts[0]
        return "(" + " + ".join(parts) + ")"
    if t is A.CurPos:
        return "__curPos"
    if t is A.BinOp:
        op = e.op
        if op in _CMP:
            fn, swap, neg = _CMP[op]
            a, b = (e.rhs, e.lhs) if swap else (e.lhs, e.rhs)
            s = f"({fn} {show_expr(a)} {show_expr(b)})"
            return f"(! {s})" if neg else s
        if op in _ARITH:
            return f"({_ARITH[op]} {show_expr(e.lhs)} {show_expr(e.rhs)})"
        return f"({show_expr(e.lhs)} {op} {show_expr(e.rhs)})"
    return "<expr>"
