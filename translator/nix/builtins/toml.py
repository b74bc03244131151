"""``fromTOML``: TOML documents as Nix values (tables are sets, arrays lists).

Like Nix 2.8 (toml11), dates and times are rejected, integers beyond 64 bits saturate, floats
too large for a double become the largest double, and any error is reported as
``while parsing a TOML string: <reason>``. Parsing uses the standard library's ``tomllib``.
"""

from __future__ import annotations

import math
import sys

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from ..values import EvalError, NixAttrs, NixList, NixString
from .. import operations as ops
from . import builtin
from ._util import from_python


class _Unsupported(Exception):
    pass


def _leaf(val: Any) -> Any:
    if isinstance(val, bool) or isinstance(val, float):
        return val
    if isinstance(val, int):
        # toml11 (Nix 2.8) saturates out-of-range integers like strtoll
        return min(max(val, -(2**63)), 2**63 - 1)
    if isinstance(val, str):
        return NixString(val)
    import datetime  # tomllib has loaded it

    if isinstance(val, (datetime.date, datetime.time, datetime.datetime)):
        raise _Unsupported("Dates and times are not supported")
    raise _Unsupported(f"unsupported TOML value {val!r}")


def _convert(v: Any) -> Any:
    """Convert a ``tomllib`` result (attribute names sorted, as Nix's sets are)."""
    root = [from_python(v, _leaf)]
    for attrs in _iter_attrs(root[0]):
        attrs.d = dict(sorted(attrs.d.items()))
    return root[0]


def _parse_float(text: str) -> float:
    """A TOML float; a finite literal too large for a double becomes +-DBL_MAX as in toml11."""
    x = float(text)
    if math.isinf(x) and "inf" not in text:
        return math.copysign(sys.float_info.max, x)
    return x


def _iter_attrs(v: Any):
    stack = [v]
    while stack:
        x = stack.pop()
        if type(x) is NixAttrs:
            yield x
            stack.extend(x.d.values())
        elif type(x) is NixList:
            stack.extend(x.items)


@builtin("fromTOML", 1, glob=True)
def prim_from_toml(args, pos):
    import tomllib  # here, not at start-up: few evaluations read TOML

    s = ops.force_string(args[0], pos)
    try:
        return _convert(tomllib.loads(s.s, parse_float=_parse_float))
    except (tomllib.TOMLDecodeError, _Unsupported) as err:
        raise EvalError(f"while parsing a TOML string: {err}", pos) from None
