"""Control builtins: throw, abort, tryEval, seq, deepSeq, trace, addErrorContext.

``tryEval`` catches exactly what Nix 2.8 catches (``throw`` and failed ``assert``); ``abort``,
type errors and infinite recursion pass through it.
"""

from __future__ import annotations

import copy
import sys

from ..values import EvalError, NixAttrs, NixString, force
from .. import operations as ops
from . import builtin

CATCHABLE = ("throw", "assert")


def _message(v, pos) -> str:
    """The message of ``throw``/``abort``. The evaluator drops the position of their own errors
    (Nix prints none), but a message that cannot be coerced is an ordinary error with a position,
    so that error gets an equal but distinct position object."""
    try:
        return ops.coerce_to_string(v, pos).s
    except EvalError as err:
        if err.pos is pos and pos is not None:
            err.pos = copy.copy(pos)
        raise


@builtin("throw", 1, glob=True)
def prim_throw(args, pos):
    raise EvalError(_message(args[0], pos), pos, kind="throw")


@builtin("abort", 1, glob=True)
def prim_abort(args, pos):
    s = _message(args[0], pos)
    raise EvalError(f"evaluation aborted with the following error message: '{s}'", pos, kind="abort")


@builtin("tryEval", 1)
def prim_try_eval(args, pos):
    try:
        v = force(args[0])
    except EvalError as err:
        if err.kind in CATCHABLE:
            return NixAttrs({"success": False, "value": False})
        raise
    return NixAttrs({"success": True, "value": v})


@builtin("seq", 2)
def prim_seq(args, pos):
    force(args[0])
    return force(args[1])


@builtin("deepSeq", 2)
def prim_deep_seq(args, pos):
    ops.force_deep(args[0], pos)
    return force(args[1])


def trace_text(v) -> str:
    """What ``builtins.trace`` prints for a forced value: a string as is, else Nix's printer."""
    if type(v) is NixString:
        return v.s
    from ..printer import print_value

    return print_value(v)


@builtin("trace", 2)
def prim_trace(args, pos):
    v = force(args[0])
    sys.stderr.write(f"trace: {trace_text(v)}\n")
    sys.stderr.flush()
    return force(args[1])


@builtin("addErrorContext", 2)
def prim_add_error_context(args, pos):
    try:
        return force(args[1])
    except EvalError as err:
        err.add_trace(ops.coerce_to_string(args[0], pos).s, None)
        raise
