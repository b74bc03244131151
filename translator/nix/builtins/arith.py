"""Arithmetic and bitwise builtins: add, sub, mul, div, bitAnd/Or/Xor, lessThan, ceil, floor.

Integers are 64-bit and wrap as Nix 2.8's C++ does; an operation involving a float is done in
floating point. ``div`` truncates toward zero like C++.
"""

from __future__ import annotations

import math

from ..values import EvalError, INT_MAX, INT_MIN, check_int, force
from .. import operations as ops
from . import builtin
from ._util import force_float


def _arith(args, pos, int_op, float_op):
    a = force(args[0])
    b = force(args[1])
    if type(a) is float or type(b) is float:
        return float_op(force_float(a, pos), force_float(b, pos))
    return check_int(int_op(ops.force_int(a, pos), ops.force_int(b, pos)), pos)


@builtin("add", 2)
def prim_add(args, pos):
    return _arith(args, pos, lambda x, y: x + y, lambda x, y: x + y)


@builtin("sub", 2)
def prim_sub(args, pos):
    return _arith(args, pos, lambda x, y: x - y, lambda x, y: x - y)


@builtin("mul", 2)
def prim_mul(args, pos):
    return _arith(args, pos, lambda x, y: x * y, lambda x, y: x * y)


def int_div(x: int, y: int) -> int:
    """C++ integer division (truncating toward zero)."""
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


@builtin("div", 2)
def prim_div(args, pos):
    a = force(args[0])
    b = force(args[1])
    if force_float(b, pos) == 0:
        raise EvalError("division by zero", pos)
    if type(a) is float or type(b) is float:
        return force_float(a, pos) / force_float(b, pos)
    x = ops.force_int(a, pos)
    y = ops.force_int(b, pos)
    if x == INT_MIN and y == -1:
        raise EvalError("overflow in integer division", pos)
    return int_div(x, y)


@builtin("bitAnd", 2)
def prim_bit_and(args, pos):
    return ops.force_int(args[0], pos) & ops.force_int(args[1], pos)


@builtin("bitOr", 2)
def prim_bit_or(args, pos):
    return ops.force_int(args[0], pos) | ops.force_int(args[1], pos)


@builtin("bitXor", 2)
def prim_bit_xor(args, pos):
    return ops.force_int(args[0], pos) ^ ops.force_int(args[1], pos)


@builtin("lessThan", 2)
def prim_less_than(args, pos):
    return ops.compare_values(force(args[0]), force(args[1]), pos) < 0


def _to_int(x: float, rounding) -> int:
    """C++ ``(NixInt) rounding(x)``: out-of-range values (and NaN) give INT_MIN on x86-64."""
    if not math.isfinite(x):
        return INT_MIN
    r = rounding(x)
    return r if INT_MIN <= r <= INT_MAX else INT_MIN


@builtin("ceil", 1)
def prim_ceil(args, pos):
    return _to_int(force_float(args[0], pos), math.ceil)


@builtin("floor", 1)
def prim_floor(args, pos):
    return _to_int(force_float(args[0], pos), math.floor)
