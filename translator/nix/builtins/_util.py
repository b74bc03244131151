"""Small helpers shared by the builtin modules: forcing with Nix's errors, byte-level strings.

Nix strings are byte strings; :class:`NixString` holds a Python ``str``. Text read from files or
cut by ``substring`` may not be valid UTF-8, so bytes map to ``str`` with ``surrogateescape``:
every byte sequence round-trips, and valid UTF-8 stays ordinary text.
"""

from __future__ import annotations

from typing import Any

from ..values import EvalError, NixString, force, hooks, show_type
from .. import operations as ops

EMPTY_CTX: frozenset[str] = frozenset()


def to_bytes(s: str) -> bytes:
    """The bytes of a Nix string's text (inverse of :func:`from_bytes`)."""
    return s.encode("utf-8", "surrogateescape")


def from_bytes(b: bytes) -> str:
    """Text of a Nix string made of ``b`` (invalid UTF-8 kept as surrogate escapes)."""
    return b.decode("utf-8", "surrogateescape")


def byte_len(s: str) -> int:
    """Length of a Nix string in bytes, as ``stringLength`` counts it."""
    return len(s) if s.isascii() else len(to_bytes(s))


def force_float(v: Any, pos: Any) -> float:
    """An int or float as a float (Nix's ``forceFloat``)."""
    v = force(v)
    t = type(v)
    if t is float:
        return v
    if t is int:
        return float(v)
    raise EvalError(f"value is {show_type(v)} while a float was expected", pos)


def force_string_noctx(v: Any, pos: Any) -> str:
    """The text of a string that must not carry context (attribute names, hash types, ...)."""
    s = ops.force_string(v, pos)
    if s.ctx:
        first = sorted(s.ctx)[0]
        raise EvalError(
            f"the string '{s.s}' is not allowed to refer to a store path (such as '{first}')", pos)
    return s.s


def call(fn: Any, *args: Any, pos: Any = None) -> Any:
    """Apply a Nix function to one or more arguments and return the forced result."""
    v = fn
    for a in args:
        v = hooks.call(v, a, pos)
    return force(v)


def mk_string(s: str, ctx: frozenset[str] = EMPTY_CTX) -> NixString:
    return NixString(s, ctx)


def fmt_float_g(x: float) -> str:
    """A float as C++ ``ostream << double`` prints it (``%g``, 6 significant digits)."""
    if x != x:
        return "-nan" if str(x).startswith("-") else "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return "%g" % x
