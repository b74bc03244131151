"""The Nix abstract syntax tree: plain dataclasses, each carrying its source position.

The parser (``translator.nix.parser``) builds these; the evaluator (``translator.nix.evaluator``)
walks them. Shapes follow Nix 2.8's own ``nixexpr.hh`` after its parse-time desugaring:

* nested attribute paths are merged at parse time (``{ a.b = 1; a.c = 2; }`` becomes one ``Attrs``
  with ``a`` bound to a nested non-rec ``Attrs``), duplicate definitions are parse errors;
* ``inherit x;`` becomes ``AttrDef(Var('x'), inherited=True)`` and ``inherit (e) x;`` becomes
  ``AttrDef(Select(e, ['x']), inherited=True)`` (the ``e`` node shared between names);
* ``let ... in b`` is ``Let(Attrs(rec=True), b)``; legacy ``let { ... }`` is
  ``Select(Attrs(rec=True), ['body'])``;
* ``-e`` is ``Call(Call(Var('__sub'), Int(0)), e)`` as in Nix; ``a < b`` is ``Call(Call(Var('__lessThan')...``
  is NOT desugared here: comparisons stay ``BinOp`` and the evaluator implements them;
* literal paths are already resolved to absolute paths (``./x`` against the file's directory,
  ``~/x`` against ``$HOME``); ``<name>`` is ``SearchPath('name')``;
* an attribute name is either a ``str`` (static, including ``"quoted"`` names without
  interpolation) or an ``Expr`` (dynamic: ``${e}`` or a string with interpolation).

Evaluators may annotate nodes (e.g. ``Var.resolved``) for speed; those fields default to None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..errors import Pos


@dataclass(slots=True, eq=False)
class Expr:
    """Base class: every node has ``pos`` (where it starts)."""

    pos: Pos


@dataclass(slots=True, eq=False)
class Int(Expr):
    value: int


@dataclass(slots=True, eq=False)
class Float(Expr):
    value: float


@dataclass(slots=True, eq=False)
class Str(Expr):
    """A string literal without interpolation (also URIs and indented strings with no ``${}``)."""

    value: str


@dataclass(slots=True, eq=False)
class InterpStr(Expr):
    """A string with interpolation: parts are literal ``str`` or ``Expr`` (coerced to string)."""

    parts: list[Union[str, Expr]]


@dataclass(slots=True, eq=False)
class Path(Expr):
    """A literal path, already absolute and normalised (Nix's canonPath)."""

    value: str


@dataclass(slots=True, eq=False)
class InterpPath(Expr):
    """A path with interpolation (``./foo/${x}``): parts concatenated, then made a path.

    The first part is the resolved absolute prefix (a ``str``).
    """

    parts: list[Union[str, Expr]]


@dataclass(slots=True, eq=False)
class SearchPath(Expr):
    """``<nixpkgs/lib>``: looked up in the search path (``-I``, ``NIX_PATH``) at evaluation."""

    name: str


@dataclass(slots=True, eq=False)
class Var(Expr):
    name: str
    #: free for the evaluator's use (e.g. static (depth, index) resolution)
    resolved: object = None


AttrName = Union[str, Expr]


@dataclass(slots=True, eq=False)
class Select(Expr):
    """``e.a.b`` or ``e.a.b or default``."""

    expr: Expr
    path: list[AttrName]
    default: Expr | None = None


@dataclass(slots=True, eq=False)
class HasAttr(Expr):
    """``e ? a.b``."""

    expr: Expr
    path: list[AttrName]


@dataclass(slots=True, eq=False)
class AttrDef:
    """The value bound to a static attribute name; ``pos`` is where the name was written."""

    expr: Expr
    pos: Pos
    inherited: bool = False


@dataclass(slots=True, eq=False)
class DynamicAttrDef:
    """``${name} = value;`` (or ``"${x}y" = ...``): name evaluated at runtime (never in rec scope)."""

    name: Expr
    expr: Expr
    pos: Pos


@dataclass(slots=True, eq=False)
class Attrs(Expr):
    """An attribute set literal; ``attrs`` keeps source order (Nix sorts names when evaluating)."""

    rec: bool
    attrs: dict[str, AttrDef] = field(default_factory=dict)
    dynamic: list[DynamicAttrDef] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class List(Expr):
    items: list[Expr]


@dataclass(slots=True, eq=False)
class Formal:
    name: str
    default: Expr | None
    pos: Pos


@dataclass(slots=True, eq=False)
class Formals:
    """``{ a, b ? d, ... }``: entries in source order."""

    entries: list[Formal]
    ellipsis: bool


@dataclass(slots=True, eq=False)
class Lambda(Expr):
    """``x: body``, ``{ ... }: body``, ``x@{ ... }: body`` / ``{ ... }@x: body``.

    ``param`` is the plain or ``@`` name (None when absent); ``formals`` is None for ``x: body``.
    ``name`` is filled in by the parser when the lambda is bound directly to an attribute or a let
    name (Nix uses it in ``while calling 'f'`` traces).
    """

    param: str | None
    formals: Formals | None
    body: Expr
    name: str | None = None


@dataclass(slots=True, eq=False)
class Call(Expr):
    """Application ``fn arg`` (one argument; ``f a b`` is ``Call(Call(f, a), b)``)."""

    fn: Expr
    arg: Expr


@dataclass(slots=True, eq=False)
class Let(Expr):
    attrs: Attrs  # always rec=True, no dynamic attributes
    body: Expr


@dataclass(slots=True, eq=False)
class With(Expr):
    env: Expr
    body: Expr


@dataclass(slots=True, eq=False)
class Assert(Expr):
    cond: Expr
    body: Expr


@dataclass(slots=True, eq=False)
class If(Expr):
    cond: Expr
    then: Expr
    else_: Expr


@dataclass(slots=True, eq=False)
class Not(Expr):
    expr: Expr


#: Binary operators as written in Nix source.
BINARY_OPS = ("==", "!=", "<", "<=", ">", ">=", "&&", "||", "->", "//", "++", "+", "-", "*", "/")


@dataclass(slots=True, eq=False)
class BinOp(Expr):
    """Binary operator; ``op`` is one of :data:`BINARY_OPS`. ``pos`` is the operator's position
    for arithmetic/comparison (as Nix reports it) and the left operand's otherwise."""

    op: str
    lhs: Expr
    rhs: Expr


@dataclass(slots=True, eq=False)
class CurPos(Expr):
    """``__curPos``: evaluates to ``{ file; line; column; }`` of where it is written."""
