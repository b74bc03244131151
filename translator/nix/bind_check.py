"""Nix's parse-time variable binding check, done before the evaluator compiles a file lazily.

Nix 2.8 binds every variable of a file when it parses it (``bindVars``): a name that no lexical
scope binds and no enclosing ``with`` could supply is an ``undefined variable`` error even if the
expression naming it is never evaluated. The evaluator compiles function bodies and thunks only
when they first run, so it walks the whole tree once with this check first.

The walk visits nodes in the order the compiler compiles them, so that of several undefined
variables the same one is reported as before. Below a ``with`` nothing can be undefined (the
name falls back to the ``with`` set at run time), so those subtrees are skipped.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from . import ast as A
from .values import EvalError

_LEAVES = (A.Int, A.Float, A.Str, A.Path, A.CurPos)


class _Scope:
    """The names one lexical scope binds (no ``with`` scopes: the walk skips their bodies)."""

    __slots__ = ("names", "parent")

    def __init__(self, names: Any, parent: Any) -> None:
        self.names = names
        self.parent = parent


def check_variables(node: Any, scope: Any) -> None:
    """Raise ``undefined variable`` for the first name in ``node`` that ``scope`` (a compiler
    scope: ``names``, ``parent``, ``is_with``) and the scopes inside ``node`` leave unbound."""
    s = scope
    while s is not None:
        if s.is_with:
            return  # every name may come from the with set
        s = s.parent
    _walk(node, _from_compiler(scope))


def _from_compiler(scope: Any) -> _Scope | None:
    chain = []
    while scope is not None:
        chain.append(scope.names)
        scope = scope.parent
    out = None
    for names in reversed(chain):
        out = _Scope(names, out)
    return out


def _bound(name: str, scope: _Scope | None) -> bool:
    while scope is not None:
        if name in scope.names:
            return True
        scope = scope.parent
    return False


def _var(node: A.Var, scope: _Scope | None) -> None:
    if not _bound(node.name, scope):
        raise EvalError(f"undefined variable '{node.name}'", node.pos)


def _parts(parts: list, scope: _Scope | None) -> None:
    """The expressions among ``parts`` (interpolations, dynamic attribute names; strings are
    literal)."""
    for p in parts:
        if not isinstance(p, str):
            _walk(p, scope)


def _attrs(node: A.Attrs, scope: _Scope | None) -> None:
    if not node.rec:
        for name in sorted(node.attrs):
            _walk(node.attrs[name].expr, scope)
        inner = scope
    else:
        inner = _Scope(node.attrs, scope)
        for d in node.attrs.values():
            _walk(d.expr, scope if d.inherited and type(d.expr) is A.Var else inner)
    for d in node.dynamic:
        _walk(d.name, inner)
        _walk(d.expr, inner)


def _lambda(node: A.Lambda, scope: _Scope | None) -> None:
    if node.formals is None:
        inner = _Scope((node.param,), scope)
    else:
        names = {f.name for f in node.formals.entries}
        if node.param is not None:
            names.add(node.param)
        inner = _Scope(names, scope)
        for f in node.formals.entries:
            if f.default is not None:
                _walk(f.default, inner)
    _walk(node.body, inner)


def _let(node: A.Let, scope: _Scope | None) -> None:
    attrs = node.attrs.attrs
    inner = _Scope(attrs, scope)
    for d in attrs.values():
        _walk(d.expr, scope if d.inherited and type(d.expr) is A.Var else inner)
    _walk(node.body, inner)


def _walk(node: Any, scope: _Scope | None) -> None:
    t = type(node)
    if t is A.Var:
        _var(node, scope)
    elif t is A.Call:
        _walk(node.fn, scope)
        _walk(node.arg, scope)
    elif t is A.Select:
        _walk(node.expr, scope)
        _parts(node.path, scope)
        if node.default is not None:
            _walk(node.default, scope)
    elif t is A.Attrs:
        _attrs(node, scope)
    elif t is A.Lambda:
        _lambda(node, scope)
    elif t is A.BinOp:
        _walk(node.lhs, scope)
        _walk(node.rhs, scope)
    elif t is A.If:
        _walk(node.cond, scope)
        _walk(node.then, scope)
        _walk(node.else_, scope)
    elif t is A.Let:
        _let(node, scope)
    elif t is A.List:
        for item in node.items:
            _walk(item, scope)
    elif t is A.InterpStr or t is A.InterpPath:
        _parts(node.parts, scope)
    elif t is A.With:
        _walk(node.env, scope)  # the body cannot name an undefined variable
    elif t is A.HasAttr:
        _walk(node.expr, scope)
        _parts(node.path, scope)
    elif t is A.Assert:
        _walk(node.cond, scope)
        _walk(node.body, scope)
    elif t is A.Not:
        _walk(node.expr, scope)
    elif t is A.SearchPath:  # ``__findFile __nixPath "name"``
        _var(A.Var(node.pos, "__findFile"), scope)
        _var(A.Var(node.pos, "__nixPath"), scope)
    elif t in _LEAVES:
        pass
    else:
        raise TypeError(f"not a Nix expression node: {t.__name__}")
