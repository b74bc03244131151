"""List builtins: map, filter, head, tail, elem, elemAt, length, concatLists, concatMap, foldl',
genList, sort, partition, all, any, groupBy, genericClosure.

Laziness follows Nix 2.8: ``map`` and ``genList`` build a list of delayed applications without
forcing the function; ``foldl'`` is a loop (no recursion) forcing each intermediate accumulator;
``sort`` reproduces libstdc++'s ``std::stable_sort`` step by step, so that even comparators that
are not strict orderings (``a <= b``) give the same list as Nix.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable

from ..values import (Apply, EvalError, NixAttrs, NixList, NixPath, NixString, PrimOp, force,
                      hooks)
from .. import operations as ops
from . import builtin
from ._util import force_string_noctx


@builtin("map", 2, glob=True)
def prim_map(args, pos):
    f = args[0]
    items = ops.force_list(args[1], pos).items
    return NixList([Apply(f, x) for x in items])  # no call site: Nix forces these with noPos


@builtin("filter", 2)
def prim_filter(args, pos):
    f = ops.force_function(args[0], pos)
    items = ops.force_list(args[1], pos).items
    out = [x for x in items if ops.force_bool(hooks.call(f, x, pos), pos)]
    return NixList(out)


def _elem_at(lst: NixList, n: int, pos) -> Any:
    if n < 0 or n >= len(lst.items):
        raise EvalError(f"list index {n} is out of bounds", pos)
    return force(lst.items[n])


@builtin("elemAt", 2)
def prim_elem_at(args, pos):
    lst = ops.force_list(args[0], pos)
    return _elem_at(lst, ops.force_int(args[1], pos), pos)


@builtin("head", 1)
def prim_head(args, pos):
    return _elem_at(ops.force_list(args[0], pos), 0, pos)


@builtin("tail", 1)
def prim_tail(args, pos):
    items = ops.force_list(args[0], pos).items
    if not items:
        raise EvalError("'tail' called on an empty list", pos)
    return NixList(items[1:])


@builtin("length", 1)
def prim_length(args, pos):
    return len(ops.force_list(args[0], pos).items)


@builtin("elem", 2)
def prim_elem(args, pos):
    x = args[0]
    for y in ops.force_list(args[1], pos).items:
        if ops.values_equal(x, y, pos):
            return True
    return False


@builtin("concatLists", 1)
def prim_concat_lists(args, pos):
    out: list[Any] = []
    for sub in ops.force_list(args[0], pos).items:
        out.extend(ops.force_list(sub, pos).items)
    return NixList(out)


@builtin("concatMap", 2)
def prim_concat_map(args, pos):
    f = ops.force_function(args[0], pos)
    out: list[Any] = []
    for x in ops.force_list(args[1], pos).items:
        out.extend(ops.force_list(hooks.call(f, x, pos), pos).items)
    return NixList(out)


@builtin("foldl'", 3)
def prim_foldl_strict(args, pos):
    f = ops.force_function(args[0], pos)
    items = ops.force_list(args[2], pos).items
    acc = args[1]
    if not items:
        return force(acc)
    call_ = hooks.call  # returns forced values: each accumulator is in weak head normal form
    for x in items:
        acc = call_(call_(f, acc, pos), x, pos)
    return force(acc)


@builtin("genList", 2)
def prim_gen_list(args, pos):
    n = ops.force_int(args[1], pos)
    if n < 0:
        raise EvalError(f"cannot create list of size {n}", pos)
    f = args[0]
    return NixList([Apply(f, i) for i in range(n)])  # no call site, as in Nix


@builtin("all", 2)
def prim_all(args, pos):
    f = ops.force_function(args[0], pos)
    for x in ops.force_list(args[1], pos).items:
        if not ops.force_bool(hooks.call(f, x, pos), pos):
            return False
    return True


@builtin("any", 2)
def prim_any(args, pos):
    f = ops.force_function(args[0], pos)
    for x in ops.force_list(args[1], pos).items:
        if ops.force_bool(hooks.call(f, x, pos), pos):
            return True
    return False


@builtin("partition", 2)
def prim_partition(args, pos):
    f = ops.force_function(args[0], pos)
    right: list[Any] = []
    wrong: list[Any] = []
    for x in ops.force_list(args[1], pos).items:
        force(x)
        (right if ops.force_bool(hooks.call(f, x, pos), pos) else wrong).append(x)
    return NixAttrs({"right": NixList(right), "wrong": NixList(wrong)})


@builtin("groupBy", 2)
def prim_group_by(args, pos):
    f = ops.force_function(args[0], pos)
    groups: dict[str, list[Any]] = {}
    for x in ops.force_list(args[1], pos).items:
        name = force_string_noctx(hooks.call(f, x, pos), pos)
        groups.setdefault(name, []).append(x)
    return NixAttrs({k: NixList(v) for k, v in groups.items()})


# --- sort: libstdc++ std::stable_sort, transcribed as an algorithm ---------------------------

_CHUNK = 7  # libstdc++ _S_chunk_size


def _insertion_sort(a: list, lo: int, hi: int, less: Callable[[Any, Any], bool]) -> None:
    if lo == hi:
        return
    for i in range(lo + 1, hi):
        val = a[i]
        if less(val, a[lo]):
            a[lo + 1:i + 1] = a[lo:i]
            a[lo] = val
        else:
            j = i
            while less(val, a[j - 1]):
                a[j] = a[j - 1]
                j -= 1
            a[j] = val


def _move_merge(src: list, f1: int, l1: int, f2: int, l2: int, dst: list, r: int, less) -> int:
    while f1 != l1 and f2 != l2:
        if less(src[f2], src[f1]):
            dst[r] = src[f2]
            f2 += 1
        else:
            dst[r] = src[f1]
            f1 += 1
        r += 1
    n = l1 - f1
    dst[r:r + n] = src[f1:l1]
    r += n
    n = l2 - f2
    dst[r:r + n] = src[f2:l2]
    return r + n


def _merge_sort_loop(src: list, first: int, last: int, dst: list, r: int, step: int, less) -> None:
    two = 2 * step
    while last - first >= two:
        r = _move_merge(src, first, first + step, first + step, first + two, dst, r, less)
        first += two
    step = min(last - first, step)
    _move_merge(src, first, first + step, first + step, last, dst, r, less)


def _merge_sort_with_buffer(a: list, first: int, last: int, less) -> None:
    n = last - first
    buf = [None] * n
    step = _CHUNK
    lo = first
    while last - lo >= step:
        _insertion_sort(a, lo, lo + step, less)
        lo += step
    _insertion_sort(a, lo, last, less)
    while step < n:
        _merge_sort_loop(a, first, last, buf, 0, step, less)
        step *= 2
        _merge_sort_loop(buf, 0, n, a, first, step, less)
        step *= 2


def stable_sort(a: list, less: Callable[[Any, Any], bool]) -> None:
    """Sort ``a`` in place exactly as libstdc++'s ``std::stable_sort`` (with its buffer) does."""
    n = len(a)
    if n == 0:
        return
    middle = (n + 1) // 2
    _merge_sort_with_buffer(a, 0, middle, less)
    _merge_sort_with_buffer(a, middle, n, less)
    len1, len2 = middle, n - middle
    if len1 <= len2:
        buf = a[0:middle]
        f1, l1, f2, l2, r = 0, len1, middle, n, 0
        while f1 != l1 and f2 != l2:
            if less(a[f2], buf[f1]):
                a[r] = a[f2]
                f2 += 1
            else:
                a[r] = buf[f1]
                f1 += 1
            r += 1
        if f1 != l1:
            a[r:r + (l1 - f1)] = buf[f1:l1]
    else:
        buf = a[middle:n]
        # __move_merge_adaptive_backward(first, middle, buf, buf_end, last)
        if not buf:
            return
        last1, last2, r = middle - 1, len(buf) - 1, n
        while True:
            if less(buf[last2], a[last1]):
                r -= 1
                a[r] = a[last1]
                if last1 == 0:
                    a[r - (last2 + 1):r] = buf[0:last2 + 1]
                    return
                last1 -= 1
            else:
                r -= 1
                a[r] = buf[last2]
                if last2 == 0:
                    return
                last2 -= 1


def _homogeneous_key(a: list) -> Callable[[Any], Any] | None:
    """A Python sort key equivalent to Nix's ordering when all of ``a`` are numbers (no NaN),
    all strings or all paths; None otherwise (the general path then raises Nix's errors)."""
    types = {type(x) for x in a}
    if types <= {int, float}:
        if float in types and any(x != x for x in a):
            return None
        return lambda x: x
    if types == {NixString}:
        return lambda x: x.s
    if types == {NixPath}:
        return lambda x: x.path
    return None


@builtin("sort", 2)
def prim_sort(args, pos):
    f = ops.force_function(args[0], pos)
    items = ops.force_list(args[1], pos).items
    if not items:
        return NixList([])
    a = [force(x) for x in items]
    if type(f) is PrimOp and f.name == "lessThan" and not f.args:
        key = _homogeneous_key(a)
        if key is not None:
            # a strict weak order: every stable sort gives std::stable_sort's result
            a.sort(key=key)
            return NixList(a)

        def less(x, y):
            return ops.compare_values(x, y, pos) < 0
    else:
        def less(x, y):
            return ops.force_bool(hooks.call(hooks.call(f, x, pos), y, pos), pos)
    stable_sort(a, less)
    return NixList(a)


# --- genericClosure --------------------------------------------------------------------------


def _key_of(v: Any) -> tuple | None:
    """A hashable stand-in for a key that Nix's CompareValues orders (None: not hashable here)."""
    t = type(v)
    if t is int or t is float:
        return ("n", v)
    if t is NixString:
        return ("s", v.s)
    if t is NixPath:
        return ("p", v.path)
    return None


_NO_KEY = object()


@builtin("genericClosure", 1)
def prim_generic_closure(args, pos):
    spec = ops.force_attrs(args[0], pos)
    if "startSet" not in spec.d:
        raise EvalError("attribute 'startSet' missing for call to 'genericClosure'", pos)
    work = list(ops.force_list(spec.d["startSet"], pos).items)
    if "operator" not in spec.d:
        raise EvalError("attribute 'operator' missing for call to 'genericClosure'", pos)
    op = force(spec.d["operator"])
    done: set[tuple] = set()
    other: list[Any] = []  # keys without a hashable stand-in (compared one by one)
    sample: Any = _NO_KEY  # some key already seen: Nix's ordered set compares new keys with it
    res: list[Any] = []
    i = 0
    while i < len(work):
        e = work[i]
        i += 1
        attrs = ops.force_attrs(e, pos)
        if "key" not in attrs.d:
            raise EvalError("attribute 'key' required", pos)
        key = force(attrs.d["key"])
        if sample is not _NO_KEY:
            kind = _key_of(key)
            if kind is None or _key_of(sample) is None or kind[0] != _key_of(sample)[0]:
                ops.compare_values(key, sample, pos)  # raises "cannot compare ..." like Nix
        else:
            sample = key
        k = _key_of(key)
        if k is None:
            if any(ops.compare_values(key, o, pos) == 0 for o in other):
                continue
            other.append(key)
        else:
            if k in done:
                continue
            done.add(k)
        res.append(e)
        work.extend(ops.force_list(hooks.call(op, e, pos), pos).items)
        if i > 4096 and i * 2 > len(work):
            del work[:i]
            i = 0
    return NixList(res)
