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

Nodes are plain slotted classes made by :class:`NodeType` from their annotated fields (like
``@dataclass(slots=True, eq=False)``, at a tenth of its cost: the dataclass machinery took 15 ms
of every start-up for these 26 classes). ``cls._fields`` lists a class's fields in ``__init__``
order and ``cls._types`` their annotations (as text).
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Union

from ..errors import Pos

#: A field default meaning "a new empty dict / list for each node".
NEW_DICT: Any = object()
NEW_LIST: Any = object()


class NodeType(type):
    """The metaclass of AST nodes: the annotated names of a class body (after its bases' fields)
    become ``__slots__`` and the parameters of its ``__init__``, with the values written beside
    them as defaults. The ``__init__`` methods of all classes are compiled together at the end
    of this module (:func:`_make_inits`): one ``compile`` call rather than one per class."""

    made: list["NodeType"] = []

    def __new__(mcls, name: str, bases: tuple, ns: dict) -> "NodeType":
        own = dict(ns.get("__annotations__", {}))
        defaults = {f: ns.pop(f) for f in own if f in ns}
        ns["__slots__"] = tuple(own)
        cls = super().__new__(mcls, name, bases, ns)
        inherited = [b for b in bases if isinstance(b, NodeType)]
        types: dict[str, str] = dict(inherited[0]._types) if inherited else {}
        all_defaults: dict[str, Any] = dict(inherited[0]._defaults) if inherited else {}
        types.update(own)
        all_defaults.update(defaults)
        cls._fields = tuple(types)
        cls._types = types
        cls._defaults = all_defaults
        mcls.made.append(cls)
        return cls


def _make_inits(classes: list[NodeType]) -> None:
    src: list[str] = []
    scope: dict[str, Any] = {}
    for i, cls in enumerate(classes):
        params, lines = [], []
        for f in cls._fields:
            d = cls._defaults.get(f, _make_inits)
            if d is _make_inits:
                params.append(f)
                lines.append(f"    self.{f} = {f}")
            elif d is NEW_DICT or d is NEW_LIST:
                params.append(f"{f}=None")
                lines.append(f"    self.{f} = {'{}' if d is NEW_DICT else '[]'} if {f} is None else {f}")
            else:
                scope[f"_d{i}_{f}"] = d
                params.append(f"{f}=_d{i}_{f}")
                lines.append(f"    self.{f} = {f}")
        src.append(f"def _init{i}(self, {', '.join(params)}):\n" + ("\n".join(lines) or "    pass") + "\n")
    exec(compile("".join(src), "<ast node classes>", "exec"), scope)  # noqa: S102 - our own text
    for i, cls in enumerate(classes):
        init = scope[f"_init{i}"]
        init.__name__ = "__init__"
        init.__qualname__ = f"{cls.__name__}.__init__"
        cls.__init__ = init


class Node(metaclass=NodeType):
    """Base class of every node (equality is identity, as for any object)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{f}={getattr(self, f)!r}' for f in self._fields)})"


class Expr(Node):
    """Base class: every node has ``pos`` (where it starts)."""

    pos: Pos


class Int(Expr):
    value: int


class Float(Expr):
    value: float


class Str(Expr):
    """A string literal without interpolation (also URIs and indented strings with no ``${}``)."""

    value: str


class InterpStr(Expr):
    """A string with interpolation: parts are literal ``str`` or ``Expr`` (coerced to string)."""

    parts: list[Union[str, Expr]]


class Path(Expr):
    """A literal path, already absolute and normalised (Nix's canonPath)."""

    value: str


class InterpPath(Expr):
    """A path with interpolation (``./foo/${x}``): parts concatenated, then made a path.

    The first part is the resolved absolute prefix (a ``str``).
    """

    parts: list[Union[str, Expr]]


class SearchPath(Expr):
    """``<nixpkgs/lib>``: looked up in the search path (``-I``, ``NIX_PATH``) at evaluation."""

    name: str


class Var(Expr):
    name: str
    #: free for the evaluator's use (e.g. static (depth, index) resolution)
    resolved: object = None


if TYPE_CHECKING:
    AttrName = Union[str, Expr]


class Select(Expr):
    """``e.a.b`` or ``e.a.b or default``."""

    expr: Expr
    path: list[AttrName]
    default: Expr | None = None


class HasAttr(Expr):
    """``e ? a.b``."""

    expr: Expr
    path: list[AttrName]


class AttrDef(Node):
    """The value bound to a static attribute name; ``pos`` is where the name was written."""

    expr: Expr
    pos: Pos
    inherited: bool = False


class DynamicAttrDef(Node):
    """``${name} = value;`` (or ``"${x}y" = ...``): name evaluated at runtime (never in rec scope)."""

    name: Expr
    expr: Expr
    pos: Pos


class Attrs(Expr):
    """An attribute set literal; ``attrs`` keeps source order (Nix sorts names when evaluating)."""

    rec: bool
    attrs: dict[str, AttrDef] = NEW_DICT
    dynamic: list[DynamicAttrDef] = NEW_LIST


class List(Expr):
    items: list[Expr]


class Formal(Node):
    name: str
    default: Expr | None
    pos: Pos


class Formals(Node):
    """``{ a, b ? d, ... }``: entries in source order."""

    entries: list[Formal]
    ellipsis: bool


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


class Call(Expr):
    """Application ``fn arg`` (one argument; ``f a b`` is ``Call(Call(f, a), b)``)."""

    fn: Expr
    arg: Expr


class Let(Expr):
    attrs: Attrs  # always rec=True, no dynamic attributes
    body: Expr


class With(Expr):
    env: Expr
    body: Expr


class Assert(Expr):
    cond: Expr
    body: Expr


class If(Expr):
    cond: Expr
    then: Expr
    else_: Expr


class Not(Expr):
    expr: Expr


#: Binary operators as written in Nix source.
BINARY_OPS = ("==", "!=", "<", "<=", ">", ">=", "&&", "||", "->", "//", "++", "+", "-", "*", "/")


class BinOp(Expr):
    """Binary operator; ``op`` is one of :data:`BINARY_OPS`. ``pos`` is the operator's position
    for arithmetic/comparison (as Nix reports it) and the left operand's otherwise."""

    op: str
    lhs: Expr
    rhs: Expr


class CurPos(Expr):
    """``__curPos``: evaluates to ``{ file; line; column; }`` of where it is written."""


_make_inits(NodeType.made)


class LazyExpr:
    """A lambda's body not decoded yet: the parse cache (:mod:`.ast_codec`) stores large bodies
    apart, as bytes, and decodes one when it is first read. A file's functions are compiled only
    when called, and most of a large file's (all-packages.nix, lib/) are never called in a given
    evaluation: their bodies are then never decoded either."""

    __slots__ = ("data",)
    #: bytes -> Expr; set by :mod:`.ast_codec` (the only maker of lazy bodies)
    decode: Any = None

    def __init__(self, data: bytes) -> None:
        self.data = data


def _lazy_body_slot(cls: NodeType, name: str) -> None:
    """Make ``cls.name`` read through a :class:`LazyExpr` in its slot (decoded once, then kept);
    ``cls.raw_<name>`` reads the slot as it is (the codec re-encodes a still lazy body as is)."""
    slot = getattr(cls, name)
    get, put = slot.__get__, slot.__set__

    class LazyField:
        __slots__ = ()

        def __get__(self, obj: Any, owner: Any = None) -> Any:
            if obj is None:
                return self
            v = get(obj)
            if type(v) is LazyExpr:
                v = LazyExpr.decode(v.data)
                put(obj, v)
            return v

        def __set__(self, obj: Any, value: Any) -> None:
            put(obj, value)

    setattr(cls, name, LazyField())
    setattr(cls, "raw_" + name, property(get))


_lazy_body_slot(Lambda, "body")
