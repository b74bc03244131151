"""The Nix 2.8 lexer: a state machine over Nix's flex states, one dispatch of regexes per state.

Why hand-written: ``}`` may close an attribute set or an interpolation (``"${x}"``), and after
``./a/${x}`` the lexer must come back *into* the path; that needs the stack of lexer states that
Nix's flex scanner keeps (``DEFAULT``, ``STRING``, ``IND_STRING``, ``INPATH``, ``INPATH_SLASH``),
which lark's contextual lexer cannot express.

Flex picks the *longest* match (ties: the earlier rule). Python's ``re`` picks the first
alternative that matches, so each state's rules are ordered so that "first" equals "longest" for
every input (argued rule by rule in docs/parser.md), and the rules are pre-filtered by the first
character of the input to keep the per-token cost low.

Tokens are plain tuples ``(type, value, line, col)`` (``col`` counts bytes, 1-based, as Nix
does; ``\\r`` and ``\\r\\n`` are line breaks like ``\\n``). Token types are the names Nix's Bison
grammar uses (``ID``, ``DOLLAR_CURLY``, ...) or a name for a single character (``LBRACE``...).
"""

from __future__ import annotations

import re
from typing import Iterator

from ..errors import Pos, UserError

Token = tuple  # (type: str, value: object, line: int, col: int)


class NixSyntaxError(UserError):
    """A parse-time error as Nix 2.8 reports it: syntax errors and the other errors Nix finds while
    parsing (invalid integer, trailing slash in a path, duplicate attribute or formal...)."""


KEYWORDS = {
    "if": "IF", "then": "THEN", "else": "ELSE", "assert": "ASSERT", "with": "WITH", "let": "LET",
    "in": "IN", "rec": "REC", "inherit": "INHERIT", "or": "OR_KW",
}

#: single characters the grammar knows, by token type
CHAR_TOKENS = {
    ":": "COLON", "{": "LBRACE", "}": "RBRACE", "@": "AT", ";": "SEMI", "!": "BANG", ".": "DOT",
    '"': "QUOTE", "(": "LPAR", ")": "RPAR", "[": "LBRACK", "]": "RBRACK", "=": "ASSIGN",
    ",": "COMMA", "?": "QMARK", "<": "LT", ">": "GT", "+": "PLUS", "-": "MINUS", "*": "STAR",
    "/": "SLASH",
}
OPERATORS = {
    "==": "EQ", "!=": "NEQ", "<=": "LEQ", ">=": "GEQ", "&&": "AND", "||": "OR", "->": "IMPL",
    "//": "UPDATE", "++": "CONCAT", "...": "ELLIPSIS",
}

_PC = r"[a-zA-Z0-9._\-+]"  # PATH_CHAR
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_PATH_FIRST = _LETTERS + _DIGITS + "._-+/"

# DEFAULT state: (group name, regex, possible first characters), in first-match = longest order.
_DEFAULT_RULES = [
    ("WS", r"[ \t\r\n]+", " \t\r\n"),
    ("COMMENT", r"\#[^\r\n]*", "#"),
    ("LCOMMENT", r"/\*(?:[^*]|\*+[^*/])*\*+/", "/"),
    ("URI", r"[a-zA-Z][a-zA-Z0-9+\-.]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+", _LETTERS),
    ("PATHSEG", _PC + r"*/(?=\$\{)", _PATH_FIRST),
    ("HPATHSEG", r"~/(?=\$\{)", "~"),
    ("PATH", _PC + r"*(?:/" + _PC + r"+)+/?", _PATH_FIRST),
    ("HPATH", r"~(?:/" + _PC + r"+)+/?", "~"),
    ("SPATH", r"<" + _PC + r"+(?:/" + _PC + r"+)*>", "<"),
    ("FLOAT", r"(?:[1-9][0-9]*\.[0-9]*|0?\.[0-9]+)(?:[Ee][+-]?[0-9]+)?", _DIGITS + "."),
    ("INT", r"[0-9]+", _DIGITS),
    ("ID", r"[a-zA-Z_][a-zA-Z0-9_'\-]*", _LETTERS + "_"),
    ("OP", r"\.\.\.|==|!=|<=|>=|&&|\|\||->|//|\+\+", ".=!<>&|-/+"),
    ("DOLLAR_CURLY", r"\$\{", "$"),
    ("IND_OPEN", r"''(?: *\n)?", "'"),
    ("CHAR", r"[\s\S]", None),
]


def _build_dispatch(rules) -> tuple[dict[str, re.Pattern], re.Pattern]:
    """One compiled alternation per first character (only the rules that can start with it)."""
    everything = re.compile("|".join(f"(?P<{n}>{rx})" for n, rx, _ in rules))
    by_char: dict[str, re.Pattern] = {}
    chars = set()
    for _, _, first in rules:
        chars.update(first or "")
    for c in chars:
        alts = [(n, rx) for n, rx, first in rules if first is None or c in first]
        by_char[c] = re.compile("|".join(f"(?P<{n}>{rx})" for n, rx in alts))
    return by_char, everything


_DEFAULT_BY_CHAR, _DEFAULT_ANY = _build_dispatch(_DEFAULT_RULES)

# Fast paths: an identifier / integer that cannot be the start of a longer path or URI.
_FAST_ID = re.compile(r"[a-zA-Z_][a-zA-Z0-9_'\-]*+(?![./+:])")
_FAST_INT = re.compile(r"[0-9]++(?![a-zA-Z0-9._\-+/])")
_FAST_WS = re.compile(r"[ \t]*+(?![\r\n])")

_STR_BODY = r"(?:[^$\"\\]|\$[^{\"\\]|\\[\s\S]|\$\\[\s\S])"
_STRING = re.compile(
    r"(?P<STR>" + _STR_BODY + r"+(?:\$(?=\"))?|\$(?=\"))"
    r"|(?P<DOLLAR_CURLY>\$\{)|(?P<QUOTE>\")|(?P<STR_EOF>\$\\|\$|\\)"
)
_IND_STRING = re.compile(
    r"(?P<RAW>(?:[^$']|\$[^{']|'[^'$])+)|(?P<Q3>''')|(?P<QDOLLAR>''\$)|(?P<QESC>''\\[\s\S])"
    r"|(?P<DOLLAR_CURLY>\$\{)|(?P<CLOSE>'')|(?P<DOLLAR>\$)|(?P<QUOTE1>')"
)
_INPATH = re.compile(r"(?P<DOLLAR_CURLY>\$\{)|(?P<STR>" + _PC + r"*(?:/" + _PC + r"+)+/?|" + _PC + r"*/|" + _PC + r"+)")
_NEWLINES = re.compile(r"\r\n?|\n")

# lexer states (Nix's flex start conditions)
INITIAL, DEFAULT, STRING, IND_STRING, INPATH, INPATH_SLASH = range(6)

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}
_ESC_RX = re.compile(r"\\([\s\S])|\r\n?")


def _unescape_sub(m: re.Match) -> str:
    c = m.group(1)
    if c is None:
        return "\n"  # CR and CR/LF become LF
    return _ESCAPES.get(c, c)


def unescape(raw: str) -> str:
    """Nix's ``unescapeStr``: ``\\n \\r \\t`` and ``\\c`` -> ``c``; bare CR (LF) -> LF."""
    if "\\" not in raw and "\r" not in raw:
        return raw
    return _ESC_RX.sub(_unescape_sub, raw)


_INT_MAX = 2**63 - 1
_NONZERO_DIGIT = re.compile(r"[1-9]")


class Lexer:
    """Scans one source text; :meth:`tokens` yields tokens, ending with ``('$END', ...)``.

    ``last_pos`` is where the most recent lexeme (whitespace and comments included) started: Nix
    reports ``unexpected end of file`` there.
    """

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.ascii = text.isascii()
        self.line = 1
        self.line_start = 0
        self.last_line = 1
        self.last_col = 1

    def col_of(self, offset: int) -> int:
        if self.ascii:
            return offset - self.line_start + 1
        return len(self.text[self.line_start:offset].encode("utf-8", "surrogateescape")) + 1

    def _advance_lines(self, start: int, end: int) -> None:
        """Account for the line breaks in ``text[start:end]``."""
        text = self.text
        seg = text[start:end]
        if "\r" in seg:
            n = 0
            last = None
            for m in _NEWLINES.finditer(text, start, end):
                n += 1
                last = m.end()
            if n:
                self.line += n
                self.line_start = last
        else:
            n = seg.count("\n")
            if n:
                self.line += n
                self.line_start = text.rindex("\n", start, end) + 1

    def error(self, message: str, line: int, col: int) -> NixSyntaxError:
        return NixSyntaxError(message, Pos(self.file, line, col))

    def tokens(self) -> Iterator[Token]:
        text = self.text
        n = len(text)
        pos = 0
        stack = [INITIAL]
        by_char = _DEFAULT_BY_CHAR
        fast_id = _FAST_ID.match
        fast_int = _FAST_INT.match
        keywords = KEYWORDS
        char_tokens = CHAR_TOKENS
        ascii_ = self.ascii
        while True:
            state = stack[-1]
            if pos >= n:
                # end of input: an open path ends here (INPATH) or is an error (INPATH_SLASH)
                if state == INPATH:
                    stack.pop()
                    yield ("PATH_END", None, self.last_line, self.last_col)
                    continue
                if state == INPATH_SLASH:
                    raise self.error("path has a trailing slash", self.last_line, self.last_col)
                yield ("$END", None, self.last_line, self.last_col)
                return
            line = self.line
            col = pos - self.line_start + 1 if ascii_ else self.col_of(pos)
            self.last_line = line
            self.last_col = col
            if state <= DEFAULT:
                c = text[pos]
                if c in " \t":
                    m = _FAST_WS.match(text, pos)
                    if m is not None:
                        pos = m.end()
                        continue
                m = None
                if c in _FAST_ID_FIRST:
                    m = fast_id(text, pos)
                    if m is not None:
                        end = m.end()
                        word = text[pos:end]
                        pos = end
                        kw = keywords.get(word)
                        if kw is None:
                            yield ("ID", word, line, col)
                        else:
                            yield (kw, word, line, col)
                        continue
                elif c in _DIGIT_SET:
                    m = fast_int(text, pos)
                    if m is not None:
                        end = m.end()
                        yield self._int(text[pos:end], line, col)
                        pos = end
                        continue
                rx = by_char.get(c)
                m = (rx or _DEFAULT_ANY).match(text, pos)
                kind = m.lastgroup
                end = m.end()
                value = text[pos:end]
                if kind == "WS" or kind == "COMMENT" or kind == "LCOMMENT":
                    self._advance_lines(pos, end)
                    pos = end
                    continue
                pos = end
                if kind == "ID":
                    kw = keywords.get(value)
                    yield (kw or "ID", value, line, col)
                elif kind == "INT":
                    yield self._int(value, line, col)
                elif kind == "CHAR":
                    if c == "{":
                        stack.append(DEFAULT)
                        yield ("LBRACE", c, line, col)
                    elif c == "}":
                        if state != INITIAL:
                            stack.pop()
                        yield ("RBRACE", c, line, col)
                    elif c == '"':
                        stack.append(STRING)
                        yield ("QUOTE", c, line, col)
                    else:
                        if c == "\n" or c == "\r":  # cannot happen (WS), kept for safety
                            self._advance_lines(pos - 1, pos)
                        yield (char_tokens.get(c, "INVALID"), c, line, col)
                elif kind == "OP":
                    yield (OPERATORS[value], value, line, col)
                elif kind == "FLOAT":
                    yield self._float(value, line, col)
                elif kind == "PATH" or kind == "HPATH":
                    stack.append(INPATH_SLASH if value[-1] == "/" else INPATH)
                    yield (kind, value, line, col)
                elif kind == "PATHSEG":
                    stack.append(INPATH_SLASH)
                    yield ("PATH", value, line, col)
                elif kind == "HPATHSEG":
                    stack.append(INPATH_SLASH)
                    yield ("HPATH", value, line, col)
                elif kind == "DOLLAR_CURLY":
                    stack.append(DEFAULT)
                    yield ("DOLLAR_CURLY", value, line, col)
                elif kind == "SPATH":
                    yield ("SPATH", value[1:-1], line, col)
                elif kind == "URI":
                    yield ("URI", value, line, col)
                elif kind == "IND_OPEN":
                    stack.append(IND_STRING)
                    self._advance_lines(pos - len(value), pos)
                    yield ("IND_STRING_OPEN", value, line, col)
                else:  # pragma: no cover - every group is handled above
                    raise AssertionError(kind)
            elif state == STRING:
                m = _STRING.match(text, pos)
                kind = m.lastgroup
                end = m.end()
                if kind == "STR" or kind == "STR_EOF":
                    raw = text[pos:end]
                    self._advance_lines(pos, end)
                    pos = end
                    yield ("STR", unescape(raw), line, col)
                elif kind == "DOLLAR_CURLY":
                    pos = end
                    stack.append(DEFAULT)
                    yield ("DOLLAR_CURLY", "${", line, col)
                else:
                    pos = end
                    stack.pop()
                    yield ("QUOTE", '"', line, col)
            elif state == IND_STRING:
                m = _IND_STRING.match(text, pos)
                kind = m.lastgroup
                end = m.end()
                raw = text[pos:end]
                pos = end
                if kind == "RAW":
                    self._advance_lines(end - len(raw), end)
                    yield ("IND_STR", (raw, True), line, col)
                elif kind == "DOLLAR_CURLY":
                    stack.append(DEFAULT)
                    yield ("DOLLAR_CURLY", raw, line, col)
                elif kind == "CLOSE":
                    stack.pop()
                    yield ("IND_STRING_CLOSE", raw, line, col)
                elif kind == "Q3":
                    yield ("IND_STR", ("''", False), line, col)
                elif kind == "QDOLLAR" or kind == "DOLLAR":
                    yield ("IND_STR", ("$", False), line, col)
                elif kind == "QESC":
                    self._advance_lines(end - len(raw), end)
                    yield ("IND_STR", (unescape(raw[2:]), False), line, col)
                else:
                    yield ("IND_STR", ("'", False), line, col)
            else:  # INPATH / INPATH_SLASH
                m = _INPATH.match(text, pos)
                if m is None:
                    if state == INPATH_SLASH:
                        raise self.error("path has a trailing slash", line, col)
                    stack.pop()
                    yield ("PATH_END", None, line, col)
                    continue
                stack.pop()
                end = m.end()
                value = text[pos:end]
                pos = end
                if m.lastgroup == "DOLLAR_CURLY":
                    stack.append(INPATH)
                    stack.append(DEFAULT)
                    yield ("DOLLAR_CURLY", value, line, col)
                else:
                    stack.append(INPATH_SLASH if value[-1] == "/" else INPATH)
                    yield ("STR", value, line, col)

    def _int(self, digits: str, line: int, col: int) -> Token:
        value = int(digits)
        if value > _INT_MAX:
            raise self.error(f"invalid integer '{digits}'", line, col)
        return ("INT", value, line, col)

    def _float(self, literal: str, line: int, col: int) -> Token:
        value = float(literal)
        # strtod reports ERANGE on overflow and on underflow (zero or subnormal result)
        if value == float("inf") or (abs(value) < 2.2250738585072014e-308
                                     and _NONZERO_DIGIT.search(literal.split("e")[0].split("E")[0])):
            raise self.error(f"invalid float '{literal}'", line, col)
        return ("FLOAT", value, line, col)


_FAST_ID_FIRST = frozenset(_LETTERS + "_")
_DIGIT_SET = frozenset(_DIGITS)


def tokenize(text: str, file: str = "«string»") -> list[Token]:
    """All tokens of ``text`` (for tests and debugging)."""
    return list(Lexer(text, file).tokens())
