"""``match`` and ``split``: POSIX extended regular expressions as Nix 2.8 runs them.

Nix compiles patterns with libstdc++'s ``std::regex`` in ``extended`` mode and matches bytes.
This module translates such a pattern into an equivalent Python :mod:`re` pattern:

* escaping an ordinary character (``\\d``, ``\\n``) is an error, as in libstdc++; escaping a
  special one (``\\.``) makes it literal;
* bracket expressions: ``]`` first is literal, backslash is literal, POSIX classes
  (``[:alpha:]``...) are the ASCII ("C" locale) sets, reversed ranges are errors;
* ``.`` matches any byte (newline included); ``$`` only at the very end;
* a quantifier applied to a quantified atom (``a**``, ``a*?``) repeats it (never lazy/possessive);
* intervals must be well-formed (``a{,2}``, ``a{`` are errors).

Subjects are matched as bytes (each byte one character, through Latin-1), so ``.`` never matches
half of a multi-byte character differently from Nix. ``split`` iterates like
``std::sregex_iterator``. Where the pattern has alternatives, Python's first-alternative-wins
result can differ from libstdc++'s, so such patterns run on :mod:`.regex_engine`, a replica of
libstdc++'s depth-first executor; very long subjects or pathological patterns fall back to a
leftmost-longest approximation. ``match`` needs no replica: for a whole-string match the first
solution in libstdc++'s search order is also Python's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..values import EvalError, NixList, NixString
from .. import operations as ops
from . import builtin, regex_engine
from ._util import force_string_noctx, from_bytes, to_bytes

#: Characters that a backslash makes literal in libstdc++ ``extended`` mode (others: error).
_SPECIAL = set(".[\\()*+?{|^$")

_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v",
    "blank": " \\t",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "print": "\\x20-\\x7e",
    "graph": "\\x21-\\x7e",
    "cntrl": "\\x00-\\x1f\\x7f",
    "xdigit": "0-9A-Fa-f",
    "w": "a-zA-Z0-9_",
    "d": "0-9",
    "s": " \\t\\n\\r\\f\\v",
}


class RegexSyntaxError(Exception):
    pass


def _class_char(c: str) -> str:
    return "\\" + c if c in "\\]^-[" else c


#: POSIX collating element names (``[[.hyphen.]]``), as libstdc++ knows them, by ASCII code.
_COLLATE_NAMES = (
    ["NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "alert", "backspace", "tab", "newline",
     "vertical-tab", "form-feed", "carriage-return", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4",
     "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "IS4", "IS3", "IS2", "IS1", "space",
     "exclamation-mark", "quotation-mark", "number-sign", "dollar-sign", "percent-sign", "ampersand",
     "apostrophe", "left-parenthesis", "right-parenthesis", "asterisk", "plus-sign", "comma",
     "hyphen", "period", "slash", "zero", "one", "two", "three", "four", "five", "six", "seven",
     "eight", "nine", "colon", "semicolon", "less-than-sign", "equals-sign", "greater-than-sign",
     "question-mark", "commercial-at"]
    + [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    + ["left-square-bracket", "backslash", "right-square-bracket", "circumflex", "underscore",
       "grave-accent"]
    + [chr(c) for c in range(ord("a"), ord("z") + 1)]
    + ["left-curly-bracket", "vertical-line", "right-curly-bracket", "tilde", "DEL"]
)
_COLLATE = {name: chr(code) for code, name in enumerate(_COLLATE_NAMES)}


def _parse_bracket(p: str, i: int) -> tuple[str, int]:
    """Translate the bracket expression starting after ``[`` at ``i``; return (python, next i).

    libstdc++'s rules: ``]`` first is literal; ``-`` is literal first or last; a range starts at a
    character or a collating element (``[.x.]``) and ends at a character; a ``-`` right after a
    range, a class (``[:alpha:]``) or an equivalence class (``[=a=]``) is an error."""
    n = len(p)
    neg = False
    if i < n and p[i] == "^":
        neg = True
        i += 1
    items: list[str] = []
    first = True
    while True:
        if i >= n:
            raise RegexSyntaxError("unterminated bracket")
        c = p[i]
        if c == "]" and not first:
            i += 1
            break
        first = False
        can_start_range = True
        if c == "[" and i + 1 < n and p[i + 1] in ":.=":
            kind = p[i + 1]
            end = p.find(kind + "]", i + 2)
            if end < 0:
                raise RegexSyntaxError("unterminated class")
            name = p[i + 2:end]
            i = end + 2
            if kind == ":":
                if name not in _CLASSES:
                    raise RegexSyntaxError("unknown class")
                items.append(_CLASSES[name])
                c = None
            else:
                if name not in _COLLATE:
                    raise RegexSyntaxError("unknown collating element")
                c = _COLLATE[name]
                can_start_range = kind == "."
        else:
            i += 1
        if i + 1 < n and p[i] == "-" and p[i + 1] != "]":
            if c is None or not can_start_range:
                raise RegexSyntaxError("range from a class")
            hi = p[i + 1]
            if hi == "[" and i + 2 < n and p[i + 2] in ".=:":
                raise RegexSyntaxError("range ending in a class or collating element")
            i += 2
            if ord(hi) < ord(c):
                raise RegexSyntaxError("invalid range")
            items.append(_class_char(c) + "-" + _class_char(hi))
            if i + 1 < n and p[i] == "-" and p[i + 1] != "]":
                raise RegexSyntaxError("range after a range")
        elif c is not None:
            items.append(_class_char(c))
    body = "".join(items)
    if not body:
        return ("[^\\x00-\\U0010ffff]" if not neg else "[\\x00-\\U0010ffff]"), i
    return ("[^" if neg else "[") + body + "]", i


def translate(p: str) -> str:
    """A Python regular expression equivalent to the POSIX ERE ``p`` (libstdc++ flavour)."""
    out: list[str] = []
    # For each open group, the index in ``out`` where the group starts.
    groups: list[int] = []
    last_atom: int | None = None  # index in out where the last quantifiable atom starts
    quantified = False  # the last atom already carries a quantifier
    i = 0
    n = len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            if i + 1 >= n:
                raise RegexSyntaxError("trailing backslash")
            d = p[i + 1]
            if d not in _SPECIAL:
                raise RegexSyntaxError("escape of an ordinary character")
            last_atom, quantified = len(out), False
            out.append(re.escape(d))
            i += 2
            continue
        if c == "[":
            cls, i = _parse_bracket(p, i + 1)
            last_atom, quantified = len(out), False
            out.append(cls)
            continue
        if c == "(":
            groups.append(len(out))
            out.append("(")
            last_atom = None
            i += 1
            continue
        if c == ")":
            if not groups:
                raise RegexSyntaxError("unmatched )")
            start = groups.pop()
            out.append(")")
            last_atom, quantified = start, False
            i += 1
            continue
        if c in "*+?{":
            if c == "{":
                m = re.compile(r"\{(\d+)(,(\d*))?\}").match(p, i)
                if not m:
                    raise RegexSyntaxError("bad interval")
                lo = int(m.group(1))
                if m.group(3):
                    if int(m.group(3)) < lo:
                        raise RegexSyntaxError("bad interval")
                q = m.group(0)
                i = m.end()
            else:
                q = c
                i += 1
            if last_atom is None:
                raise RegexSyntaxError("nothing to repeat")
            if quantified:
                out[last_atom:] = ["(?:" + "".join(out[last_atom:]) + ")"]
            out.append(q)
            quantified = True
            continue
        if c == "|":
            out.append("|")
            last_atom = None
            i += 1
            continue
        if c == "^":
            out.append("^")
            last_atom = None
            i += 1
            continue
        if c == "$":
            out.append("\\Z")
            last_atom = None
            i += 1
            continue
        if c == ".":
            last_atom, quantified = len(out), False
            out.append(".")
            i += 1
            continue
        last_atom, quantified = len(out), False
        out.append(re.escape(c))
        i += 1
    if groups:
        raise RegexSyntaxError("unmatched (")
    return "".join(out)


class Compiled:
    """A translated pattern: the Python regex plus what ``split`` needs to emulate POSIX.

    ``longest``: the pattern has alternatives, so Python's first-alternative-wins matching may
    differ from POSIX leftmost-longest. ``alts``: the top-level alternatives compiled one by one
    (None when some alternation is nested), which finds the longest match cheaply."""

    __slots__ = ("rx", "longest", "alts", "prog")

    def __init__(self, rx: re.Pattern, longest: bool, alts: list[re.Pattern] | None,
                 prog: "regex_engine.Program | None" = None) -> None:
        self.rx = rx
        self.longest = longest
        self.alts = alts
        self.prog = prog


def _top_level_alternatives(py: str) -> list[str] | None:
    """Split a translated pattern at its top-level ``|``; None if a ``|`` is nested in a group."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(py)
    while i < n:
        c = py[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i += 1
            while i < n and py[i] != "]":
                i += 2 if py[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|":
            if depth:
                return None
            parts.append(py[start:i])
            start = i + 1
        i += 1
    parts.append(py[start:])
    return parts


@lru_cache(maxsize=512)
def compile_regex(pattern: str) -> Compiled | None:
    """Compile a Nix pattern (given as Latin-1 text of its bytes); None when it is invalid."""
    try:
        py = translate(pattern)
        rx = re.compile(py, re.DOTALL)
    except (RegexSyntaxError, re.error, RecursionError, OverflowError):
        return None
    longest = "|" in py and "\\Z" not in py
    alts = None
    if longest:
        parts = _top_level_alternatives(py)
        if parts is not None and len(parts) > 1:
            alts = [re.compile(part, re.DOTALL) for part in parts]
    prog = None
    if "|" in py:
        try:
            prog = regex_engine.Program(py)
        except (regex_engine.Unsupported, RecursionError):
            prog = None
    return Compiled(rx, longest, alts, prog)


def _latin(s: str) -> str:
    return s if s.isascii() else to_bytes(s).decode("latin-1")


def _unlatin(s: str) -> str:
    return s if s.isascii() else from_bytes(s.encode("latin-1"))


def _regex(args, pos) -> Compiled:
    pattern = force_string_noctx(args[0], pos)
    c = compile_regex(_latin(pattern))
    if c is None:
        raise EvalError(f"invalid regular expression '{pattern}'", pos)
    return c


def _groups(m: re.Match) -> NixList:
    return NixList([None if g is None else NixString(_unlatin(g)) for g in m.groups()])


@builtin("match", 2)
def prim_match(args, pos):
    c = _regex(args, pos)
    s = _latin(ops.force_string(args[1], pos).s)
    m = c.rx.fullmatch(s)
    if m is None:
        return None
    return _groups(m)


_LONGEST_WINDOW = 256


def _longest_at(c: Compiled, s: str, at: int, shortest_end: int):
    """The longest match of ``c`` starting at ``at`` and ending after ``shortest_end``, or None.

    With top-level alternatives only, the longest is the longest of their (greedy) matches;
    otherwise ends are tried from at most :data:`_LONGEST_WINDOW` characters further down."""
    rx = c.rx
    if c.alts is not None:
        best = -1
        for alt in c.alts:
            m = alt.match(s, at)
            if m is not None and m.end() > best:
                best = m.end()
        if best > shortest_end:
            m = rx.fullmatch(s, at, best)
            if m is not None:
                return m
        else:
            return None
    for end in range(min(len(s), shortest_end + _LONGEST_WINDOW), shortest_end, -1):
        m = rx.fullmatch(s, at, end)
        if m is not None:
            return m
    return None


def _posix_matches(c: Compiled, s: str) -> list[re.Match]:
    """All matches as ``std::sregex_iterator`` finds them with POSIX leftmost-longest rules."""
    rx = c.rx
    out: list[re.Match] = []
    start = 0
    n = len(s)
    after_empty = False
    while start <= n:
        m = None
        if after_empty:
            # retry at the same place for a non-empty match, else search from the next char
            m = _longest_at(c, s, start, start)
            if m is None:
                if start >= n:
                    break
                start += 1
        if m is None:
            m = rx.search(s, start)
            if m is None:
                break
            longer = _longest_at(c, s, m.start(), m.end())
            if longer is not None:
                m = longer
        out.append(m)
        after_empty = m.end() == m.start()
        start = m.end()
    return out


@builtin("split", 2)
def prim_split(args, pos):
    c = _regex(args, pos)
    orig = ops.force_string(args[1], pos)
    s = _latin(orig.s)
    spans = None
    if c.prog is not None and len(s) <= regex_engine.MAX_SUBJECT:
        try:
            spans = regex_engine.find_all(c.prog, s)
        except (RecursionError, regex_engine.TooExpensive):
            spans = None
    if spans is None:
        matches = _posix_matches(c, s) if c.longest else list(c.rx.finditer(s))
        spans = [(m.start(), m.end(), [m.span(g) if m.group(g) is not None else None
                                       for g in range(1, (m.re.groups or 0) + 1)]) for m in matches]
    if not spans:
        return NixList([orig])
    out: list = []
    prev_end = 0
    for start, end, groups in spans:
        out.append(NixString(_unlatin(s[prev_end:start])))
        out.append(NixList([None if g is None else NixString(_unlatin(s[g[0]:g[1]])) for g in groups]))
        prev_end = end
    out.append(NixString(_unlatin(s[prev_end:])))
    return NixList(out)
