"""The Nix 2.8 lexer: a state machine over Nix's flex states, one regex per state.

Why hand-written: ``}`` may close an attribute set or an interpolation (``"${x}"``), and after
``./a/${x}`` the lexer must come back *into* the path; that needs the stack of lexer states that
Nix's flex scanner keeps (``DEFAULT``, ``STRING``, ``IND_STRING``, ``INPATH``, ``INPATH_SLASH``),
which lark's contextual lexer cannot express.

Flex picks the *longest* match (ties: the earlier rule). Python's ``re`` picks the first
alternative that matches, so each state's rules are ordered so that "first" equals "longest" for
every input (argued in docs/parser.md); in the default state whitespace and comments are skipped
by the same match as the token that follows, so most tokens cost one regex call.

Tokens are plain tuples ``(type, value, offset)``; :meth:`Lexer.pos` turns an offset into a
:class:`Pos` counted as Nix does (1-based lines, 1-based byte columns, ``\\r`` and ``\\r\\n`` are
line breaks). Token types are the names Nix's Bison grammar uses (``ID``, ``DOLLAR_CURLY``, ...)
or a name for a single character (``LBRACE``...), ``INVALID`` for any other character.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterator

from ..errors import Pos, UserError

Token = tuple  # (type: str, value: object, offset: int)


class NixSyntaxError(UserError):
    """A parse-time error as Nix 2.8 reports it: syntax errors and the other errors Nix finds while
    parsing (invalid integer, trailing slash in a path, duplicate attribute or formal...)."""


KEYWORDS = {
    "if": "IF", "then": "THEN", "else": "ELSE", "assert": "ASSERT", "with": "WITH", "let": "LET",
    "in": "IN", "rec": "REC", "inherit": "INHERIT", "or": "OR_KW",
}

_PC = r"[a-zA-Z0-9._\-+]"  # PATH_CHAR

# Whitespace and comments between tokens (skipped in one go; they matter only for the position
# of "unexpected end of file", recomputed at the end).
_SKIP_ONE = r"[ \t\r\n]+|\#[^\r\n]*|/\*(?:[^*]|\*+[^*/])*+\*+/"
_SKIP_RX = re.compile(_SKIP_ONE)

# DEFAULT state: alternatives in an order where the first match is also flex's longest match
# (possessive quantifiers where backtracking cannot change the outcome, for speed).
_DEFAULT = re.compile(
    r"(?:[ \t\r\n]++|\#[^\r\n]*+|/\*(?:[^*]|\*+[^*/])*+\*+/)*+"
    r"(?:"
    r"(?P<ID>[a-zA-Z_][a-zA-Z0-9_'\-]*+(?![./+:]))"  # fast path: cannot grow into a path/URI
    r"|(?P<INT>[0-9]++(?![a-zA-Z0-9._\-+/]))"
    r"|(?P<URI>[a-zA-Z][a-zA-Z0-9+\-.]*+:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+)"
    r"|(?P<PATHSEG>" + _PC + r"*+/(?=\$\{))"
    r"|(?P<HPATHSEG>~/(?=\$\{))"
    r"|(?P<PATH>" + _PC + r"*+(?:/" + _PC + r"++)++/?)"
    r"|(?P<HPATH>~(?:/" + _PC + r"++)++/?)"
    r"|(?P<SPATH><" + _PC + r"++(?:/" + _PC + r"++)*+>)"
    r"|(?P<FLOAT>(?:[1-9][0-9]*+\.[0-9]*+|0?\.[0-9]++)(?:[Ee][+-]?[0-9]++)?)"
    r"|(?P<INT2>[0-9]++)"
    r"|(?P<ID2>[a-zA-Z_][a-zA-Z0-9_'\-]*+)"
    r"|(?P<ELLIPSIS>\.\.\.)|(?P<EQ>==)|(?P<NEQ>!=)|(?P<LEQ><=)|(?P<GEQ>>=)|(?P<AND>&&)"
    r"|(?P<OR>\|\|)|(?P<IMPL>->)|(?P<UPDATE>//)|(?P<CONCAT>\+\+)"
    r"|(?P<DOLLAR_CURLY>\$\{)|(?P<IND_OPEN>''(?: *\n)?)"
    r"|(?P<LBRACE>\{)|(?P<RBRACE>\})|(?P<QUOTE>\")"
    r"|(?P<COLON>:)|(?P<AT>@)|(?P<SEMI>;)|(?P<BANG>!)|(?P<DOT>\.)|(?P<LPAR>\()|(?P<RPAR>\))"
    r"|(?P<LBRACK>\[)|(?P<RBRACK>\])|(?P<ASSIGN>=)|(?P<COMMA>,)|(?P<QMARK>\?)|(?P<LT><)|(?P<GT>>)"
    r"|(?P<PLUS>\+)|(?P<MINUS>-)|(?P<STAR>\*)|(?P<SLASH>/)"
    r"|(?P<EOF>\Z)|(?P<INVALID>[\s\S])"
    r")"
)
#: token types returned as they are (no value, no state change)
_PLAIN = frozenset(
    "ELLIPSIS EQ NEQ LEQ GEQ AND OR IMPL UPDATE CONCAT COLON AT SEMI BANG DOT LPAR RPAR LBRACK RBRACK "
    "ASSIGN COMMA QMARK LT GT PLUS MINUS STAR SLASH".split()
)

_STR_BODY = r"(?:[^$\"\\]|\$[^{\"\\]|\\[\s\S]|\$\\[\s\S])"
_STRING = re.compile(
    r"(?P<STR>" + _STR_BODY + r"+(?:\$(?=\"))?|\$(?=\"))"
    r"|(?P<DOLLAR_CURLY>\$\{)|(?P<QUOTE>\")|(?P<STR_EOF>\$\\|\$|\\)|(?P<EOF>\Z)"
)
_IND_STRING = re.compile(
    r"(?P<RAW>(?:[^$']|\$[^{']|'[^'$])+)|(?P<Q3>''')|(?P<QDOLLAR>''\$)|(?P<QESC>''\\[\s\S])"
    r"|(?P<DOLLAR_CURLY>\$\{)|(?P<CLOSE>'')|(?P<DOLLAR>\$)|(?P<QUOTE1>')|(?P<EOF>\Z)"
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
    """Scans one source text; :meth:`tokens` yields ``(type, value, offset)`` tuples, ending with
    ``('$END', None, offset)``; :meth:`pos` turns an offset into a :class:`Pos`.

    At the end of input the offset is where the most recent lexeme (whitespace and comments
    included) started: Nix reports ``unexpected end of file`` there.
    """

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.ascii = text.isascii()
        if "\r" in text:
            self.line_starts = [0] + [m.end() for m in _NEWLINES.finditer(text)]
        else:
            starts = [0]
            find = text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self.line_starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and byte column of a character offset, as Nix counts them."""
        line = bisect_right(self.line_starts, offset)
        start = self.line_starts[line - 1]
        if self.ascii:
            return line, offset - start + 1
        return line, len(self.text[start:offset].encode("utf-8", "surrogateescape")) + 1

    def pos(self, offset: int) -> Pos:
        line = bisect_right(self.line_starts, offset)
        start = self.line_starts[line - 1]
        if self.ascii:
            return Pos(self.file, line, offset - start + 1)
        return Pos(self.file, line, len(self.text[start:offset].encode("utf-8", "surrogateescape")) + 1)

    def token_pos(self, tok: Token) -> Pos:
        """The position of a token (its start)."""
        offset = tok[2]
        starts = self.line_starts
        line = bisect_right(starts, offset)
        if self.ascii:
            return Pos(self.file, line, offset - starts[line - 1] + 1)
        start = starts[line - 1]
        return Pos(self.file, line, len(self.text[start:offset].encode("utf-8", "surrogateescape")) + 1)

    def error(self, message: str, offset: int) -> NixSyntaxError:
        return NixSyntaxError(message, self.pos(offset))

    def _last_lexeme(self, prev_start: int, prev_end: int, limit: int | None = None) -> int:
        """Start of the last lexeme before ``limit`` (default: the end): a skipped blank or
        comment after the token at ``prev_start..prev_end``, or else that token."""
        last = prev_start
        for m in _SKIP_RX.finditer(self.text, prev_end, len(self.text) if limit is None else limit):
            last = m.start()
        return last

    def tokens(self) -> Iterator[Token]:
        text = self.text
        n = len(text)
        pos = 0
        prev_start = 0  # start and end of the previous token (for the end-of-file position)
        prev_end = 0
        pp_start = 0  # ... and of the one before it
        pp_end = 0
        eof_at = None
        stack = [INITIAL]
        default_match = _DEFAULT.match
        keywords = KEYWORDS
        plain = _PLAIN
        while True:
            state = stack[-1]
            if state <= DEFAULT:
                m = default_match(text, pos)
                kind = m.lastgroup
                start, pos = m.span(kind)
                if kind == "ID" or kind == "ID2":
                    word = text[start:pos]
                    yield (keywords.get(word, "ID"), word, start)
                elif kind in plain:
                    yield (kind, None, start)
                elif kind == "INT" or kind == "INT2":
                    yield self._int(text[start:pos], start)
                elif kind == "LBRACE":
                    stack.append(DEFAULT)
                    yield ("LBRACE", None, start)
                elif kind == "RBRACE":
                    if state != INITIAL:
                        stack.pop()
                    yield ("RBRACE", None, start)
                elif kind == "QUOTE":
                    stack.append(STRING)
                    yield ("QUOTE", None, start)
                elif kind == "FLOAT":
                    yield self._float(m.group(kind), start)
                elif kind == "PATH" or kind == "HPATH":
                    value = m.group(kind)
                    stack.append(INPATH_SLASH if value[-1] == "/" else INPATH)
                    yield (kind, value, start)
                elif kind == "PATHSEG":
                    stack.append(INPATH_SLASH)
                    yield ("PATH", m.group(kind), start)
                elif kind == "HPATHSEG":
                    stack.append(INPATH_SLASH)
                    yield ("HPATH", m.group(kind), start)
                elif kind == "DOLLAR_CURLY":
                    stack.append(DEFAULT)
                    yield ("DOLLAR_CURLY", None, start)
                elif kind == "SPATH":
                    yield ("SPATH", m.group(kind)[1:-1], start)
                elif kind == "URI":
                    yield ("URI", m.group(kind), start)
                elif kind == "IND_OPEN":
                    stack.append(IND_STRING)
                    yield ("IND_STRING_OPEN", None, start)
                elif kind == "EOF":
                    yield ("$END", None, self._last_lexeme(prev_start, prev_end) if eof_at is None else eof_at)
                    return
                else:  # INVALID: a character the grammar does not know
                    yield ("INVALID", m.group(kind), start)
                pp_start = prev_start
                pp_end = prev_end
                prev_start = start
                prev_end = pos
                continue
            start = pos
            if state == STRING:
                m = _STRING.match(text, pos)
                kind = m.lastgroup
                pos = m.end()
                if kind == "STR" or kind == "STR_EOF":
                    yield ("STR", unescape(text[start:pos]), start)
                elif kind == "DOLLAR_CURLY":
                    stack.append(DEFAULT)
                    yield ("DOLLAR_CURLY", None, start)
                elif kind == "QUOTE":
                    stack.pop()
                    yield ("QUOTE", None, start)
                else:  # end of input inside the string
                    yield ("$END", None, self._last_lexeme(prev_start, prev_end))
                    return
            elif state == IND_STRING:
                m = _IND_STRING.match(text, pos)
                kind = m.lastgroup
                pos = m.end()
                if kind == "RAW":
                    yield ("IND_STR", (text[start:pos], True), start)
                elif kind == "DOLLAR_CURLY":
                    stack.append(DEFAULT)
                    yield ("DOLLAR_CURLY", None, start)
                elif kind == "CLOSE":
                    stack.pop()
                    yield ("IND_STRING_CLOSE", None, start)
                elif kind == "Q3":
                    yield ("IND_STR", ("''", False), start)
                elif kind == "QDOLLAR" or kind == "DOLLAR":
                    yield ("IND_STR", ("$", False), start)
                elif kind == "QESC":
                    yield ("IND_STR", (unescape(text[start + 2:pos]), False), start)
                elif kind == "QUOTE1":
                    yield ("IND_STR", ("'", False), start)
                else:
                    yield ("$END", None, self._last_lexeme(prev_start, prev_end))
                    return
            else:  # INPATH / INPATH_SLASH
                m = _INPATH.match(text, pos)
                if m is None:
                    if state == INPATH_SLASH:
                        # Nix reports the character after the slash (at the end: the last lexeme)
                        raise self.error("path has a trailing slash", pos if pos < n else prev_start)
                    stack.pop()
                    if pos < n:
                        yield ("PATH_END", None, pos)
                    else:
                        # Nix's scanner backs its location up by one lexeme when a path ends at
                        # the end of input: the end is reported where the lexeme before began
                        eof_at = self._last_lexeme(pp_start, pp_end, prev_start) if prev_start else 0
                        yield ("PATH_END", None, eof_at)
                    continue
                stack.pop()
                pos = m.end()
                if m.lastgroup == "DOLLAR_CURLY":
                    stack.append(INPATH)
                    stack.append(DEFAULT)
                    yield ("DOLLAR_CURLY", None, start)
                else:
                    value = text[start:pos]
                    stack.append(INPATH_SLASH if value[-1] == "/" else INPATH)
                    yield ("STR", value, start)
            pp_start = prev_start
            pp_end = prev_end
            prev_start = start
            prev_end = pos

    def _int(self, digits: str, offset: int) -> Token:
        value = int(digits)
        if value > _INT_MAX:
            raise self.error(f"invalid integer '{digits}'", offset)
        return ("INT", value, offset)

    def _float(self, literal: str, offset: int) -> Token:
        value = float(literal)
        # strtod reports ERANGE on overflow and on underflow (zero or subnormal result)
        if value == float("inf") or (abs(value) < 2.2250738585072014e-308
                                     and _NONZERO_DIGIT.search(literal.split("e")[0].split("E")[0])):
            raise self.error(f"invalid float '{literal}'", offset)
        return ("FLOAT", value, offset)




def tokenize(text: str, file: str = "«string»") -> list[Token]:
    """All tokens of ``text`` (for tests and debugging)."""
    return list(Lexer(text, file).tokens())
