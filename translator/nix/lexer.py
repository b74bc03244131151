"""The Nix 2.8 lexer: a state machine over Nix's flex states, one regex per state.

Why hand-written: ``}`` may close an attribute set or an interpolation (``"${x}"``), and after
``./a/${x}`` the lexer must come back *into* the path; that needs the stack of lexer states that
Nix's flex scanner keeps (``DEFAULT``, ``STRING``, ``IND_STRING``, ``INPATH``, ``INPATH_SLASH``),
which lark's contextual lexer cannot express.

Flex picks the *longest* match (ties: the earlier rule). Python's ``re`` picks the first
alternative that matches, so each state's rules are ordered so that "first" equals "longest" for
every input (argued in docs/parser.md); in the default state whitespace and comments are skipped
by the same match as the token that follows, so most tokens cost one regex call.

Tokens are plain tuples ``(terminal id, value, offset)`` (:meth:`Lexer.scan`, what the parser
reads; :meth:`Lexer.tokens` gives names instead of ids); :meth:`Lexer.pos` turns an offset into
a :class:`Pos` counted as Nix does (1-based lines, 1-based byte columns, ``\\r`` and ``\\r\\n``
are line breaks), only for the tokens that become AST nodes. Token types are the names Nix's
Bison grammar uses (``ID``, ``DOLLAR_CURLY``, ...) or a name for a single character
(``LBRACE``...), ``INVALID`` for any other character.
"""

from __future__ import annotations

import re
from bisect import bisect_right

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable, Iterator

from ..errors import Pos, UserError
from .atomic_regex import atomic

Token = tuple  # (type: str, value: object, offset: int)

#: Terminal names in Bison's symbol-number order (the order of ``expecting ...`` lists), then
#: the lexer's own: ``INVALID`` (a character no rule accepts) and ``SIMPLE_STR`` (a whole
#: double-quoted string without interpolation, which the parser takes in one step).
TERMINALS = (
    "$END", "ID", "STR", "IND_STR", "INT", "FLOAT", "PATH", "HPATH", "SPATH", "PATH_END", "URI",
    "IF", "THEN", "ELSE", "ASSERT", "WITH", "LET", "IN", "REC", "INHERIT", "EQ", "NEQ", "AND",
    "OR", "IMPL", "OR_KW", "DOLLAR_CURLY", "IND_STRING_OPEN", "IND_STRING_CLOSE", "ELLIPSIS",
    "LT", "GT", "LEQ", "GEQ", "UPDATE", "PLUS", "MINUS", "STAR", "SLASH", "CONCAT", "QMARK",
    "COLON", "LBRACE", "RBRACE", "AT", "SEMI", "BANG", "DOT", "QUOTE", "LPAR", "RPAR", "LBRACK",
    "RBRACK", "ASSIGN", "COMMA", "INVALID", "SIMPLE_STR",
)
TID = {name: i for i, name in enumerate(TERMINALS)}
T_END, T_ID, T_STR, T_IND_STR, T_INT, T_FLOAT, T_PATH, T_HPATH, T_SPATH, T_PATH_END, T_URI = range(11)
T_DOLLAR_CURLY = TID["DOLLAR_CURLY"]
T_IND_STRING_OPEN = TID["IND_STRING_OPEN"]
T_IND_STRING_CLOSE = TID["IND_STRING_CLOSE"]
T_RBRACE = TID["RBRACE"]
T_QUOTE = TID["QUOTE"]
T_INVALID = TID["INVALID"]
T_SIMPLE_STR = TID["SIMPLE_STR"]


class NixSyntaxError(UserError):
    """A parse-time error as Nix 2.8 reports it: syntax errors and the other errors Nix finds while
    parsing (invalid integer, trailing slash in a path, duplicate attribute or formal...)."""


KEYWORDS = {
    "if": "IF", "then": "THEN", "else": "ELSE", "assert": "ASSERT", "with": "WITH", "let": "LET",
    "in": "IN", "rec": "REC", "inherit": "INHERIT", "or": "OR_KW",
}
_KEYWORD_TID = {word: TID[name] for word, name in KEYWORDS.items()}

_PC = r"[a-zA-Z0-9._\-+]"  # PATH_CHAR

# Whitespace and comments between tokens (skipped in one go; they matter only for the position
# of "unexpected end of file", recomputed at the end).
_SKIP_ONE = r"[ \t\r\n]+|\#[^\r\n]*|/\*(?:[^*]|\*+[^*/])*+\*+/"
_SKIP_RX = re.compile(atomic(_SKIP_ONE))  # (atomic: see .atomic_regex)

# DEFAULT state: alternatives in an order where the first match is also flex's longest match
# (possessive quantifiers where backtracking cannot change the outcome, for speed; compiled as the
# atomic groups they stand for, see .atomic_regex). Only the named groups capture: ``lastindex``
# says which alternative matched. The frequent tokens come
# first (each failed alternative costs the regex engine a little): the single characters of
# PUNCT, `{`, `}`, `"` and `${` cannot start an identifier, number, path or URI, and `=` is
# only ASSIGN when no second `=` follows.
_DEFAULT = re.compile(atomic(
    r"(?:[ \t\r\n]++|\#[^\r\n]*+|/\*(?:[^*]|\*+[^*/])*+\*+/)*+"
    r"(?:"
    r"(?P<ID>[a-zA-Z_][a-zA-Z0-9_'\-]*+(?![./+:]))"  # fast path: cannot grow into a path/URI
    r"|(?P<PUNCT>[;\[\](),@?:]|=(?!=))"
    # a whole string without `$` (so no interpolation) and without CR (which becomes LF)
    r"|(?P<SIMPLE_STR>\"(?:[^\"\\$\r]++|\\[^\r])*+\")"
    r"|(?P<INT>[0-9]++(?![a-zA-Z0-9._\-+/]))"
    r"|(?P<LBRACE>\{)|(?P<RBRACE>\})|(?P<QUOTE>\")|(?P<DOLLAR_CURLY>\$\{)"
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
    r"|(?P<IND_OPEN>''(?: *\n)?)"
    r"|(?P<BANG>!)|(?P<DOT>\.)|(?P<LT><)|(?P<GT>>)"
    r"|(?P<PLUS>\+)|(?P<MINUS>-)|(?P<STAR>\*)|(?P<SLASH>/)"
    r"|(?P<EOF>\Z)|(?P<INVALID>[\s\S])"
    r")"
))
#: the terminal of each PUNCT character
_PUNCT_TID = {c: TID[name] for c, name in (
    (";", "SEMI"), ("[", "LBRACK"), ("]", "RBRACK"), ("(", "LPAR"), (")", "RPAR"), (",", "COMMA"),
    ("@", "AT"), ("?", "QMARK"), (":", "COLON"), ("=", "ASSIGN"))}
# What each group of _DEFAULT is: a kind (how scan() handles it) and the terminal it yields.
(_K_PLAIN, _K_ID, _K_PUNCT, _K_SIMPLE_STR, _K_INT, _K_OPEN, _K_RBRACE, _K_QUOTE, _K_FLOAT,
 _K_PATH, _K_PATH_SEG, _K_SPATH, _K_URI, _K_IND_OPEN, _K_EOF, _K_INVALID) = range(16)
_SPECIAL_GROUPS = {
    "ID": (_K_ID, "ID"), "ID2": (_K_ID, "ID"), "PUNCT": (_K_PUNCT, "INVALID"),  # PUNCT: by character
    "SIMPLE_STR": (_K_SIMPLE_STR, "SIMPLE_STR"),
    "INT": (_K_INT, "INT"), "INT2": (_K_INT, "INT"), "LBRACE": (_K_OPEN, "LBRACE"),
    "DOLLAR_CURLY": (_K_OPEN, "DOLLAR_CURLY"), "RBRACE": (_K_RBRACE, "RBRACE"),
    "QUOTE": (_K_QUOTE, "QUOTE"), "FLOAT": (_K_FLOAT, "FLOAT"), "PATH": (_K_PATH, "PATH"),
    "HPATH": (_K_PATH, "HPATH"), "PATHSEG": (_K_PATH_SEG, "PATH"), "HPATHSEG": (_K_PATH_SEG, "HPATH"),
    "SPATH": (_K_SPATH, "SPATH"), "URI": (_K_URI, "URI"), "IND_OPEN": (_K_IND_OPEN, "IND_STRING_OPEN"),
    "EOF": (_K_EOF, "$END"), "INVALID": (_K_INVALID, "INVALID"),
}
_GROUP_KIND = [_K_INVALID] * (_DEFAULT.groups + 1)
_GROUP_TID = [T_INVALID] * (_DEFAULT.groups + 1)
for _name, _index in _DEFAULT.groupindex.items():
    _GROUP_KIND[_index], _GROUP_TID[_index] = _SPECIAL_GROUPS.get(_name, (_K_PLAIN, _name))
    _GROUP_TID[_index] = TID[_GROUP_TID[_index]]
assert _DEFAULT.groups == len(_DEFAULT.groupindex), "only named groups may capture"

#: terminals whose scan() value is ``(value, offset)``
_PAIR_VALUED = frozenset(TID[name] for name in (
    "ID", "OR_KW", "IF", "THEN", "ELSE", "ASSERT", "WITH", "LET", "IN", "REC", "INHERIT",
    "INT", "FLOAT", "PATH", "HPATH", "SPATH", "URI"))

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
# Pos is a frozen dataclass; its slots are filled directly (see Lexer.position_function)
_set_file = Pos.__dict__["file"].__set__
_set_line = Pos.__dict__["line"].__set__
_set_col = Pos.__dict__["col"].__set__


class Lexer:
    """Scans one source text. :meth:`scan` is what the parser reads: ``(terminal id, value,
    offset)`` triples, ending with ``$END``; :meth:`tokens` is the same stream with terminal
    names and plain values (for tests and debugging); :meth:`pos` turns an offset into a
    :class:`Pos`.

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
        self.pos = self.position_function()

    def position_function(self) -> Callable[[int], Pos]:
        """A function offset -> :class:`Pos` (1-based line, 1-based byte column).

        It is called for every AST node, so it is a closure over locals and fills the frozen
        ``Pos`` through its slot descriptors (half the cost of ``Pos.__init__``)."""
        file = self.file
        starts = self.line_starts
        new = object.__new__
        if self.ascii:
            def pos(offset: int) -> Pos:
                line = bisect_right(starts, offset)
                p = new(Pos)
                _set_file(p, file)
                _set_line(p, line)
                _set_col(p, offset - starts[line - 1] + 1)
                return p
        else:
            text = self.text

            def pos(offset: int) -> Pos:
                line = bisect_right(starts, offset)
                start = starts[line - 1]
                p = new(Pos)
                _set_file(p, file)
                _set_line(p, line)
                _set_col(p, len(text[start:offset].encode("utf-8", "surrogateescape")) + 1)
                return p
        return pos

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and byte column of a character offset, as Nix counts them."""
        p = self.pos(offset)
        return p.line, p.col

    def error(self, message: str, offset: int) -> NixSyntaxError:
        return NixSyntaxError(message, self.pos(offset))

    def _last_lexeme(self, prev_start: int, prev_end: int, limit: int | None = None) -> int:
        """Start of the last lexeme before ``limit`` (default: the end): a skipped blank or
        comment after the token at ``prev_start..prev_end``, or else that token."""
        last = prev_start
        for m in _SKIP_RX.finditer(self.text, prev_end, len(self.text) if limit is None else limit):
            last = m.start()
        return last

    def scan(self) -> Iterator[tuple[int, Any, int]]:
        """``(terminal id, value, offset)`` for each token (ids index :data:`TERMINALS`).

        Values, shaped for the parser's callbacks: ``(word, offset)`` for identifiers and
        keywords; ``(value, offset)`` for INT, FLOAT, PATH, HPATH, SPATH (name without ``<>``)
        and URI; the unescaped text for STR; ``(text, has_indentation)`` for IND_STR; the offset
        for every other token. A double-quoted string without interpolation that ends on the
        same scan is one ``SIMPLE_STR`` token (``QUOTE STR QUOTE`` or ``QUOTE QUOTE`` for the
        parser) whose value is ``(open offset, text, close offset)``.
        """
        text = self.text
        n = len(text)
        pos = 0
        start = 0
        prev_start = 0  # start and end of the previous token (for the end-of-file position)
        prev_end = 0
        pp_start = 0  # ... and of the one before it
        pp_end = 0
        eof_at = None
        stack = [INITIAL]
        state = INITIAL
        default_match = None  # the DEFAULT state's scanner: each match starts where the last ended
        kinds = _GROUP_KIND
        group_tid = _GROUP_TID
        keywords = _KEYWORD_TID
        punct = _PUNCT_TID
        while True:
            if state <= DEFAULT:
                if default_match is None:
                    default_match = _DEFAULT.scanner(text, pos).match
                m = default_match()
                g = m.lastindex
                start, pos = m.span(g)
                k = kinds[g]
                if k == _K_ID:
                    word = text[start:pos]
                    yield (keywords.get(word, T_ID), (word, start), start)
                elif k == _K_PUNCT:
                    yield (punct[text[start]], start, start)
                elif k == _K_SIMPLE_STR:
                    body = text[start + 1:pos - 1]
                    if "\\" in body:
                        body = unescape(body)
                    yield (T_SIMPLE_STR, (start, body, pos - 1), start)
                    prev_start = pos - 1
                    prev_end = pos
                    continue
                elif k == _K_INT:
                    yield (T_INT, (self._int(text[start:pos], start), start), start)
                elif k == _K_OPEN:  # `{` and `${`
                    stack.append(DEFAULT)
                    state = DEFAULT
                    yield (group_tid[g], start, start)
                elif k == _K_RBRACE:
                    if state != INITIAL:
                        stack.pop()
                        state = stack[-1]
                    yield (T_RBRACE, start, start)
                elif k == _K_QUOTE:
                    stack.append(STRING)
                    state = STRING
                    yield (T_QUOTE, start, start)
                elif k == _K_FLOAT:
                    yield (T_FLOAT, (self._float(text[start:pos], start), start), start)
                elif k == _K_PATH:  # PATH, HPATH (a `/` at the end: a `${` must follow)
                    value = text[start:pos]
                    state = INPATH_SLASH if value[-1] == "/" else INPATH
                    stack.append(state)
                    yield (group_tid[g], (value, start), start)
                elif k == _K_PATH_SEG:  # `a/` or `~/` before `${`
                    stack.append(INPATH_SLASH)
                    state = INPATH_SLASH
                    yield (group_tid[g], (text[start:pos], start), start)
                elif k == _K_SPATH:
                    yield (T_SPATH, (text[start + 1:pos - 1], start), start)
                elif k == _K_URI:
                    yield (T_URI, (text[start:pos], start), start)
                elif k == _K_PLAIN:
                    yield (group_tid[g], start, start)
                elif k == _K_IND_OPEN:
                    stack.append(IND_STRING)
                    state = IND_STRING
                    yield (T_IND_STRING_OPEN, start, start)
                elif k == _K_EOF:
                    yield (T_END, None, self._last_lexeme(prev_start, prev_end) if eof_at is None else eof_at)
                    return
                else:  # INVALID: a character the grammar does not know
                    yield (T_INVALID, start, start)
                pp_start = prev_start
                pp_end = prev_end
                prev_start = start
                prev_end = pos
                continue
            start = pos
            default_match = None  # other regexes move on: a new scanner when back in DEFAULT
            if state == STRING:
                m = _STRING.match(text, pos)
                kind = m.lastgroup
                pos = m.end()
                if kind == "STR" or kind == "STR_EOF":
                    yield (T_STR, unescape(text[start:pos]), start)
                elif kind == "DOLLAR_CURLY":
                    stack.append(DEFAULT)
                    state = DEFAULT
                    yield (T_DOLLAR_CURLY, start, start)
                elif kind == "QUOTE":
                    stack.pop()
                    state = stack[-1]
                    yield (T_QUOTE, start, start)
                else:  # end of input inside the string
                    yield (T_END, None, self._last_lexeme(prev_start, prev_end))
                    return
            elif state == IND_STRING:
                m = _IND_STRING.match(text, pos)
                kind = m.lastgroup
                pos = m.end()
                if kind == "RAW":
                    yield (T_IND_STR, (text[start:pos], True), start)
                elif kind == "DOLLAR_CURLY":
                    stack.append(DEFAULT)
                    state = DEFAULT
                    yield (T_DOLLAR_CURLY, start, start)
                elif kind == "CLOSE":
                    stack.pop()
                    state = stack[-1]
                    yield (T_IND_STRING_CLOSE, start, start)
                elif kind == "Q3":
                    yield (T_IND_STR, ("''", False), start)
                elif kind == "QDOLLAR" or kind == "DOLLAR":
                    yield (T_IND_STR, ("$", False), start)
                elif kind == "QESC":
                    yield (T_IND_STR, (unescape(text[start + 2:pos]), False), start)
                elif kind == "QUOTE1":
                    yield (T_IND_STR, ("'", False), start)
                else:
                    yield (T_END, None, self._last_lexeme(prev_start, prev_end))
                    return
            else:  # INPATH / INPATH_SLASH
                m = _INPATH.match(text, pos)
                if m is None:
                    if state == INPATH_SLASH:
                        # Nix reports the character after the slash (at the end: the last lexeme)
                        raise self.error("path has a trailing slash", pos if pos < n else prev_start)
                    stack.pop()
                    state = stack[-1]
                    if pos < n:
                        yield (T_PATH_END, pos, pos)
                    else:
                        # Nix's scanner backs its location up by one lexeme when a path ends at
                        # the end of input: the end is reported where the lexeme before began
                        eof_at = self._last_lexeme(pp_start, pp_end, prev_start) if prev_start else 0
                        yield (T_PATH_END, eof_at, eof_at)
                    continue
                stack.pop()
                pos = m.end()
                if m.lastgroup == "DOLLAR_CURLY":
                    stack.append(INPATH)
                    stack.append(DEFAULT)
                    state = DEFAULT
                    yield (T_DOLLAR_CURLY, start, start)
                else:
                    value = text[start:pos]
                    state = INPATH_SLASH if value[-1] == "/" else INPATH
                    stack.append(state)
                    yield (T_STR, value, start)
            pp_start = prev_start
            pp_end = prev_end
            prev_start = start
            prev_end = pos

    def tokens(self) -> Iterator[Token]:
        """The tokens as ``(type name, value, offset)``: values are the identifier, number,
        string text, path... or None; a ``SIMPLE_STR`` is spelled out as Nix's scanner
        returns it (``QUOTE STR QUOTE``)."""
        for tid, value, offset in self.scan():
            if tid == T_SIMPLE_STR:
                open_at, body, close_at = value
                yield ("QUOTE", None, open_at)
                if body:
                    yield ("STR", body, open_at + 1)
                yield ("QUOTE", None, close_at)
            elif tid in _PAIR_VALUED:
                yield (TERMINALS[tid], value[0], offset)
            elif tid == T_STR or tid == T_IND_STR:
                yield (TERMINALS[tid], value, offset)
            elif tid == T_INVALID:
                yield ("INVALID", self.text[offset], offset)
            else:
                yield (TERMINALS[tid], None, offset)

    def _int(self, digits: str, offset: int) -> int:
        value = int(digits)
        if value > _INT_MAX:
            raise self.error(f"invalid integer '{digits}'", offset)
        return value

    def _float(self, literal: str, offset: int) -> float:
        value = float(literal)
        # strtod reports ERANGE on overflow and on underflow (zero or subnormal result)
        if value == float("inf") or (abs(value) < 2.2250738585072014e-308
                                     and _NONZERO_DIGIT.search(literal.split("e")[0].split("E")[0])):
            raise self.error(f"invalid float '{literal}'", offset)
        return value


def tokenize(text: str, file: str = "«string»") -> list[Token]:
    """All tokens of ``text`` (for tests and debugging)."""
    return list(Lexer(text, file).tokens())
