"""Shared value semantics of the Nix language: forcing with type checks, string coercion,
equality, ordering and deep forcing.

Builtins and the evaluator both call these so that every error reads exactly as Nix 2.8 words it
(``value is an integer while a set was expected``, ``cannot coerce a set to a string``, ...).
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from .values import (
    EvalError,
    Lambda,
    NixAttrs,
    NixList,
    NixPath,
    NixString,
    PrimOp,
    Thunk,
    hooks,
    show_type,
)
from .frame_room import stack_guard_of

_stack_guard = stack_guard_of(__file__)
#: The compiled build's stack check for the recursions over data below (None as Python, whose
#: recursion limit guards them).
_enter = None if _stack_guard is None else _stack_guard.enter


def force_value(v: Any, pos: Any = None) -> Any:
    """The weak-head normal form of ``v``."""
    if isinstance(v, Thunk):
        return v.force()
    return v


def _expected(v: Any, what: str, pos: Any) -> EvalError:
    return EvalError(f"value is {show_type(v)} while {what} was expected", pos)


def force_int(v: Any, pos: Any = None) -> int:
    if isinstance(v, Thunk):
        v = v.force()
    if type(v) is not int:
        raise _expected(v, "an integer", pos)
    return v


def force_float(v: Any, pos: Any = None) -> float:
    """A number as a float (Nix's forceFloat accepts integers)."""
    if isinstance(v, Thunk):
        v = v.force()
    t = type(v)
    if t is float:
        return v
    if t is int:
        return float(v)
    raise _expected(v, "a float", pos)


def force_bool(v: Any, pos: Any = None) -> bool:
    if isinstance(v, Thunk):
        v = v.force()
    if type(v) is not bool:
        raise _expected(v, "a Boolean", pos)
    return v


def force_attrs(v: Any, pos: Any = None) -> NixAttrs:
    if isinstance(v, Thunk):
        v = v.force()
    if type(v) is not NixAttrs:
        raise _expected(v, "a set", pos)
    return v


def force_list(v: Any, pos: Any = None) -> NixList:
    if isinstance(v, Thunk):
        v = v.force()
    if type(v) is not NixList:
        raise _expected(v, "a list", pos)
    return v


def force_function(v: Any, pos: Any = None) -> Any:
    """A lambda, a primop or a set with ``__functor``."""
    if isinstance(v, Thunk):
        v = v.force()
    t = type(v)
    if t is Lambda or t is PrimOp or (t is NixAttrs and "__functor" in v.d):
        return v
    raise _expected(v, "a function", pos)


def force_string(v: Any, pos: Any = None) -> NixString:
    """A string value (no coercion), as Nix's forceString."""
    if isinstance(v, Thunk):
        v = v.force()
    if type(v) is not NixString:
        raise _expected(v, "a string", pos)
    return v


def force_string_no_context(v: Any, pos: Any = None) -> str:
    """The text of a string that must not refer to store paths (Nix's forceStringNoCtx)."""
    s = force_string(v, pos)
    if s.ctx:
        first = sorted(s.ctx)[0]
        raise EvalError(f"the string '{s.s}' is not allowed to refer to a store path (such as '{first}')", pos)
    return s.s


def is_derivation(v: Any) -> bool:
    """``v`` (forced) is a set with ``type = "derivation"``."""
    if type(v) is not NixAttrs:
        return False
    t = v.d.get("type")
    if t is None:
        return False
    t = force_value(t)
    return type(t) is NixString and t.s == "derivation"


def format_float_tostring(f: float) -> str:
    """``toString 1.5`` is ``"1.500000"`` in Nix 2.8 (C++ ``std::to_string``)."""
    if f != f:
        return "-nan" if str(f).startswith("-") else "nan"
    if f in (float("inf"), float("-inf")):
        return "inf" if f > 0 else "-inf"
    return "%f" % f


#: ``hook(path) -> store path | None`` for a local path that does not exist (the universe layer
#: stands in for missing sources under --placeholders); None keeps Nix's error.
MISSING_PATH_HOOKS: list = []


#: Paths already "copied" in this evaluation -> their store paths: Nix's ``srcToStore``, which
#: copies (here: hashes) a path once per evaluation however often it is interpolated (the stdenv
#: bootstrap of a real nixpkgs interpolates 212 paths 1,499 times). Emptied by :func:`new_evaluation`.
_src_to_store: dict[str, str] = {}


def new_evaluation() -> None:
    """Called as an evaluation starts: paths are hashed again, as they are then."""
    _src_to_store.clear()


def store_path_of(path: str, pos: Any = None) -> str:
    """The store path ``path`` would be copied to (computed, never copied)."""
    sp = _src_to_store.get(path)
    if sp is not None:
        return sp
    try:
        from ..store.add import path_to_store_path
        from ..store.errors import StoreError
    except ImportError as err:  # the store helper's module is not there yet
        raise EvalError(f"cannot copy '{path}' to the store: store support unavailable ({err})", pos) from None
    from . import limits

    try:
        sp = path_to_store_path(limits.check_path(path))
        limits.allow(sp)
        _src_to_store[path] = sp
        return sp
    except StoreError as err:  # a name Nix rejects: an evaluation error, positioned by the caller
        raise EvalError(err.message, None) from None
    except OSError as err:  # Nix reports this one without a position
        if isinstance(err, FileNotFoundError):
            for hook in MISSING_PATH_HOOKS:
                found = hook(path)
                if found is not None:
                    return found
        raise EvalError(f"getting status of '{path}': {err.strerror or err}", None) from None


def try_attrs_to_string(v: NixAttrs, pos: Any, coerce_more: bool, copy_to_store: bool) -> NixString | None:
    """``__toString`` of a set, if it has one (Nix's tryAttrsToString)."""
    f = v.d.get("__toString")
    if f is None:
        return None
    r = hooks.call(force_value(f, pos), v, pos)
    return coerce_to_string(r, pos, coerce_more=coerce_more, copy_to_store=copy_to_store)


def coerce_to_string(v: Any, pos: Any = None, *, coerce_more: bool = False, copy_to_store: bool = True) -> NixString:
    """Nix's coerceToString: strings as is; paths copied to the store (context = the store path)
    or kept as text; sets through ``__toString`` or ``outPath``; with ``coerce_more`` also
    numbers, Booleans, null and lists (space-separated)."""
    if isinstance(v, Thunk):
        v = v.force()
    t = type(v)
    if t is NixString:
        return v
    if t is NixPath:
        if copy_to_store:
            sp = store_path_of(v.path, pos)
            return NixString(sp, frozenset((sp,)))
        return NixString(v.path)
    if t is NixAttrs:
        r = try_attrs_to_string(v, pos, coerce_more, copy_to_store)
        if r is not None:
            return r
        out = v.d.get("outPath")
        if out is not None:
            if _enter is not None:
                _enter()
            return coerce_to_string(out, pos, coerce_more=coerce_more, copy_to_store=copy_to_store)
        raise EvalError("cannot coerce a set to a string", pos)
    if coerce_more:
        if t is bool:
            return NixString("1" if v else "")
        if t is int:
            return NixString(str(v))
        if t is float:
            return NixString(format_float_tostring(v))
        if v is None:
            return NixString("")
        if t is NixList:
            if _enter is not None:
                _enter()
            parts: list[str] = []
            ctx: set[str] = set()
            items = v.items
            n = len(items)
            for i, item in enumerate(items):
                item = force_value(item, pos)
                s = coerce_to_string(item, pos, coerce_more=True, copy_to_store=copy_to_store)
                parts.append(s.s)
                ctx.update(s.ctx)
                if i < n - 1 and not (type(item) is NixList and not item.items):
                    parts.append(" ")
            return NixString("".join(parts), frozenset(ctx))
    raise EvalError(f"cannot coerce {show_type(v)} to a string", pos)


def coerce_to_path(v: Any, pos: Any = None) -> str:
    """Nix's coerceToPath: a string/path that must be an absolute path."""
    s = coerce_to_string(v, pos, copy_to_store=False)
    if not s.s.startswith("/"):
        raise EvalError(f"string '{s.s}' doesn't represent an absolute path", pos)
    return s.s


def values_equal(a: Any, b: Any, pos: Any = None, cells: bool = True) -> bool:
    """Nix's ``eqValues``: ints equal floats numerically, strings ignore context, derivations
    compare by ``outPath``, functions are never equal.

    Both sides are forced first; then, when ``cells`` (the arguments are the value cells
    themselves: list elements, attribute values, ``elem``'s arguments), the same cell is equal to
    itself without looking inside, as Nix compares ``Value`` pointers. The ``==`` operator
    compares fresh copies of its operands (``cells=False``): ``x == x`` looks inside.
    Lists stop at the first unequal element, sets at the first differing name or value.
    """
    same = cells and a is b
    if isinstance(a, Thunk):
        a = a.force()
    if isinstance(b, Thunk):
        b = b.force()
    if same:
        return True
    ta = type(a)
    tb = type(b)
    if ta is int or ta is float:
        if (tb is int or tb is float):
            return a == b
        return False
    if ta is not tb:
        return False
    if ta is NixString:
        return a.s == b.s
    if ta is bool:
        return a is b
    if a is None:
        return True
    if ta is NixPath:
        return a.path == b.path
    if _enter is not None and (ta is NixList or ta is NixAttrs):
        _enter()
    if ta is NixList:
        ia, ib = a.items, b.items
        if len(ia) != len(ib):
            return False
        for x, y in zip(ia, ib):
            if not _cells_equal(x, y, pos):
                return False
        return True
    if ta is NixAttrs:
        if is_derivation(a) and is_derivation(b):
            oa, ob = a.d.get("outPath"), b.d.get("outPath")
            if oa is not None and ob is not None:
                return values_equal(oa, ob, pos)
        da, db = a.d, b.d
        if len(da) != len(db):
            return False
        for k, x in da.items():  # Nix walks both in symbol order: a name missing on the right
            y = db.get(k, _MISSING)  # is met there, after the values before it were compared
            if y is _MISSING or not _cells_equal(x, y, pos):
                return False
        return True
    return False  # functions


def _cells_equal(x: Any, y: Any, pos: Any) -> bool:
    """``values_equal`` of two cells (list elements, attribute values), with strings, numbers
    and Booleans compared here rather than in another call."""
    if x is y:  # the same cell: equal, once forced
        if isinstance(x, Thunk):
            x.force()
        return True
    if isinstance(x, Thunk):
        x = x.force()
    if isinstance(y, Thunk):
        y = y.force()
    tx = type(x)
    if tx is NixString:
        return type(y) is NixString and x.s == y.s
    if tx is bool:
        return x is y
    if tx is int and type(y) is int:
        return x == y
    return values_equal(x, y, pos, cells=False)  # forced copies: no identity shortcut


_MISSING = object()


def compare_values(a: Any, b: Any, pos: Any = None) -> int:
    """Nix's ordering for ``<`` and ``sort``: numbers, strings, paths, lists (lexicographic)."""
    if isinstance(a, Thunk):
        a = a.force()
    if isinstance(b, Thunk):
        b = b.force()
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float) and ta is not bool and tb is not bool:
        return -1 if a < b else (1 if a > b else 0)
    if ta is not tb:
        raise EvalError(f"cannot compare {show_type(a)} with {show_type(b)}", None)
    if ta is NixString:
        x, y = a.s, b.s
    elif ta is NixPath:
        x, y = a.path, b.path
    elif ta is NixList:
        if _enter is not None:
            _enter()
        ia, ib = a.items, b.items
        for i in range(min(len(ia), len(ib))):
            if not values_equal(ia[i], ib[i], pos):
                return compare_values(ia[i], ib[i], pos)
        return -1 if len(ia) < len(ib) else (1 if len(ia) > len(ib) else 0)
    else:
        raise EvalError(f"cannot compare {show_type(a)} with {show_type(b)}", None)
    return -1 if x < y else (1 if x > y else 0)


def force_deep(v: Any, pos: Any = None) -> Any:
    """Force ``v`` and everything inside it (Nix's forceValueDeep, with its attribute traces)."""
    seen: set[int] = set()
    v = force_value(v, pos)
    _deep(v, seen)
    return v


def _deep(v: Any, seen: set[int]) -> None:
    if _enter is not None:
        _enter()
    t = type(v)
    if t is NixAttrs:
        if id(v) in seen:
            return
        seen.add(id(v))
        posmap = v.pos or {}
        for name, cell in v.d.items():
            try:
                x = cell.force() if isinstance(cell, Thunk) else cell
                tx = type(x)
                if tx is NixAttrs or tx is NixList:
                    _deep(x, seen)
            except EvalError as err:
                err.add_trace(f"while evaluating the attribute '{name}'", posmap.get(name))
                raise
    elif t is NixList:
        if id(v) in seen:
            return
        seen.add(id(v))
        for cell in v.items:
            x = cell.force() if isinstance(cell, Thunk) else cell
            tx = type(x)
            if tx is NixAttrs or tx is NixList:
                _deep(x, seen)
