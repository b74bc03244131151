"""Serialisation builtins: fromJSON, toJSON, toXML, as Nix 2.8 does them.

``fromJSON`` mirrors Nix's use of nlohmann::json: integers that fit 64 bits (signed, or unsigned
then wrapped) are ints, other numbers floats, a repeated key keeps the last value, and a syntax
error reads like nlohmann's (``[json.exception.parse_error.101] parse error at line 1, column 6:
syntax error while parsing array - unexpected end of input; expected ']'``). The parser uses an
explicit stack, so deeply nested documents never hit Python's recursion limit.

``toXML`` writes the ``<expr>`` document of Nix's printValueAsXML (strict, without locations),
iteratively as well.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from ..values import EvalError, Lambda, NixAttrs, NixList, NixPath, NixString, PrimOp, force
from .. import operations as ops
from . import builtin
from ..printer import format_float
from ._util import from_python

# --- fromJSON --------------------------------------------------------------------------------

_TOKEN_NAMES = {
    "true": "true literal", "false": "false literal", "null": "null literal",
    "string": "string literal", "number": "number literal", "[": "'['", "{": "'{'", "]": "']'",
    "}": "'}'", ":": "':'", ",": "','", "error": "<parse error>", "eof": "end of input",
    "literal_or_value": "'[', '{', or a literal",
}


class _JSONError(Exception):
    pass


class _Lexer:
    """nlohmann::json's lexer, reduced to what Nix needs, with its position bookkeeping."""

    def __init__(self, text: str) -> None:
        self.t = text
        self.i = 0
        self.line = 0
        self.col = 0
        self.token: list[str] = []
        self.error = ""
        self.value: Any = None
        self._cols: list[int] = []

    def get(self) -> str:
        self.col += 1
        if self.i >= len(self.t):
            self.i += 1
            return ""
        c = self.t[self.i]
        self.i += 1
        self.token.append(c)
        if c == "\n":
            self._cols.append(self.col)
            self.line += 1
            self.col = 0
        return c

    def unget(self) -> None:
        self.i -= 1
        if self.col == 0 and self.line > 0:
            self.line -= 1
            self.col = self._cols.pop()
        self.col -= 1
        if self.i < len(self.t):
            self.token.pop()

    def token_string(self) -> str:
        out = []
        for c in self.token:
            if ord(c) <= 0x1F:
                out.append("<U+%04X>" % ord(c))
            else:
                out.append(c)
        return "".join(out)

    def fail(self, msg: str) -> str:
        self.error = msg
        return "error"

    def scan(self) -> str:
        # like nlohmann, the token text is only reset when a string or number starts, so an
        # error's "last read" shows everything read since then
        while True:
            c = self.get()
            if c not in (" ", "\t", "\n", "\r"):
                break
        if c == "":
            return "eof"
        if c in "[]{}:,":
            return c
        if c == "t":
            return self._literal("true", "true")
        if c == "f":
            return self._literal("false", "false")
        if c == "n":
            return self._literal("null", "null")
        if c == '"':
            return self._string()
        if c == "-" or c.isdigit() and c.isascii():
            return self._number(c)
        return self.fail("invalid literal")

    def _literal(self, word: str, tok: str) -> str:
        for ch in word[1:]:
            if self.get() != ch:
                return self.fail("invalid literal")
        return tok

    def _hex4(self) -> int:
        v = 0
        for _ in range(4):
            c = self.get()
            if c == "" or c not in "0123456789abcdefABCDEF":
                return -1
            v = v * 16 + int(c, 16)
        return v

    def _string(self) -> str:
        self.token = ['"']
        out: list[str] = []
        esc = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
        while True:
            c = self.get()
            if c == "":
                return self.fail("invalid string: missing closing quote")
            if c == '"':
                self.value = "".join(out)
                return "string"
            if c == "\\":
                d = self.get()
                if d in esc and d != "":
                    out.append(esc[d])
                elif d == "u":
                    cp = self._hex4()
                    if cp < 0:
                        return self.fail("invalid string: '\\u' must be followed by 4 hex digits")
                    if 0xD800 <= cp <= 0xDBFF:
                        if self.get() != "\\" or self.get() != "u":
                            return self.fail("invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF")
                        lo = self._hex4()
                        if lo < 0:
                            return self.fail("invalid string: '\\u' must be followed by 4 hex digits")
                        if not 0xDC00 <= lo <= 0xDFFF:
                            return self.fail("invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF")
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    elif 0xDC00 <= cp <= 0xDFFF:
                        return self.fail("invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF")
                    out.append(chr(cp))
                else:
                    return self.fail("invalid string: forbidden character after backslash")
                continue
            if ord(c) <= 0x1F:
                names = {0x0A: "LF", 0x0D: "CR", 0x09: "TAB"}
                name = names.get(ord(c))
                if ord(c) == 0:
                    return self.fail("invalid string: missing closing quote")
                if name:
                    short = {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}[ord(c)]
                    return self.fail("invalid string: control character U+%04X (%s) must be escaped to \\u%04X or %s"
                                     % (ord(c), name, ord(c), short))
                if ord(c) in (0x08, 0x0C):
                    short = "\\b" if ord(c) == 8 else "\\f"
                    nm = "BS" if ord(c) == 8 else "FF"
                    return self.fail("invalid string: control character U+%04X (%s) must be escaped to \\u%04X or %s"
                                     % (ord(c), nm, ord(c), short))
                return self.fail("invalid string: control character U+%04X (%s) must be escaped to \\u%04X"
                                 % (ord(c), _CTRL_NAMES[ord(c)], ord(c)))
            if "\udc80" <= c <= "\udcff":  # a byte that is not UTF-8 (kept by surrogateescape)
                return self.fail("invalid string: ill-formed UTF-8 byte")
            out.append(c)

    def _number(self, c: str) -> str:
        def digit(ch: str) -> bool:
            return ch != "" and ch in "0123456789"

        self.token = [c]
        is_float = False
        if c == "-":
            c = self.get()
            if not digit(c):
                return self.fail("invalid number; expected digit after '-'")
        if c == "0":
            c = self.get()
        else:
            c = self.get()
            while digit(c):
                c = self.get()
        if c == ".":
            is_float = True
            c = self.get()
            if not digit(c):
                return self.fail("invalid number; expected digit after '.'")
            c = self.get()
            while digit(c):
                c = self.get()
        if c in ("e", "E") and c != "":
            is_float = True
            c = self.get()
            if c in ("+", "-") and c != "":
                c = self.get()
                if not digit(c):
                    return self.fail("invalid number; expected digit after exponent sign")
            elif not digit(c):
                return self.fail("invalid number; expected '+', '-', or digit after exponent")
            c = self.get()
            while digit(c):
                c = self.get()
        self.unget()
        text = "".join(self.token)
        if not is_float:
            n = int(text)
            if -(2**63) <= n < 2**64:
                self.value = n if n < 2**63 else n - 2**64
                return "number"
        self.value = float(text)
        if self.value in (float("inf"), float("-inf")):
            raise _JSONError(f"[json.exception.out_of_range.406] number overflow parsing '{text}'")
        return "number"


_CTRL_NAMES = ["NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
               "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB",
               "ESC", "FS", "GS", "RS", "US"]


def parse_json(text: str) -> Any:
    """A Nix value for the JSON document ``text``; ``_JSONError`` with nlohmann's message."""
    lx = _Lexer(text)

    def error(tok: str, expected: str | None, context: str) -> _JSONError:
        msg = "syntax error "
        if context:
            msg += f"while parsing {context} "
        msg += "- "
        if tok == "error":
            msg += f"{lx.error}; last read: '{lx.token_string()}'"
        else:
            msg += f"unexpected {_TOKEN_NAMES[tok]}"
        if expected is not None:
            msg += f"; expected {_TOKEN_NAMES[expected]}"
        return _JSONError(f"[json.exception.parse_error.101] parse error at line {lx.line + 1}, "
                          f"column {lx.col}: {msg}")

    # stack entries: ("list", items) or ("obj", dict, pending_key)
    stack: list[list] = []
    tok = lx.scan()
    while True:
        # parse a value starting with tok
        if tok == "{":
            tok = lx.scan()
            if tok == "}":
                value: Any = NixAttrs({})
            else:
                if tok != "string":
                    raise error(tok, "string", "object key")
                key = lx.value
                tok = lx.scan()
                if tok != ":":
                    raise error(tok, ":", "object separator")
                stack.append(["obj", {}, key])
                tok = lx.scan()
                continue
        elif tok == "[":
            tok = lx.scan()
            if tok == "]":
                value = NixList([])
            else:
                stack.append(["list", []])
                continue
        elif tok == "string":
            value = NixString(lx.value)
        elif tok == "number":
            value = lx.value
        elif tok == "true":
            value = True
        elif tok == "false":
            value = False
        elif tok == "null":
            value = None
        elif tok == "error":
            raise error(tok, None, "value")
        else:
            raise error(tok, "literal_or_value", "value")
        # a complete value: attach it to the enclosing container(s)
        while True:
            if not stack:
                tok = lx.scan()
                if tok != "eof":
                    raise error(tok, "eof", "value")
                return value
            top = stack[-1]
            if top[0] == "list":
                top[1].append(value)
                tok = lx.scan()
                if tok == ",":
                    tok = lx.scan()
                    break
                if tok == "]":
                    stack.pop()
                    value = NixList(top[1])
                    continue
                raise error(tok, "]", "array")
            top[1][top[2]] = value
            tok = lx.scan()
            if tok == ",":
                tok = lx.scan()
                if tok != "string":
                    raise error(tok, "string", "object key")
                top[2] = lx.value
                tok = lx.scan()
                if tok != ":":
                    raise error(tok, ":", "object separator")
                tok = lx.scan()
                break
            if tok == "}":
                stack.pop()
                value = NixAttrs(top[1])
                continue
            raise error(tok, "}", "object")


class _Fallback(Exception):
    pass


def _fast_int(text: str) -> Any:
    n = int(text)
    if -(2**63) <= n < 2**64:
        return n if n < 2**63 else n - 2**64
    return _fast_float(text)


def _fast_float(text: str) -> float:
    x = float(text)
    if x in (float("inf"), float("-inf")):
        raise _Fallback  # nlohmann reports an overflow: let the exact parser word it
    return x


def _reject(_text: str) -> Any:
    raise _Fallback  # NaN / Infinity are not JSON for nlohmann


_NEEDS_EXACT = re.compile("[\udc80-\udcff\ufeff]|\\\\u[dD][89a-fA-F]")


def parse_json_fast(text: str) -> Any:
    """``parse_json`` through Python's C parser when the document is plainly valid (big inputs
    such as lock files); anything unusual goes to the exact parser, which also words errors."""
    if _NEEDS_EXACT.search(text):
        return parse_json(text)
    try:
        import json  # (fromJSON only: not on every evaluation's start-up)

        data = json.loads(text, parse_int=_fast_int, parse_float=_fast_float, parse_constant=_reject)
    except (ValueError, _Fallback, RecursionError):
        return parse_json(text)
    return from_python(data, lambda v: NixString(v) if isinstance(v, str) else v)


@builtin("fromJSON", 1)
def prim_from_json(args, pos):
    s = ops.force_string(args[0], pos)
    try:
        return parse_json_fast(s.s)
    except _JSONError as err:
        raise EvalError(str(err), pos) from None


@builtin("toJSON", 1)
def prim_to_json(args, pos):
    from ..printer import to_json

    text, ctx = to_json(args[0], pos)
    return NixString(text, frozenset(ctx))


# --- toXML -----------------------------------------------------------------------------------


def _xml_attr(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("\n", "&#xA;")


def _attrs_text(attrs: dict[str, str]) -> str:
    return "".join(f' {k}="{_xml_attr(v)}"' for k, v in sorted(attrs.items()))


def to_xml(v: Any, pos: Any) -> tuple[str, frozenset]:
    """Nix's ``toXML`` document for ``v`` and the context of the strings in it."""
    out = ["<?xml version='1.0' encoding='utf-8'?>\n<expr>\n"]
    ctx: set[str] = set()
    drvs_seen: set[str] = set()
    # work items: ("v", value, depth) or ("close", tag, depth)
    work: list[tuple] = [("v", v, 1)]

    def empty(tag: str, depth: int, attrs: dict[str, str] | None = None) -> None:
        out.append("  " * depth + f"<{tag}{_attrs_text(attrs or {})} />\n")

    def open_(tag: str, depth: int, attrs: dict[str, str] | None = None) -> None:
        out.append("  " * depth + f"<{tag}{_attrs_text(attrs or {})}>\n")

    def push_attrs(d: dict, depth: int) -> None:
        items = []
        for name in sorted(d):
            items.append(("open", "attr", depth, {"name": name}))
            items.append(("v", d[name], depth + 1))
            items.append(("close", "attr", depth))
        work.extend(reversed(items))

    while work:
        item = work.pop()
        if item[0] == "close":
            out.append("  " * item[2] + f"</{item[1]}>\n")
            continue
        if item[0] == "open":
            open_(item[1], item[2], item[3])
            continue
        _, val, depth = item
        val = force(val)
        t = type(val)
        if t is int:
            empty("int", depth, {"value": str(val)})
        elif t is bool:
            empty("bool", depth, {"value": "true" if val else "false"})
        elif t is NixString:
            ctx |= val.ctx
            empty("string", depth, {"value": val.s})
        elif t is NixPath:
            empty("path", depth, {"value": val.path})
        elif val is None:
            empty("null", depth)
        elif t is float:
            empty("float", depth, {"value": format_float(val)})
        elif t is NixAttrs:
            if ops.is_derivation(val):
                xattrs: dict[str, str] = {}
                drv_path = ""
                a = val.d.get("drvPath")
                if a is not None:
                    a = force(a)
                    if type(a) is NixString:
                        xattrs["drvPath"] = drv_path = a.s
                a = val.d.get("outPath")
                if a is not None:
                    a = force(a)
                    if type(a) is NixString:
                        xattrs["outPath"] = a.s
                open_("derivation", depth, xattrs)
                work.append(("close", "derivation", depth))
                if drv_path and drv_path not in drvs_seen:
                    drvs_seen.add(drv_path)
                    push_attrs(val.d, depth + 1)
                else:
                    empty("repeated", depth + 1)
            else:
                open_("attrs", depth)
                work.append(("close", "attrs", depth))
                push_attrs(val.d, depth + 1)
        elif t is NixList:
            open_("list", depth)
            work.append(("close", "list", depth))
            work.extend(("v", x, depth + 1) for x in reversed(val.items))
        elif t is Lambda:
            node = val.node
            open_("function", depth)
            if node.formals is not None:
                pattrs: dict[str, str] = {}
                if node.param:
                    pattrs["name"] = node.param
                if node.formals.ellipsis:
                    pattrs["ellipsis"] = "1"
                open_("attrspat", depth + 1, pattrs)
                for name in sorted(f.name for f in node.formals.entries):
                    empty("attr", depth + 2, {"name": name})
                out.append("  " * (depth + 1) + "</attrspat>\n")
            else:
                empty("varpat", depth + 1, {"name": node.param or ""})
            out.append("  " * depth + "</function>\n")
        elif t is PrimOp:
            empty("unevaluated", depth)
        else:
            empty("unevaluated", depth)
    out.append("</expr>\n")
    return "".join(out), frozenset(ctx)


@builtin("toXML", 1)
def prim_to_xml(args, pos):
    text, ctx = to_xml(args[0], pos)
    return NixString(text, ctx)
