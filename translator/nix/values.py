"""Runtime values of the Nix evaluator and the thunks that produce them lazily.

Representation (chosen for speed: native Python types where Nix has one):

=========  =========================================================
Nix type   Python value
=========  =========================================================
null       ``None``
bool       ``bool`` (test ``type(v) is bool`` before ``int``!)
int        ``int`` (Nix ints are 64-bit; see :func:`check_int`)
float      ``float``
string     :class:`NixString` (text + string context)
path       :class:`NixPath` (absolute, canonical)
attrs      :class:`NixAttrs` (``dict`` name -> value-or-thunk)
list       :class:`NixList` (``list`` of value-or-thunk)
lambda     :class:`Lambda` (AST lambda + environment)
primop     :class:`PrimOp` (builtin, possibly partially applied)
=========  =========================================================

Anything stored inside an attrset or list may be a :class:`Thunk`; call :func:`force` before use.
Thunks are evaluated at most once; a thunk that is forced while being forced raises
``infinite recursion encountered``.

The evaluator installs its hooks (:data:`hooks`) at import time, so that thunks can evaluate
expressions and apply functions without this module importing the evaluator.

String context (the store paths a string depends on) uses Nix's own encoding:

* ``/nix/store/...``               a plain store path (e.g. from ``"${./file}"``, ``toFile``)
* ``=/nix/store/...drv``           the derivation and its whole closure (``drvPath``)
* ``!out!/nix/store/...drv``       output ``out`` of that derivation (``outPath``, ``"${drv}"``)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable


class EvalError(Exception):
    """An evaluation error. The evaluator adds position and trace lines before it reaches the user.

    ``kind`` distinguishes what ``tryEval`` may catch (``throw``/``assert``) from what it may not.
    """

    def __init__(self, message: str, pos: Any = None, kind: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.kind = kind  # "error" | "throw" | "assert" | "abort" | "recursion"
        self.trace: list[tuple[str, Any]] = []  # (text, pos) innermost first

    def add_trace(self, text: str, pos: Any = None) -> "EvalError":
        self.trace.append((text, pos))
        return self


class Hooks:
    """Functions the evaluator provides: ``eval(expr, env)`` and ``call(fn, arg, pos)``."""

    eval: Callable[[Any, Any], Any]
    call: Callable[[Any, Any, Any], Any]


hooks = Hooks()

_UNSET = object()
_BLACKHOLE = object()


class Thunk:
    """A delayed evaluation of ``expr`` in ``env``; memoised."""

    __slots__ = ("expr", "env", "value")

    def __init__(self, expr: Any, env: Any) -> None:
        self.expr = expr
        self.env = env
        self.value = _UNSET

    def compute(self) -> Any:
        return hooks.eval(self.expr, self.env)

    def force(self) -> Any:
        v = self.value
        if v is _UNSET:
            self.value = _BLACKHOLE
            try:
                v = self.compute()
                while isinstance(v, Thunk):
                    v = v.force()
            except BaseException:
                self.value = _UNSET
                raise
            self.value = v
            self.expr = self.env = None  # let the environment be collected
            return v
        if v is _BLACKHOLE:
            raise EvalError("infinite recursion encountered", getattr(self.expr, "pos", None), kind="recursion")
        return v


class Apply(Thunk):
    """A delayed function application ``fn arg`` (used by ``map``, ``genList``, ...)."""

    __slots__ = ()

    def __init__(self, fn: Any, arg: Any, pos: Any = None) -> None:
        self.expr = (fn, arg)
        self.env = pos
        self.value = _UNSET

    def compute(self) -> Any:
        fn, arg = self.expr
        return hooks.call(fn, arg, self.env)


class Lazy(Thunk):
    """A delayed call of a Python function of no arguments."""

    __slots__ = ()

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.expr = fn
        self.env = None
        self.value = _UNSET

    def compute(self) -> Any:
        return self.expr()


def force(v: Any) -> Any:
    """The value behind ``v`` (``v`` itself when it is not a thunk)."""
    if isinstance(v, Thunk):
        return v.force()
    return v


class NixString:
    """A Nix string: text plus context (a frozenset of encoded context elements)."""

    __slots__ = ("s", "ctx")

    def __init__(self, s: str, ctx: frozenset[str] = frozenset()) -> None:
        self.s = s
        self.ctx = ctx

    def __repr__(self) -> str:
        return f"NixString({self.s!r}{', ' + repr(set(self.ctx)) if self.ctx else ''})"


class NixPath:
    """A Nix path value (absolute and canonical, no trailing slash except ``/``)."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"NixPath({self.path!r})"


class LazySortedDict(dict):
    """The names of a ``//`` result whose right side adds names among the left's, left in the
    order they were merged until something iterates them, then sorted once, in place.

    An attribute set's names are kept sorted (Nix's order for ``attrNames``, JSON, derivation
    environments...), and re-sorting after every such merge was the evaluator's costliest line
    on a real nixpkgs: package sets are merged overlay after overlay (``super // f self super``)
    and then mostly only looked up. Lookups are the dict's own; every way of iterating goes
    through the methods below (C code too: ``dict(x)``, ``{**x}``, ``x.update``-style merges and
    ``json`` take a dict subclass with its own ``__iter__`` through ``keys()``/``items()``)."""

    __slots__ = ("unsorted",)

    def sort(self) -> "LazySortedDict":
        if self.unsorted:
            items = sorted(dict.items(self))
            dict.clear(self)
            dict.update(self, items)
            self.unsorted = False
        return self

    def __iter__(self):
        return dict.__iter__(self.sort())

    def __reversed__(self):
        return dict.__reversed__(self.sort())

    def keys(self):
        return dict.keys(self.sort())

    def values(self):
        return dict.values(self.sort())

    def items(self):
        return dict.items(self.sort())

    def copy(self):
        return dict(dict.items(self.sort()))

    def popitem(self):
        return dict.popitem(self.sort())

    def __repr__(self) -> str:
        return dict.__repr__(self.sort())


def merged_unsorted(left: dict, right: dict) -> LazySortedDict:
    """``left`` updated with ``right``, names in merge order (sorted when first iterated)."""
    d = LazySortedDict()
    dict.update(d, dict.items(left) if type(left) is LazySortedDict else left)
    dict.update(d, dict.items(right) if type(right) is LazySortedDict else right)
    d.unsorted = True
    return d


class NixAttrs:
    """An attribute set. ``d`` maps names to values or thunks; ``pos`` maps names to positions
    (where known) for ``unsafeGetAttrPos`` and error messages."""

    __slots__ = ("d", "pos")

    def __init__(self, d: dict[str, Any] | None = None, pos: dict[str, Any] | None = None) -> None:
        self.d = {} if d is None else d
        self.pos = pos

    def __repr__(self) -> str:
        return f"NixAttrs({sorted(self.d)})"


class MergedPositions(Mapping):
    """The positions of a ``//`` result: those of the right side over those of the left, merged
    into one dict only when first read (most results are never asked for a position, and the
    copy cost as much as the merge of the values). Read-only, like every ``NixAttrs.pos``."""

    __slots__ = ("_under", "_over", "_flat")

    def __init__(self, under: Any, over: Any) -> None:
        self._under = under
        self._over = over
        self._flat: dict | None = None

    def _dict(self) -> dict:
        flat = self._flat
        if flat is None:
            layers = []  # a chain of unread merges (``//`` in a fold) is flattened without recursion
            m: Any = self
            while type(m) is MergedPositions and m._flat is None:
                layers.append(m._over)
                m = m._under
            flat = dict(m._flat if type(m) is MergedPositions else (m or {}))
            for over in reversed(layers):
                flat.update(over._dict() if type(over) is MergedPositions else (over or {}))
            self._flat = flat
            self._under = self._over = None
        return flat

    def __getitem__(self, name: str) -> Any:
        return self._dict()[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._dict().get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._dict()

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    def __bool__(self) -> bool:
        return True  # made only when one side has positions

    def items(self) -> Any:
        return self._dict().items()


class NixList:
    """A list; ``items`` holds values or thunks and is never mutated after construction."""

    __slots__ = ("items",)

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __repr__(self) -> str:
        return f"NixList(len={len(self.items)})"


class Lambda:
    """A closure: the AST ``Lambda`` node and the environment it was created in."""

    __slots__ = ("node", "env")

    def __init__(self, node: Any, env: Any) -> None:
        self.node = node
        self.env = env


class PrimOp:
    """A builtin function of ``arity`` arguments, possibly partially applied (``args``).

    ``fn(args: list, pos)`` receives exactly ``arity`` arguments, each a value or a thunk (the
    builtin forces what it needs, which keeps Nix's laziness), and returns a value or thunk.
    """

    __slots__ = ("name", "arity", "fn", "args")

    def __init__(self, name: str, arity: int, fn: Callable[[list[Any], Any], Any], args: tuple = ()) -> None:
        self.name = name
        self.arity = arity
        self.fn = fn
        self.args = args


INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


def check_int(i: int, pos: Any = None) -> int:
    """Nix 2.8 wraps 64-bit integers silently (C++ overflow); mirror that two's-complement wrap."""
    if INT_MIN <= i <= INT_MAX:
        return i
    return ((i + 2**63) % 2**64) - 2**63


def type_name(v: Any) -> str:
    """Nix's ``builtins.typeOf`` name of a forced value."""
    if v is None:
        return "null"
    t = type(v)
    if t is bool:
        return "bool"
    if t is int:
        return "int"
    if t is float:
        return "float"
    if t is NixString:
        return "string"
    if t is NixPath:
        return "path"
    if t is NixAttrs:
        return "set"
    if t is NixList:
        return "list"
    if t is Lambda or t is PrimOp:
        return "lambda"
    raise TypeError(f"not a Nix value: {v!r}")


def show_type(v: Any) -> str:
    """Nix's ``showType`` wording for error messages (``a string``, ``an integer``, ...)."""
    t = type(v)
    if v is None:
        return "null"
    if t is bool:
        return "a Boolean"
    if t is int:
        return "an integer"
    if t is float:
        return "a float"
    if t is NixString:
        return "a string"
    if t is NixPath:
        return "a path"
    if t is NixAttrs:
        return "a set"
    if t is NixList:
        return "a list"
    if t is Lambda:
        return "a function"
    if t is PrimOp:
        if v.args:
            return f"the partially applied built-in function '{v.name}'"
        return f"the built-in function '{v.name}'"
    return "an unknown value"
