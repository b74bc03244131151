"""String builtins: toString, stringLength, substring, concatStringsSep, replaceStrings,
hashString.

Lengths and offsets count bytes (UTF-8), as in Nix; string context is carried along wherever
Nix carries it (``substring``, ``concatStringsSep``, ``replaceStrings`` of the used replacements).
"""

from __future__ import annotations

import hashlib

from ..values import EvalError, NixString
from .. import operations as ops
from . import builtin
from ._util import byte_len, force_string_noctx, from_bytes, to_bytes

HASH_ALGOS = ("md5", "sha1", "sha256", "sha512")


@builtin("toString", 1, glob=True)
def prim_to_string(args, pos):
    return ops.coerce_to_string(args[0], pos, coerce_more=True, copy_to_store=False)


@builtin("stringLength", 1)
def prim_string_length(args, pos):
    return byte_len(ops.coerce_to_string(args[0], pos).s)


@builtin("substring", 3)
def prim_substring(args, pos):
    start = ops.force_int(args[0], pos)
    length = ops.force_int(args[1], pos)
    s = ops.coerce_to_string(args[2], pos)
    if start < 0:
        raise EvalError("negative start position in 'substring'", pos)
    text = s.s
    if text.isascii():
        if start >= len(text):
            return NixString("", s.ctx)
        return NixString(text[start:] if length < 0 else text[start:start + length], s.ctx)
    b = to_bytes(text)
    if start >= len(b):
        return NixString("", s.ctx)
    return NixString(from_bytes(b[start:] if length < 0 else b[start:start + length]), s.ctx)


@builtin("concatStringsSep", 2)
def prim_concat_strings_sep(args, pos):
    sep = ops.force_string(args[0], pos)
    ctx = set(sep.ctx)
    parts = []
    for item in ops.force_list(args[1], pos).items:
        s = ops.coerce_to_string(item, pos)
        if s.ctx:
            ctx |= s.ctx
        parts.append(s.s)
    return NixString(sep.s.join(parts), frozenset(ctx))


def _replace(s: str, frm: list[str], to: list[str], used: list[bool]) -> str:
    """Nix's left-to-right scan: at each offset the first matching ``from`` wins; an empty
    ``from`` matches everywhere (inserting its replacement before each character and at the end).
    Works on ``str`` or, through :func:`to_bytes`, on bytes (identical for valid UTF-8 unless an
    empty pattern is present, which is why the caller switches to bytes then)."""
    out = []
    p = 0
    n = len(s)
    pairs = list(enumerate(frm))
    while p <= n:
        for i, f in pairs:
            if s.startswith(f, p):
                used[i] = True
                out.append(to[i])
                if f:
                    p += len(f)
                else:
                    if p < n:
                        out.append(s[p])
                    p += 1
                break
        else:
            if p < n:
                # jump to the next position where some pattern could start
                nxt = n
                for f in frm:
                    j = s.find(f, p + 1)
                    if j != -1 and j < nxt:
                        nxt = j
                out.append(s[p:nxt] if nxt > p else s[p])
                p = max(nxt, p + 1)
            else:
                p += 1
    return "".join(out)


@builtin("replaceStrings", 3)
def prim_replace_strings(args, pos):
    frm_list = ops.force_list(args[0], pos).items
    to_list = ops.force_list(args[1], pos).items
    if len(frm_list) != len(to_list):
        raise EvalError("'from' and 'to' arguments to 'replaceStrings' have different lengths", pos)
    frm = [ops.force_string(x, pos).s for x in frm_list]
    to = [ops.force_string(x, pos) for x in to_list]
    s = ops.force_string(args[2], pos)
    used = [False] * len(frm)
    if s.s.isascii() or "" not in frm:
        res = _replace(s.s, frm, [t.s for t in to], used)
    else:
        res = from_bytes(_replace(to_bytes(s.s).decode("latin-1"), [to_bytes(f).decode("latin-1") for f in frm],
                                  [to_bytes(t.s).decode("latin-1") for t in to], used).encode("latin-1"))
    ctx = set(s.ctx)
    for i, u in enumerate(used):
        if u and to[i].ctx:
            ctx |= to[i].ctx
    return NixString(res, frozenset(ctx))


def hash_bytes(algo: str, data: bytes, pos) -> str:
    """Base-16 digest of ``data`` with one of Nix's hash algorithms."""
    if algo not in HASH_ALGOS:
        raise EvalError(f"unknown hash algorithm '{algo}'", pos)
    return hashlib.new(algo, data).hexdigest()


@builtin("hashString", 2)
def prim_hash_string(args, pos):
    algo = force_string_noctx(args[0], pos)
    s = ops.force_string(args[1], pos)
    return NixString(hash_bytes(algo, to_bytes(s.s), pos))
