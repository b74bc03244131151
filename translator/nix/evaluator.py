"""The lazy Nix evaluator.

Every AST node is compiled once into a Python closure ``ev(env) -> value`` (weak-head normal form,
never a thunk). Variables are resolved statically to ``(depth, slot)`` as Nix does; a name that no
lexical scope binds falls back to the enclosing ``with`` sets at run time (innermost first), and a
name bound nowhere is an ``undefined variable`` error when the file is compiled, as in Nix.

Environments are Python lists: ``env[0]`` is the parent environment and ``env[1:]`` the slots.
A ``with`` environment has one slot holding the (lazy) attribute set.

Laziness follows Nix's ``maybeThunk``: constants are stored as values, a variable stores the cell
it refers to (sharing its thunk), anything else becomes a :class:`CThunk`.

Deep programs: :func:`run_deep` runs a callable in a thread with a large stack and a raised
recursion limit; a genuinely unbounded recursion becomes Nix's ``stack overflow`` error.
"""

from __future__ import annotations

import gc
import os
import sys
import threading

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable

from ..cachedir import cache_home
from ..errors import Pos, UserError
from ..store import source_hashes
from ..store.errors import StoreError
from . import GC_THRESHOLDS
from . import ast as A
from . import limits
from .bind_check import check_variables
from .builtins.files import COREPKGS_PREFIX
from .builtins.files import new_evaluation as new_file_evaluation
from .eval_errors import NixEvalError, suggestion_text
from .frame_room import call_with_room, stack_guard_of
from .operations import (
    coerce_to_string,
    compare_values,
    force_attrs,
    force_bool,
    force_list,
    force_string,
    store_path_of,
    values_equal,
)
from .operations import new_evaluation as new_copy_evaluation
from .paths import canon_path, resolve_expr_path
from .values import (
    _BLACKHOLE,
    _UNSET,
    EvalError,
    Lambda,
    Lazy,
    LazySortedDict,
    MergedPositions,
    NixAttrs,
    NixList,
    NixPath,
    NixString,
    PrimOp,
    Thunk,
    check_int,
    hooks,
    merged_unsorted,
    show_type,
)

_MISSING = object()

stack_guard = stack_guard_of(__file__)  # compiled by setup.py: calls push no Python frame
#: Called as a Nix function body or a thunk's code is entered, in a compiled build only.
_enter = None if stack_guard is None else stack_guard.enter

#: ``(attrs, name, pos) -> value or _MISSING``, asked when a select without ``or`` or a ``with``
#: variable finds no attribute. nix2image's open package world (translator.universe.openworld)
#: sets it to stand in for packages its catalog lacks; None keeps Nix's errors.
missing_attribute_hook = None
_EMPTY = frozenset()
_POSITIONLESS = frozenset(("throw", "abort"))


class CThunk(Thunk):
    """A thunk of a compiled expression: ``expr`` is the closure, ``env`` its environment."""

    __slots__ = ()

    def compute(self) -> Any:
        return self.expr(self.env)

    def force(self) -> Any:
        v = self.value
        if v is _UNSET:
            self.value = _BLACKHOLE
            try:
                if _enter is not None:  # a chain of thunks recurses without a function call
                    _enter()
                v = self.expr(self.env)
            except BaseException:
                self.value = _UNSET
                raise
            self.value = v
            self.expr = self.env = None
            return v
        if v is _BLACKHOLE:
            raise EvalError("infinite recursion encountered", getattr(self.expr, "pos", None), kind="recursion")
        return v


# --------------------------------------------------------------------------------------------
# positions




def pos_text(pos: Any) -> str:
    """A position inside a message: ``FILE:L:C``, with ``(string)`` for ``-E`` text (as Nix)."""
    if pos is None:
        return "undefined position"
    return f"{'(string)' if pos.file.startswith('«') else pos.file}:{pos.line}:{pos.col}"


def lambda_desc(info: Any) -> str:
    """``'f' at FILE:L:C`` or ``anonymous function at FILE:L:C`` (Nix 2.8's wording)."""
    where = pos_text(info.pos)
    if info.name:
        return f"'{info.name}' at {where}"
    return f"anonymous function at {where}"


# --------------------------------------------------------------------------------------------
# function application


class LambdaInfo:
    """A compiled lambda: the AST ``Lambda``'s pos, param, formals and name, and ``node`` itself
    (whose body is read only when first compiled: from the parse cache it may not be decoded)."""

    __slots__ = ("pos", "param", "formals", "node", "name", "code", "nslots", "entries",
                 "formal_names", "ellipsis", "simple")

    def __init__(self, node: A.Lambda) -> None:
        self.pos = node.pos
        self.param = node.param
        self.formals = node.formals
        self.node = node
        self.name = node.name
        self.simple = node.formals is None
        self.ellipsis = bool(node.formals and node.formals.ellipsis)
        self.code: Callable = None  # type: ignore[assignment]
        self.nslots = 0
        self.entries: list = []
        self.formal_names: frozenset = frozenset()


def _bind_formals(info: LambdaInfo, fenv: list, arg: Any, pos: Any) -> list:
    attrs = arg.force() if isinstance(arg, Thunk) else arg
    if type(attrs) is not NixAttrs:
        raise EvalError(f"value is {show_type(attrs)} while a set was expected", pos)
    d = attrs.d
    env2 = [fenv]
    env2.extend([None] * info.nslots)
    if info.param is not None:
        env2[1] = arg
    used = 0
    defaults = None
    for name, slot, default in info.entries:
        c = d.get(name, _MISSING)
        if c is _MISSING:
            if default is None:
                raise EvalError(f"{lambda_desc(info)} called without required argument '{name}'", pos)
            if defaults is None:
                defaults = []
            defaults.append((slot, default))
        else:
            env2[slot] = c
            used += 1
    if defaults:
        for slot, default in defaults:
            env2[slot] = default(env2)
    if not info.ellipsis and used != len(d):
        for name in sorted(d):
            if name not in info.formal_names:
                err = EvalError(f"{lambda_desc(info)} called with unexpected argument '{name}'", pos)
                err.suggestion = suggestion_text(name, info.formal_names)  # type: ignore[attr-defined]
                raise err
    return env2


def call(f: Any, arg: Any, pos: Any = None) -> Any:
    """Apply ``f`` (value or thunk) to ``arg`` (value or thunk); returns a forced value."""
    t = type(f)
    if t is not Lambda and isinstance(f, Thunk):
        f = f.force()
        t = type(f)
    if t is Lambda:
        info = f.node
        if info.simple:
            env2 = [f.env, arg]
        else:
            env2 = _bind_formals(info, f.env, arg, pos)
        try:
            if _enter is not None:
                _enter()
            return info.code(env2)
        except EvalError as err:
            err.trace.append((f"while evaluating {repr_name(info)}", info.pos))
            err.trace.append(("from call site", pos))
            raise
    if t is PrimOp:
        args = f.args + (arg,)
        if len(args) == f.arity:
            return call_primop(f, list(args), pos)
        return PrimOp(f.name, f.arity, f.fn, args)
    if t is NixAttrs:
        functor = f.d.get("__functor")
        if functor is not None:
            return call(call(functor, f, pos), arg, pos)
    raise EvalError(f"attempt to call something which is not a function but {show_type(f)}", pos)


def call_primop(f: PrimOp, args: list, pos: Any) -> Any:
    """Run builtin ``f`` on all its arguments (``f.args`` and the rest, ``arity`` in all)."""
    try:
        r = f.fn(args, pos)
    except EvalError as err:
        if f.name in _POSITIONLESS and err.pos is pos:
            err.pos = None  # Nix's throw/abort errors carry no position
        raise
    except StoreError as err:  # a store failure a builtin did not report itself
        raise EvalError(err.message, None) from None
    if isinstance(r, Thunk):
        r = r.force()
    return r


def repr_name(info: LambdaInfo) -> str:
    return f"'{info.name}'" if info.name else "anonymous lambda"


def _hook_eval(expr: Any, env: Any) -> Any:
    if callable(expr):
        return expr(env)
    raise TypeError("hooks.eval expects a compiled expression")


hooks.eval = _hook_eval
hooks.call = call


# --------------------------------------------------------------------------------------------
# compilation


class Scope:
    """A static scope: ``names`` maps a name to its slot; a ``with`` scope has no names."""

    __slots__ = ("names", "parent", "is_with")

    def __init__(self, names: dict[str, int], parent: "Scope | None", is_with: bool = False) -> None:
        self.names = names
        self.parent = parent
        self.is_with = is_with


def _var_code(depth: int, idx: int, pos: Any) -> Callable[[list], Any]:
    """The code of a variable in slot ``idx`` of the environment ``depth`` levels up: its value,
    forced (a thunk already forced is read without a call; one being forced is Nix's infinite
    recursion, reported at the variable). The body is written out once per depth on purpose:
    variable reads are the evaluator's most frequent operation, and a shared helper or a loop
    over the parents would add a Python call or iteration to every one of them."""
    if depth == 0:
        def ev(env):
            v = env[idx]
            if isinstance(v, Thunk):
                r = v.value
                if r is _UNSET:
                    return v.force()
                if r is _BLACKHOLE:
                    raise EvalError("infinite recursion encountered", pos, kind="recursion")
                return r
            return v
    elif depth == 1:
        def ev(env):
            v = env[0][idx]
            if isinstance(v, Thunk):
                r = v.value
                if r is _UNSET:
                    return v.force()
                if r is _BLACKHOLE:
                    raise EvalError("infinite recursion encountered", pos, kind="recursion")
                return r
            return v
    elif depth == 2:
        def ev(env):
            v = env[0][0][idx]
            if isinstance(v, Thunk):
                r = v.value
                if r is _UNSET:
                    return v.force()
                if r is _BLACKHOLE:
                    raise EvalError("infinite recursion encountered", pos, kind="recursion")
                return r
            return v
    elif depth == 3:
        def ev(env):
            v = env[0][0][0][idx]
            if isinstance(v, Thunk):
                r = v.value
                if r is _UNSET:
                    return v.force()
                if r is _BLACKHOLE:
                    raise EvalError("infinite recursion encountered", pos, kind="recursion")
                return r
            return v
    elif depth == 4:
        def ev(env):
            v = env[0][0][0][0][idx]
            if isinstance(v, Thunk):
                r = v.value
                if r is _UNSET:
                    return v.force()
                if r is _BLACKHOLE:
                    raise EvalError("infinite recursion encountered", pos, kind="recursion")
                return r
            return v
    else:
        up = _env_at(depth)

        def ev(env):
            v = up(env)[idx]
            if isinstance(v, Thunk):
                r = v.value
                if r is _UNSET:
                    return v.force()
                if r is _BLACKHOLE:
                    raise EvalError("infinite recursion encountered", pos, kind="recursion")
                return r
            return v
    return ev


def _attr_pos(at: tuple | None) -> Any:
    """The position of attribute ``name`` in ``attrs``, for ``at = (attrs, name)`` (or None)."""
    if at is None or not at[0].pos:
        return None
    return at[0].pos.get(at[1])


def _env_at(depth: int) -> Callable[[list], list]:
    """The environment ``depth`` levels up from the one given."""
    if depth == 0:
        return lambda env: env
    if depth == 1:
        return lambda env: env[0]
    if depth == 2:
        return lambda env: env[0][0]
    if depth == 3:
        return lambda env: env[0][0][0]
    if depth == 4:
        return lambda env: env[0][0][0][0]
    if depth == 5:
        return lambda env: env[0][0][0][0][0]
    if depth == 6:
        return lambda env: env[0][0][0][0][0][0]

    def up(env: list) -> list:
        for _ in range(depth):
            env = env[0]
        return env
    return up


class DeferredPos:
    """A position computed on first use (finding Nix's exact column needs the source text, which
    only matters when an error is reported). Behaves like :class:`Pos` when read."""

    __slots__ = ("fn", "node", "_p")

    def __init__(self, fn: Callable[[Any], Pos], node: Any) -> None:
        self.fn = fn
        self.node = node
        self._p: Pos | None = None

    def resolve(self) -> Pos:
        if self._p is None:
            self._p = self.fn(self.node)
            self.fn = self.node = None
        return self._p

    @property
    def file(self) -> str:
        return self.resolve().file

    @property
    def line(self) -> int:
        return self.resolve().line

    @property
    def col(self) -> int:
        return self.resolve().col

    def __str__(self) -> str:
        return str(self.resolve())


def resolve_pos(pos: Any) -> Any:
    """A :class:`Pos` for ``pos`` (resolving a :class:`DeferredPos`)."""
    return pos.resolve() if type(pos) is DeferredPos else pos


class SourceText:
    """Source texts by file name, to find the parentheses and ``${`` Nix's positions include
    (the AST does not keep them)."""

    def __init__(self) -> None:
        self._texts: dict[str, tuple[str, list[int]] | None] = {}

    def _get(self, file: str):
        if file in self._texts:
            return self._texts[file]
        from ..errors import _virtual_sources, file_text

        text = _virtual_sources.get(file)
        if text is None:
            text = file_text(file)
        entry = None
        if text is not None:
            starts = [0]
            for i, c in enumerate(text):
                if c == "\n":
                    starts.append(i + 1)
            entry = (text, starts)
        self._texts[file] = entry
        return entry

    @staticmethod
    def _off(entry, pos: Pos) -> int | None:
        text, starts = entry
        if not (1 <= pos.line <= len(starts)):
            return None
        return starts[pos.line - 1] + pos.col - 1

    @staticmethod
    def _pos(entry, file: str, off: int) -> Pos:
        import bisect

        starts = entry[1]
        line = bisect.bisect_right(starts, off)
        return Pos(file, line, off - starts[line - 1] + 1)

    @staticmethod
    def _back_ws(text: str, j: int) -> int:
        while j >= 0 and text[j] in " \t\r\n":
            j -= 1
        return j

    @staticmethod
    def _match(text: str, j: int) -> int | None:
        depth = 0
        for k in range(j, min(len(text), j + 200000)):
            c = text[k]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return k
        return None

    def _locate(self, p: Pos | None) -> tuple[Any, str, int] | None:
        """The source entry, its text and the offset of ``p`` in it, or None when unknown."""
        if p is None:
            return None
        entry = self._get(p.file)
        if entry is None:
            return None
        off = self._off(entry, p)
        return None if off is None else (entry, entry[0], off)

    def grow_left(self, p: Pos, limit: Pos | None = None, follow: str = "") -> Pos:
        """``p`` moved back over ``(`` whose ``)`` closes before ``limit`` (or is followed by
        one of ``follow``)."""
        found = self._locate(p)
        if found is None:
            return p
        entry, text, off = found
        lim = self._off(entry, limit) if limit is not None and limit.file == p.file else None
        moved = False
        while True:
            j = self._back_ws(text, off - 1)
            if j < 0 or text[j] != "(":
                break
            m = self._match(text, j)
            if m is None:
                break
            ok = lim is not None and m < lim
            if not ok and follow:
                k = m + 1
                while k < len(text) and text[k] in " \t\r\n":
                    k += 1
                ok = k < len(text) and text[k] in follow
            if not ok:
                break
            off = j
            moved = True
        return self._pos(entry, p.file, off) if moved else p

    def grow_back(self, p: Pos) -> Pos:
        """``p`` moved back over every ``(`` directly before it."""
        found = self._locate(p)
        if found is None:
            return p
        entry, text, off = found
        moved = False
        while True:
            j = self._back_ws(text, off - 1)
            if j < 0 or text[j] != "(":
                break
            off = j
            moved = True
        return self._pos(entry, p.file, off) if moved else p

    def dollar_curly(self, p: Pos) -> Pos:
        """The ``${`` that opens the interpolation whose expression starts at ``p``."""
        found = self._locate(p)
        if found is None:
            return p
        entry, text, off = found
        j = off - 1
        while j >= 1 and text[j] in " \t\r\n(":
            j -= 1
        if j >= 1 and text[j] == "{" and text[j - 1] == "$":
            return self._pos(entry, p.file, j - 1)
        return p


class Compiler:
    """Turns AST nodes into closures for one evaluator (search path, imports)."""

    def __init__(self, state: "Evaluator") -> None:
        self.state = state
        self.src = SourceText()
        self.dispatch = {
            A.Int: self.c_const, A.Float: self.c_const, A.Str: self.c_const, A.Path: self.c_const,
            A.InterpStr: self.c_interp_str, A.InterpPath: self.c_interp_path,
            A.SearchPath: self.c_search_path, A.Var: self.c_var, A.Select: self.c_select,
            A.HasAttr: self.c_hasattr, A.Attrs: self.c_attrs, A.List: self.c_list,
            A.Lambda: self.c_lambda, A.Call: self.c_call, A.Let: self.c_let, A.With: self.c_with,
            A.Assert: self.c_assert, A.If: self.c_if, A.Not: self.c_not, A.BinOp: self.c_binop,
            A.CurPos: self.c_curpos,
        }
        # How a DeferredPos finds its position, made once: a bound method or closure made for
        # each of the ~10,000 positions of a package was 0.6 MB of its peak memory.
        self._start_of = self._start_exact
        self._operand_of = lambda n: self.src.grow_back(self._start_exact(n))
        self._dollar_of = lambda n: self.src.dollar_curly(self._start_exact(n))
        self._left_operand_of = lambda n: self.src.grow_left(self._start_exact(n.lhs), limit=n.rhs.pos)

    # -- helpers ----------------------------------------------------------------------------

    def start(self, node: Any) -> "DeferredPos":
        """Where ``node`` starts (computed only if an error needs it)."""
        return DeferredPos(self._start_of, node)

    def _start_exact(self, node: Any) -> Pos:
        """Where the expression starts as Nix reports it: the start of its leftmost operand,
        including parentheses that group that operand (Nix positions include them)."""
        chain = []
        n = node
        while True:
            t = type(n)
            if t is A.BinOp:
                nxt = n.lhs
            elif t is A.Call:
                nxt = n.fn
            elif t is A.Select or t is A.HasAttr:
                nxt = n.expr
            else:
                break
            chain.append(n)
            n = nxt
        p = n.pos
        for c in reversed(chain):
            t = type(c)
            if t is A.BinOp:
                p = self.src.grow_left(p, limit=c.rhs.pos)
            elif t is A.Call:
                p = self.src.grow_left(p, limit=c.arg.pos)
            else:
                p = self.src.grow_left(p, follow=".?")
        return p

    def operand(self, node: Any) -> "DeferredPos":
        """The position of a right-hand operand, with the parentheses written around it."""
        return DeferredPos(self._operand_of, node)

    def interp_pos(self, node: Any) -> "DeferredPos":
        """The ``${`` of an interpolated expression."""
        return DeferredPos(self._dollar_of, node)

    def left_operand(self, node: A.BinOp) -> "DeferredPos":
        return DeferredPos(self._left_operand_of, node)

    def compile_root(self, node: Any, scope: Scope, scope_key: str | None = None) -> Callable[[list], Any]:
        """A file's or string's code: its variables are checked now, as Nix's parser binds them,
        while function bodies and thunks are compiled when they first run. ``scope_key`` names a
        global ``scope`` (:func:`.parse_cache.scope_key`): a file from the parse cache already
        checked in it is not walked again, and one checked now is recorded there."""
        if scope_key is None:
            check_variables(node, scope)
        else:
            from . import parse_cache

            if not parse_cache.bound_in(node, scope_key):
                check_variables(node, scope)
                parse_cache.mark_bound(node, scope_key)
        return self.compile(node, scope)

    def compile(self, node: Any, scope: Scope) -> Callable[[list], Any]:
        return self.dispatch[type(node)](node, scope)

    def constant_of(self, node: Any) -> Any:
        t = type(node)
        if t is A.Int or t is A.Float:
            return node.value
        if t is A.Str:
            return NixString(node.value)
        if t is A.Path:
            return NixPath(node.value)
        return _MISSING

    def lazy(self, node: Any, scope: Scope, building: int = 0) -> Callable[[list], Any]:
        """A closure giving the value-or-thunk for ``node`` (Nix's maybeThunk).

        ``building`` is the slot being filled when ``scope`` is a let/rec/formals scope under
        construction: a variable naming that slot or a later one (not yet filled) gets a thunk,
        an earlier one shares the cell, as in Nix."""
        c = self.constant_of(node)
        if c is not _MISSING:
            return lambda env: c
        if type(node) is A.Var:
            res = self.resolve(node, scope)
            if res[0] == "static" and not (building and res[1] == 0 and res[2] >= building):
                depth, idx = res[1], res[2]
                if depth == 0:
                    return lambda env: env[idx]
                if depth == 1:
                    return lambda env: env[0][idx]
                if depth == 2:
                    return lambda env: env[0][0][idx]
                if depth == 3:
                    return lambda env: env[0][0][0][idx]
                up = _env_at(depth)
                return lambda env: up(env)[idx]
        # A function is cheap to compile (its body is compiled on first call). Its thunk is still
        # made, as Nix makes one: a lazily printed value shows it as <CODE> until it is forced.
        code = self.compile(node, scope) if type(node) is A.Lambda else None

        def first(env: list) -> Any:  # compiled when a thunk of it is first forced
            nonlocal code, first, node, scope
            if code is None:  # (thunks made before that still hold this function)
                code = self.compile(node, scope)
                # thunks made from now on hold the code: this function (and the tree it was
                # compiled from) is kept only by the thunks made before, and freed with them.
                # (Until then it refers to itself: a site never forced is freed by the cycle
                # collector, with the compiled code around it.)
                first = node = scope = None
            return code(env)

        def thunk(env: list) -> CThunk:  # CThunk(code, env) without a Python __init__ call: thunks
            t = CThunk.__new__(CThunk)  # are the evaluator's most made object (-1% of a real
            # nixpkgs' work; compiled, its fields are set as C struct members: evaluator.pxd)
            t.expr = code or first
            t.env = env
            t.value = _UNSET
            return t
        return thunk

    def resolve(self, node: A.Var, scope: Scope) -> tuple:
        name = node.name
        depth = 0
        withs: list[int] = []
        s: Scope | None = scope
        while s is not None:
            if s.is_with:
                withs.append(depth)
            else:
                idx = s.names.get(name)
                if idx is not None:
                    return ("static", depth, idx)
            s = s.parent
            depth += 1
        if withs:
            return ("with", withs)
        raise EvalError(f"undefined variable '{name}'", node.pos)

    # -- nodes ------------------------------------------------------------------------------

    def c_const(self, node: Any, scope: Scope):
        c = self.constant_of(node)
        return lambda env: c

    def c_var(self, node: A.Var, scope: Scope):
        res = self.resolve(node, scope)
        if res[0] == "static":
            return _var_code(res[1], res[2], node.pos)
        withs = res[1]
        name = node.name
        pos = node.pos
        ups = [_env_at(d) for d in withs]

        def ev_with(env):
            for up in ups:
                wenv = up(env)
                attrs = wenv[1]
                if isinstance(attrs, Thunk):
                    attrs = attrs.force()
                if type(attrs) is not NixAttrs:
                    raise EvalError(f"value is {show_type(attrs)} while a set was expected", None)
                v = attrs.d.get(name, _MISSING)
                if v is not _MISSING:
                    return v.force() if isinstance(v, Thunk) else v
            if missing_attribute_hook is not None:
                for up in ups:
                    attrs = up(env)[1]
                    v = missing_attribute_hook(attrs.force() if isinstance(attrs, Thunk) else attrs, name, pos)
                    if v is not _MISSING:
                        return v.force() if isinstance(v, Thunk) else v
            raise EvalError(f"undefined variable '{name}'", pos)
        ev_with.pos = pos  # type: ignore[attr-defined]
        return ev_with

    def _compile_parts(self, node: A.InterpStr | A.InterpPath, scope: Scope) -> list[tuple]:
        """``(literal, None, None)`` or ``(None, code, position)`` for each part of an
        interpolated string or path."""
        return [(p, None, None) if isinstance(p, str) else (None, self.compile(p, scope), self.interp_pos(p))
                for p in node.parts]

    def c_interp_str(self, node: A.InterpStr, scope: Scope):
        parts = self._compile_parts(node, scope)

        def ev(env):
            out = []
            ctx = _EMPTY
            for lit, code, pos in parts:
                if code is None:
                    out.append(lit)
                else:
                    v = code(env)
                    if type(v) is NixString:
                        s = v
                    else:
                        s = coerce_to_string(v, pos)
                    out.append(s.s)
                    if s.ctx:
                        ctx = ctx | s.ctx
            return NixString("".join(out), ctx)
        return ev

    def c_interp_path(self, node: A.InterpPath, scope: Scope):
        parts = self._compile_parts(node, scope)

        def ev(env):
            out = []
            for lit, code, pos in parts:
                if code is None:
                    out.append(lit)
                else:
                    s = coerce_to_string(code(env), pos, copy_to_store=False)
                    if s.ctx:
                        raise EvalError("a string that refers to a store path cannot be appended to a path", pos)
                    out.append(s.s)
            return NixPath(canon_path("".join(out)))
        return ev

    def c_search_path(self, node: A.SearchPath, scope: Scope):
        """``<name>`` is ``__findFile __nixPath "name"`` as in Nix (both may be rebound)."""
        pos = node.pos
        call_node = A.Call(pos, A.Call(pos, A.Var(pos, "__findFile"), A.Var(pos, "__nixPath")), A.Str(pos, node.name))
        return self.compile(call_node, scope)

    def _attr_name(self, p: Any, scope: Scope):
        """A static name as is, or a closure computing a dynamic name."""
        if isinstance(p, str):
            return p
        code = self.compile(p, scope)
        pos = self.start(p)

        def name(env):
            v = code(env)
            return v.s if type(v) is NixString else force_string(v, None).s
        return name

    def c_select(self, node: A.Select, scope: Scope):
        e = self.compile(node.expr, scope)
        path = [self._attr_name(p, scope) for p in node.path]
        default = self.compile(node.default, scope) if node.default is not None else None
        pos = self.start(node)
        path_text = None

        def shown() -> str:
            return ".".join(p if isinstance(p, str) else "\"${...}\"" for p in node.path)

        if len(path) == 1 and isinstance(path[0], str) and default is None:
            name = path[0]

            def ev1(env):
                v = e(env)
                if type(v) is not NixAttrs:
                    raise EvalError(f"value is {show_type(v)} while a set was expected", pos)
                c = v.d.get(name, _MISSING)
                if c is _MISSING and missing_attribute_hook is not None:
                    c = missing_attribute_hook(v, name, pos)
                if c is _MISSING:
                    err = EvalError(f"attribute '{name}' missing", pos)
                    err.suggestion = suggestion_text(name, v.d)  # type: ignore[attr-defined]
                    raise err
                if isinstance(c, Thunk):
                    r = c.value
                    if r is not _UNSET and r is not _BLACKHOLE:
                        return r
                    try:
                        if r is _BLACKHOLE:
                            raise EvalError("infinite recursion encountered", (v.pos.get(name) if v.pos else None) or pos, kind="recursion")
                        return c.force()
                    except EvalError as err:
                        err.trace.append((f"while evaluating the attribute '{name}'", v.pos.get(name) if v.pos else None))
                        raise
                return c
            return ev1

        def ev(env):
            v = e(env)
            at = None  # the set and name last selected from (for the trace's position)
            try:
                for p in path:
                    name = p if isinstance(p, str) else p(env)
                    if type(v) is not NixAttrs:
                        if default is not None:
                            return default(env)
                        raise EvalError(f"value is {show_type(v)} while a set was expected", pos)
                    c = v.d.get(name, _MISSING)
                    if c is _MISSING and default is None and missing_attribute_hook is not None:
                        c = missing_attribute_hook(v, name, pos)
                    if c is _MISSING:
                        if default is not None:
                            return default(env)
                        err = EvalError(f"attribute '{name}' missing", pos)
                        err.suggestion = suggestion_text(name, v.d)  # type: ignore[attr-defined]
                        raise err
                    at = (v, name)
                    if isinstance(c, Thunk):
                        v = c.value
                        if v is _UNSET:
                            v = c.force()
                        elif v is _BLACKHOLE:
                            raise EvalError("infinite recursion encountered", _attr_pos(at) or pos, kind="recursion")
                    else:
                        v = c
                return v
            except EvalError as err:
                apos = _attr_pos(at)
                if apos is not None:
                    err.trace.append((f"while evaluating the attribute '{shown()}'", apos))
                raise
        return ev

    def c_hasattr(self, node: A.HasAttr, scope: Scope):
        e = self.compile(node.expr, scope)
        path = [self._attr_name(p, scope) for p in node.path]

        last = len(path) - 1
        if len(path) == 1 and isinstance(path[0], str):  # ``e ? name``
            name = path[0]

            def ev1(env):
                v = e(env)
                return type(v) is NixAttrs and name in v.d
            return ev1

        def ev(env):
            # Nix looks only at names: the value under the last name is never forced, and each
            # value on the way is forced only to see whether it is a set.
            v = e(env)
            for i, p in enumerate(path):
                name = p if isinstance(p, str) else p(env)
                if type(v) is not NixAttrs:
                    return False
                c = v.d.get(name, _MISSING)
                if c is _MISSING:
                    return False
                if i == last:
                    return True
                v = c.force() if isinstance(c, Thunk) else c
            return True
        return ev

    def _dynamic(self, dyn: list, scope: Scope):
        out = []
        for d in dyn:
            out.append((self.compile(d.name, scope), self.start(d.name), self.lazy(d.expr, scope), d.pos))
        return out

    @staticmethod
    def _add_dynamic(dyn: list, env: list, d: dict, posmap: dict | None):
        posmap = dict(posmap or {})
        for name_code, npos, value, apos in dyn:
            n = name_code(env)
            if n is None:
                continue
            name = force_string(n, npos).s
            if name in d:
                prev = posmap.get(name)
                raise EvalError(f"dynamic attribute '{name}' already defined at {pos_text(prev)}", apos)
            d[name] = value(env)
            posmap[name] = apos
        return dict(sorted(d.items())), posmap

    def c_attrs(self, node: A.Attrs, scope: Scope):
        names = sorted(node.attrs)
        posmap = {n: node.attrs[n].pos for n in names}
        if not node.rec:
            items = [(n, self.lazy(node.attrs[n].expr, scope)) for n in names]
            if not node.dynamic:
                if not items:
                    return lambda env: NixAttrs({}, posmap)

                def ev(env):  # NixAttrs(d, posmap) without a Python __init__ call
                    a = NixAttrs.__new__(NixAttrs)
                    a.d = {n: lz(env) for n, lz in items}
                    a.pos = posmap
                    return a
                return ev
            dyn = self._dynamic(node.dynamic, scope)
            add = self._add_dynamic

            def ev_dyn(env):
                d = {n: lz(env) for n, lz in items}
                d, pm = add(dyn, env, d, posmap)
                return NixAttrs(d, pm)
            return ev_dyn
        order = list(node.attrs)
        slots = {n: i + 1 for i, n in enumerate(order)}
        inner = Scope(slots, scope)
        fills = []
        has_overrides = "__overrides" in slots
        for n in order:
            d = node.attrs[n]
            if d.inherited and type(d.expr) is A.Var:
                fills.append((slots[n], True, self.lazy(d.expr, scope)))
            elif has_overrides:  # real thunks (no shared cells), so overridden slots are seen
                fills.append((slots[n], False, lambda env, ev=self.compile(d.expr, inner): CThunk(ev, env)))
            else:
                fills.append((slots[n], False, self.lazy(d.expr, inner, building=slots[n])))
        dyn = self._dynamic(node.dynamic, inner) if node.dynamic else None
        size = len(names)
        add = self._add_dynamic
        sorted_slots = [(n, slots[n]) for n in names]

        ov_slot = slots.get("__overrides")
        overrides = self._apply_overrides

        def ev_rec(env):
            env2 = [env]
            env2.extend([None] * size)
            for slot, inherited, lz in fills:
                env2[slot] = lz(env) if inherited else lz(env2)
            d = {n: env2[i] for n, i in sorted_slots}
            pm = posmap
            if ov_slot is not None:
                d, pm = overrides(env2, ov_slot, slots, d, pm)
            if dyn:
                d, pm = add(dyn, env2, d, pm)
            return NixAttrs(d, pm)
        return ev_rec

    @staticmethod
    def _apply_overrides(env2: list, ov_slot: int, slots: dict, d: dict, posmap: dict):
        """Nix's ``__overrides`` in a ``rec`` set: its attributes replace the set's own, also for
        the other attributes that refer to them (the recursive scope's slots), or are added.
        Forced when the set is, with no position for a type error (as Nix's noPos)."""
        over = force_attrs(env2[ov_slot], None)
        if not over.d:
            return d, posmap
        d = dict(d)
        posmap = dict(posmap)
        over_pos = over.pos or {}
        for name, value in over.d.items():
            slot = slots.get(name)
            if slot is not None:
                env2[slot] = value
            d[name] = value
            posmap[name] = over_pos.get(name)
        return dict(sorted(d.items())), posmap

    def c_list(self, node: A.List, scope: Scope):
        items = [self.lazy(i, scope) for i in node.items]
        if not items:
            return lambda env: NixList([])

        def ev(env):  # NixList(items) without a Python __init__ call
            v = NixList.__new__(NixList)
            v.items = [lz(env) for lz in items]
            return v
        return ev

    def c_lambda(self, node: A.Lambda, scope: Scope):
        info = LambdaInfo(node)
        if node.formals is None:
            inner = Scope({node.param: 1}, scope)
            info.nslots = 1
        else:
            names: dict[str, int] = {}
            i = 1
            if node.param is not None:
                names[node.param] = 1
                i = 2
            for f in node.formals.entries:
                names[f.name] = i
                i += 1
            info.nslots = i - 1
            inner = Scope(names, scope)
            info.entries = [(f.name, names[f.name], self.lazy(f.default, inner, building=1) if f.default is not None else None)
                            for f in node.formals.entries]
            info.formal_names = frozenset(f.name for f in node.formals.entries)

        def first(env: list) -> Any:  # the body is compiled (and read) when the function is first called
            body = node.body
            if node.name and type(body) is A.Lambda and body.name is None:
                body.name = node.name  # Nix's setName reaches the lambdas of a curried function
            code = info.code = self.compile(body, inner)
            return code(env)
        info.code = first

        def function(env: list) -> Lambda:  # Lambda(info, env) without a Python __init__ call
            f = Lambda.__new__(Lambda)
            f.node = info
            f.env = env
            return f
        return function

    def c_call(self, node: A.Call, scope: Scope):
        """``f a1 ... an`` (nested ``Call`` nodes) as one closure: a lambda's body is entered
        directly, and a builtin given all its arguments at once is run without making the
        partial applications in between."""
        chain = []
        n: Any = node
        while type(n) is A.Call:
            chain.append(n)
            n = n.fn
        chain.reverse()
        fn = self.compile(n, scope)
        steps = [(self.lazy(c.arg, scope), self.start(c)) for c in chain]
        nargs = len(steps)
        if nargs == 1:
            arg, pos = steps[0]

            def ev(env):
                f = fn(env)
                if type(f) is Lambda:
                    info = f.node
                    if info.simple:
                        env2 = [f.env, arg(env)]
                    else:
                        env2 = _bind_formals(info, f.env, arg(env), pos)
                    try:
                        if _enter is not None:
                            _enter()
                        return info.code(env2)
                    except EvalError as err:
                        err.trace.append((f"while evaluating {repr_name(info)}", info.pos))
                        err.trace.append(("from call site", pos))
                        raise
                if type(f) is PrimOp and len(f.args) + 1 == f.arity:  # a builtin's last argument
                    return call_primop(f, [*f.args, arg(env)], pos)
                return call(f, arg(env), pos)
            return ev
        last_pos = steps[-1][1]
        first_arg, second_arg = steps[0][0], steps[1][0]

        def evn(env):
            f = fn(env)
            if type(f) is PrimOp and f.arity == nargs and not f.args:
                if nargs == 2:  # the common case, without a comprehension's frame
                    return call_primop(f, [first_arg(env), second_arg(env)], last_pos)
                return call_primop(f, [a(env) for a, _ in steps], last_pos)
            for a, pos in steps:
                if type(f) is Lambda:
                    info = f.node
                    if info.simple:
                        env2 = [f.env, a(env)]
                    else:
                        env2 = _bind_formals(info, f.env, a(env), pos)
                    try:
                        if _enter is not None:
                            _enter()
                        f = info.code(env2)
                    except EvalError as err:
                        err.trace.append((f"while evaluating {repr_name(info)}", info.pos))
                        err.trace.append(("from call site", pos))
                        raise
                else:
                    f = call(f, a(env), pos)
            return f
        return evn

    def c_let(self, node: A.Let, scope: Scope):
        attrs = node.attrs
        names = list(attrs.attrs)
        slots = {n: i + 1 for i, n in enumerate(names)}
        inner = Scope(slots, scope)
        fills = []
        for n in names:
            d = attrs.attrs[n]
            if d.inherited and type(d.expr) is A.Var:
                fills.append((slots[n], True, self.lazy(d.expr, scope)))
            else:
                fills.append((slots[n], False, self.lazy(d.expr, inner, building=slots[n])))
        body = self.compile(node.body, inner)
        size = len(names)

        def ev(env):
            env2 = [env]
            env2.extend([None] * size)
            for slot, inherited, lz in fills:
                env2[slot] = lz(env) if inherited else lz(env2)
            return body(env2)
        return ev

    def c_with(self, node: A.With, scope: Scope):
        attrs = self.lazy(node.env, scope)
        inner = Scope({}, scope, is_with=True)
        body = self.compile(node.body, inner)
        return lambda env: body([env, attrs(env)])

    def c_assert(self, node: A.Assert, scope: Scope):
        cond = self.compile(node.cond, scope)
        body = self.compile(node.body, scope)
        pos = node.pos
        cpos = node.pos

        def ev(env):
            c = cond(env)
            if type(c) is not bool:
                raise EvalError(f"value is {show_type(c)} while a Boolean was expected", cpos)
            if not c:
                from .ast_dump import to_nix_parse_format  # (a failed assertion only)

                raise EvalError(f"assertion '{to_nix_parse_format(node.cond)}' failed", pos, kind="assert")
            return body(env)
        return ev

    def c_if(self, node: A.If, scope: Scope):
        cond = self.compile(node.cond, scope)
        then = self.compile(node.then, scope)
        else_ = self.compile(node.else_, scope)
        pos = node.pos

        def ev(env):
            c = cond(env)
            if c is True:
                return then(env)
            if c is False:
                return else_(env)
            raise EvalError(f"value is {show_type(c)} while a Boolean was expected", pos)
        return ev

    def c_not(self, node: A.Not, scope: Scope):
        e = self.compile(node.expr, scope)

        def ev(env):
            c = e(env)
            if c is True:
                return False
            if c is False:
                return True
            raise EvalError(f"value is {show_type(c)} while a Boolean was expected", None)
        return ev

    def c_curpos(self, node: A.CurPos, scope: Scope):
        from ..errors import _virtual_sources

        pos = node.pos
        # Nix 2.8 gives the expression text itself as ``file`` for ``-E`` sources
        file = NixString(_virtual_sources.get(pos.file, pos.file))

        def ev(env):
            return NixAttrs({"column": pos.col, "file": file, "line": pos.line})
        return ev

    def c_binop(self, node: A.BinOp, scope: Scope):
        op = node.op
        lhs = self.compile(node.lhs, scope)
        rhs = self.compile(node.rhs, scope)
        start = self.start(node)
        rpos = self.operand(node.rhs)
        lpos = self.left_operand(node)
        if op == "+":
            return _plus(lhs, rhs, lpos, rpos)
        if op == "-":
            def ev(env):
                a = lhs(env)
                b = rhs(env)
                if type(a) is int and type(b) is int:
                    r = a - b
                    return r if -9223372036854775808 <= r <= 9223372036854775807 else check_int(r)
                return _arith(a, b, start, "-")
            return ev
        if op == "*":
            def ev(env):
                a = lhs(env)
                b = rhs(env)
                if type(a) is int and type(b) is int:
                    return check_int(a * b)
                return _arith(a, b, start, "*")
            return ev
        if op == "/":
            return lambda env: _divide(lhs(env), rhs(env), start)
        if op == "==":
            return lambda env: values_equal(lhs(env), rhs(env), start, cells=False)
        if op == "!=":
            return lambda env: not values_equal(lhs(env), rhs(env), start, cells=False)
        if op == "<":
            return lambda env: _less(lhs(env), rhs(env), start)
        if op == ">":
            def ev(env):
                a = lhs(env)
                return _less(rhs(env), a, start)
            return ev
        if op == "<=":
            def ev(env):
                a = lhs(env)
                return not _less(rhs(env), a, start)
            return ev
        if op == ">=":
            return lambda env: not _less(lhs(env), rhs(env), start)
        if op in _SHORT_CIRCUIT:  # &&, ||, ->: the left side alone may decide
            decides, result = _SHORT_CIRCUIT[op]

            def ev(env):  # (operands are forced values: a Boolean as is, anything else the error)
                a = lhs(env)
                if a is decides:
                    return result
                if type(a) is not bool:
                    force_bool(a, start)
                b = rhs(env)
                return b if type(b) is bool else force_bool(b, start)
            return ev
        if op == "//":
            def ev(env):
                a = lhs(env)
                if type(a) is not NixAttrs:
                    force_attrs(a, None)  # (the error)
                b = rhs(env)
                if type(b) is not NixAttrs:
                    force_attrs(b, None)
                if not b.d:
                    return a
                if not a.d:
                    return b
                ad, bd = a.d, b.d
                pm = MergedPositions(a.pos, b.pos) if a.pos or b.pos else None
                if type(ad) is LazySortedDict and ad.unsorted or type(bd) is LazySortedDict and bd.unsorted:
                    return NixAttrs(merged_unsorted(ad, bd), pm)
                if next(reversed(ad)) < next(iter(bd)) or bd.keys() <= ad.keys():
                    d = dict(ad)  # the right side's new names, if any, all come after the left's
                    d.update(bd)
                    return NixAttrs(d, pm)
                # new names among the old: sorted when first iterated
                return NixAttrs(merged_unsorted(ad, bd), pm)
            return ev
        if op == "++":
            def ev(env):
                a = force_list(lhs(env), start)
                b = force_list(rhs(env), start)
                if not b.items:
                    return a
                if not a.items:
                    return b
                return NixList(a.items + b.items)
            return ev
        raise EvalError(f"unknown operator '{op}'", node.pos)


#: The Boolean operators: (the left operand that decides alone, the result it gives).
_SHORT_CIRCUIT = {"&&": (False, False), "||": (True, True), "->": (False, True)}


def _less(a: Any, b: Any, pos: Any) -> bool:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return a < b
    return compare_values(a, b, pos) < 0


def _num(v: Any, want_float: bool, pos: Any) -> Any:
    t = type(v)
    if want_float:
        if t is float or t is int:
            return float(v)
        raise EvalError(f"value is {show_type(v)} while a float was expected", pos)
    if t is int:
        return v
    raise EvalError(f"value is {show_type(v)} while an integer was expected", pos)


def _arith(a: Any, b: Any, pos: Any, op: str) -> Any:
    fl = type(a) is float or type(b) is float
    x = _num(a, fl, pos)
    y = _num(b, fl, pos)
    if op == "-":
        r = x - y
    else:
        r = x * y
    return r if fl else check_int(r)


def _divide(a: Any, b: Any, pos: Any) -> Any:
    tb = type(b)
    if tb is not int and tb is not float:
        raise EvalError(f"value is {show_type(b)} while a float was expected", pos)
    if b == 0:
        raise EvalError("division by zero", pos)
    if type(a) is float or tb is float:
        return _num(a, True, pos) / float(b)
    x = _num(a, False, pos)
    if x == -(2**63) and b == -1:
        raise EvalError("overflow in integer division", pos)
    q = abs(x) // abs(b)
    return q if (x >= 0) == (b >= 0) else -q


def _plus(lhs, rhs, lpos, rpos):
    def ev(env):
        a = lhs(env)
        ta = type(a)
        if ta is int:
            b = rhs(env)
            tb = type(b)
            if tb is int:
                r = a + b
                return r if -9223372036854775808 <= r <= 9223372036854775807 else check_int(r)
            if tb is float:
                return a + b
            raise EvalError(f"cannot add {show_type(b)} to an integer", rpos)
        if ta is NixString:
            b = rhs(env)
            s = b if type(b) is NixString else coerce_to_string(b, rpos)
            ctx = a.ctx | s.ctx if s.ctx else a.ctx
            return NixString(a.s + s.s, ctx)
        if ta is float:
            b = rhs(env)
            tb = type(b)
            if tb is int or tb is float:
                return a + b
            raise EvalError(f"cannot add {show_type(b)} to a float", rpos)
        if ta is NixPath:
            s = coerce_to_string(rhs(env), rpos, copy_to_store=False)
            if s.ctx:
                raise EvalError("a string that refers to a store path cannot be appended to a path", rpos)
            return NixPath(canon_path(a.path + s.s))
        s1 = coerce_to_string(a, lpos)
        b = rhs(env)
        s2 = coerce_to_string(b, rpos)
        return NixString(s1.s + s2.s, s1.ctx | s2.ctx)
    return ev


# --------------------------------------------------------------------------------------------
# the evaluator: global environment, files, search path


def _default_primops() -> dict[str, PrimOp]:
    """Core operators Nix exposes as ``__sub`` etc.; used only if the builtins do not define them."""
    def sub(args, pos):
        a, b = args[0], args[1]
        a = a.force() if isinstance(a, Thunk) else a
        b = b.force() if isinstance(b, Thunk) else b
        return _arith(a, b, pos, "-")

    def less(args, pos):
        return compare_values(args[0], args[1], pos) < 0

    return {"sub": PrimOp("sub", 2, sub), "lessThan": PrimOp("lessThan", 2, less)}


class Evaluator:
    """One evaluation session: builtins, search path, import cache."""

    def __init__(self, search_path: list[str] | None = None, *, system: str | None = None,
                 nix_path_env: bool = True) -> None:
        new_file_evaluation()  # each evaluation sees the directories as they are when it starts
        new_copy_evaluation()  # ... and hashes the paths it copies as they are then
        source_hashes.configure(cache_home("sources.marshal"), _scratch_temp_name)
        self.search_path: list[tuple[str | None, str]] = []
        for entry in (search_path or []):
            self.search_path.append(_split_entry(entry))
        if nix_path_env:
            for entry in os.environ.get("NIX_PATH", "").split(":"):
                if entry:
                    self.search_path.append(_split_entry(entry))
        if limits.SETTINGS.pure_eval:  # Nix 2.8: no search path at all in pure mode
            self.search_path = []
        limits.start_policy(self.search_path)
        self.system = system
        self.import_cache: dict[str, Any] = {}
        self.compiler = Compiler(self)
        self._build_globals()

    # -- globals -----------------------------------------------------------------------------

    def _build_globals(self) -> None:
        from .builtins import all_builtins

        table = all_builtins()
        battrs: dict[str, Any] = {}
        glob: dict[str, Any] = {}
        pending_nix: list[tuple[str, str]] = []
        for name, d in table.items():
            if d.nix_source is not None:
                pending_nix.append((name, d.nix_source))
                continue
            if d.arity > 0:
                v: Any = PrimOp(name, d.arity, d.fn)
            else:
                v = Lazy(d.value) if callable(d.value) else d.value
            battrs[name] = v
            if d.glob:
                glob[name] = v
        for name, p in _default_primops().items():
            battrs.setdefault(name, p)
        battrs["import"] = PrimOp("import", 1, self._prim_import)
        battrs["scopedImport"] = PrimOp("scopedImport", 2, self._prim_scoped_import)
        glob["import"] = battrs["import"]
        glob["scopedImport"] = battrs["scopedImport"]
        battrs.setdefault("true", True)
        battrs.setdefault("false", False)
        battrs.setdefault("null", None)
        for k in ("true", "false", "null"):
            glob[k] = battrs[k]
        if self.system is not None or "currentSystem" not in battrs:
            battrs["currentSystem"] = NixString(self.system or "x86_64-linux")
        battrs["nixPath"] = Lazy(self._nix_path_value)
        if limits.SETTINGS.pure_eval:  # as Nix 2.8: no clock, no current system
            for name in ("currentTime", "currentSystem"):
                battrs.pop(name, None)
        builtins_set = NixAttrs(battrs)
        battrs["builtins"] = builtins_set
        glob["builtins"] = builtins_set
        names: dict[str, Any] = {}
        for name, v in battrs.items():
            names.setdefault("__" + name if name not in glob else name, v)
        for name, v in glob.items():
            names[name] = v
        self.global_names = {n: i + 1 for i, n in enumerate(names)}
        self.base_env: list = [None, *names.values()]
        self.global_scope = Scope(self.global_names, None)
        self._global_key: str | None = None
        for name, src in pending_nix:
            lz = Lazy(lambda src=src, name=name: self.eval_string(src, f"«builtin:{name}»", "/"))
            battrs[name] = lz
            key = name if table[name].glob else "__" + name
            if key in self.global_names:
                self.base_env[self.global_names[key]] = lz
            else:
                self.global_names[key] = len(self.base_env)
                self.base_env.append(lz)
        builtins_set.d = dict(sorted(battrs.items()))

    def _nix_path_value(self) -> NixList:
        out = []
        for prefix, path in self.search_path:
            out.append(NixAttrs({"path": NixString(path), "prefix": NixString(prefix or "")}))
        return NixList(out)

    # -- entry points ------------------------------------------------------------------------

    def compile_ast(self, node: Any, scope: Scope | None = None) -> Callable[[list], Any]:
        if scope is None or scope is self.global_scope:
            if self._global_key is None:
                from .parse_cache import scope_key

                self._global_key = scope_key(self.global_names)
            return self.compiler.compile_root(node, self.global_scope, self._global_key)
        return self.compiler.compile_root(node, scope)

    def eval_ast(self, node: Any) -> Any:
        """Evaluate an AST (to weak head normal form) in the global environment."""
        return self.compile_ast(node)(self.base_env)

    def eval_string(self, text: str, file: str = "«string»", base_dir: str | None = None) -> Any:
        from .source_files import parse_text

        node = parse_text(text, file, base_dir or os.getcwd())  # (registers the text for carets)
        return self.eval_ast(node)

    def eval_file(self, path: str) -> Any:
        """``import path``: evaluate a file (a directory means its default.nix), cached per path."""
        path = limits.check_path(canon_path(path if path[:1] == "/" else os.path.abspath(path)))
        cached = self.import_cache.get(path)
        if cached is None:
            try:
                path = resolve_expr_path(path)  # symlinks followed, as Nix's import does
            except OSError as err:
                raise EvalError(str(err)) from None
            path = limits.check_path(path)
            cached = self.import_cache.get(path)
        if cached is not None:
            return cached.force() if isinstance(cached, Thunk) else cached
        from .source_files import parse_file

        if not os.path.exists(path):
            node = self._parse_computed_store_file(path)
            if node is None:
                raise EvalError(f"getting status of '{path}': No such file or directory")
        else:
            node = parse_file(path)
        code = self.compile_ast(node)
        th = CThunk(code, self.base_env)
        self.import_cache[path] = th
        return th.force()

    @staticmethod
    def _parse_computed_store_file(path: str) -> Any:
        """A file under a store path this process computed from a local source (``"${./dir}"``)
        but never copied: parsed from that source, named and resolved as the store file Nix would
        read (so ``./x`` inside it is below the store path too); or the text of a ``toFile`` of
        this process. None when there is no such source."""
        from ..errors import register_file_source
        from ..store.add import known_text
        from .builtins.store_builtins import on_disk
        from .source_files import parse_file, parse_file_text

        text = known_text(path)  # builtins.toFile's, never written
        if text is not None:
            register_file_source(path, text=text)
            return parse_file_text(text, path)
        src = on_disk(path)
        if src == path:
            return None
        if os.path.isdir(src):
            path, src = path + "/default.nix", src + "/default.nix"
        if not os.path.isfile(src):
            return None
        register_file_source(path, path=src)
        return parse_file(src, path)  # (kept by the source's identity, as any file)

    def _import_path(self, arg: Any, pos: Any) -> str:
        v = arg.force() if isinstance(arg, Thunk) else arg
        if type(v) is NixAttrs and "outPath" not in v.d and "__toString" not in v.d:
            raise EvalError(f"cannot coerce {show_type(v)} to a string", pos)
        s = coerce_to_string(v, pos, copy_to_store=False)
        if not s.s.startswith("/"):
            raise EvalError(f"string '{s.s}' doesn't represent an absolute path", pos)
        if s.s.endswith(".drv"):
            raise EvalError(f"cannot import '{s.s}': importing derivations is not supported", pos)
        if s.ctx:
            from .builtins.files import unbuilt_output_error

            err = unbuilt_output_error(s.s, s.ctx, pos)
            if err is not None:
                raise err
        return s.s

    def _prim_import(self, args: list, pos: Any) -> Any:
        path = self._import_path(args[0], pos)
        if path == COREPKGS_PREFIX + "fetchurl.nix":
            return self._corepkg("fetchurl.nix")
        return self.eval_file(path)

    def _corepkg(self, name: str) -> Any:
        """A file Nix 2.8 builds in under ``/__corepkgs__/`` (``<nix/NAME>``), parsed as Nix
        parses it: from text, relative to ``/``. Ours is written from its behaviour."""
        from .source_files import parse_text

        key = COREPKGS_PREFIX + name
        cached = self.import_cache.get(key)
        if cached is None:
            with open(os.path.join(os.path.dirname(__file__), "corepkgs", name), encoding="utf-8") as fh:
                text = fh.read()
            cached = self.import_cache[key] = CThunk(self.compile_ast(parse_text(text, key, "/")), self.base_env)
        return cached.force() if isinstance(cached, Thunk) else cached

    def _prim_scoped_import(self, args: list, pos: Any) -> Any:
        scope_attrs = force_attrs(args[0], pos)
        path = limits.check_path(self._import_path(args[1], pos))
        try:
            path = limits.check_path(resolve_expr_path(canon_path(path)))
        except OSError as err:
            raise EvalError(str(err)) from None
        if not os.path.exists(path):
            raise EvalError(f"getting status of '{path}': No such file or directory")
        from .source_files import parse_file

        node = parse_file(path)
        names = {n: i + 1 for i, n in enumerate(scope_attrs.d)}
        scope = Scope(names, self.global_scope)
        env = [self.base_env, *scope_attrs.d.values()]
        return self.compiler.compile_root(node, scope)(env)

    def find_file(self, name: str, pos: Any) -> str:
        """Resolve ``<name>`` through ``-I`` entries and ``NIX_PATH`` as ``builtins.findFile`` does
        (one implementation: Nix's ``<nix/...>`` fallback and its warnings for unusable entries)."""
        from .builtins.files import find_file

        return find_file([(prefix or "", path) for prefix, path in self.search_path], name, pos)

    # -- calling top-level functions ---------------------------------------------------------

    def auto_call(self, v: Any, auto_args: dict[str, Any]) -> Any:
        """nix-instantiate's autoCallFunction: call a function with formals with ``auto_args``."""
        v = v.force() if isinstance(v, Thunk) else v
        if type(v) is NixAttrs and "__functor" in v.d:
            r = call(v.d["__functor"], v, None)
            return self.auto_call(r, auto_args)
        if type(v) is not Lambda or v.node.formals is None:
            return v
        info = v.node
        if info.ellipsis:
            d = dict(auto_args)
        else:
            d = {}
            for f in info.formals.entries:
                if f.name in auto_args:
                    d[f.name] = auto_args[f.name]
                elif f.default is None:
                    raise EvalError(
                        f"cannot evaluate a function that has an argument without a value ('{f.name}')\n\n"
                        "Nix attempted to evaluate a function as a top level expression; in\n"
                        "this case it must have its arguments supplied either by default\n"
                        "values, or passed explicitly with '--arg' or '--argstr'. See\n"
                        "https://nixos.org/manual/nix/stable/#ss-functions.", f.pos)
        return call(v, NixAttrs(dict(sorted(d.items()))), None)


def _split_entry(entry: str) -> tuple[str | None, str]:
    if "=" in entry:
        prefix, path = entry.split("=", 1)
        return prefix, path
    return None, entry


# --------------------------------------------------------------------------------------------
# running deep programs


def _scratch_temp_name(directory: str, name: str) -> str:
    from ..scratch import temp_name  # (when writing only: not on the start-up path)

    return temp_name(directory, name)


STACK_SIZE = 1024 * 1024 * 1024
#: Stack a compiled evaluation may use before it is Nix's ``stack overflow`` (``stack_guard``):
#: a small recursive function goes 150,000 calls deep (pure Python: 130,000; Nix 2.8 overflows
#: before 100,000).
STACK_ROOM = STACK_SIZE // 8
RECURSION_LIMIT = 400_000


def run_deep(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a thread with a big stack; Python recursion errors become Nix's
    ``stack overflow`` evaluation error, and passing the memory or time limit (see
    :mod:`.limits`) an error naming the limit."""
    result: list = [None, None]

    def target() -> None:
        mark = None if stack_guard is None else stack_guard.start(STACK_ROOM)
        try:
            try:
                result[0] = call_with_room(fn)  # no frame-stack chunk churn (see frame_room)
            except RecursionError:
                result[1] = EvalError("stack overflow (possible infinite recursion)")
            except (limits.LimitExceeded, MemoryError) as err:  # the watchdog, or the RLIMIT_AS backstop
                result[1] = limits.limit_error(err)
            except BaseException as err:  # noqa: BLE001 - handed to the caller
                result[1] = err
        except limits.LimitExceeded as err:  # the watchdog's stop, landing in a handler above
            if result[1] is None:
                result[1] = limits.limit_error(err)
        finally:
            if mark is not None:
                stack_guard.finish(mark)

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size()
    old_gc = gc.get_threshold()
    try:
        gc.set_threshold(*GC_THRESHOLDS)
        threading.stack_size(STACK_SIZE)
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        th = threading.Thread(target=target, name="nix-eval", daemon=True)  # Ctrl-C ends the process
        th.start()
        threading.stack_size(old_size)  # threads the evaluation starts need no big stack
        limits.watch(th)  # --max-memory, --eval-timeout
    finally:
        gc.set_threshold(*old_gc)
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    if result[1] is not None:
        raise result[1]
    return result[0]


def check_bindings(node: Any) -> None:
    """Bind the variables of a parsed expression in the global scope, as Nix 2.8's parser does
    (``nix-instantiate --parse`` included): a name that neither a lexical scope nor an enclosing
    ``with`` can supply is Nix's ``undefined variable`` error, raised as a user error."""
    try:
        Evaluator().compile_ast(node)
    except EvalError as err:
        raise to_user_error(err) from None


def to_user_error(err: EvalError, show_trace: bool = True) -> UserError:
    """An evaluation error formatted like Nix, ready for the CLI."""
    return NixEvalError(err, show_trace=show_trace)
