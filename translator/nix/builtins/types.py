"""Type inspection builtins: typeOf, isNull/isInt/isFloat/..., isFunction, functionArgs."""

from __future__ import annotations

from ..values import EvalError, Lambda, NixAttrs, NixList, NixPath, NixString, PrimOp, force, type_name
from . import builtin


@builtin("typeOf", 1)
def prim_type_of(args, pos):
    return NixString(type_name(force(args[0])))


def _is(name: str, pred, glob: bool = False) -> None:
    builtin(name, 1, glob=glob)(lambda args, pos: pred(force(args[0])))


_is("isNull", lambda v: v is None, glob=True)
_is("isInt", lambda v: type(v) is int)
_is("isFloat", lambda v: type(v) is float)
_is("isBool", lambda v: type(v) is bool)
_is("isString", lambda v: type(v) is NixString)
_is("isPath", lambda v: type(v) is NixPath)
_is("isAttrs", lambda v: type(v) is NixAttrs)
_is("isList", lambda v: type(v) is NixList)
_is("isFunction", lambda v: type(v) is Lambda or type(v) is PrimOp)


@builtin("functionArgs", 1)
def prim_function_args(args, pos):
    f = force(args[0])
    if type(f) is PrimOp:
        return NixAttrs({})
    if type(f) is not Lambda:
        raise EvalError("'functionArgs' requires a function", pos)
    formals = f.node.formals
    if formals is None:
        return NixAttrs({})
    d = {}
    p = {}
    for formal in formals.entries:
        d[formal.name] = formal.default is not None
        p[formal.name] = formal.pos
    return NixAttrs(d, p)
