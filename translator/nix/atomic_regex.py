"""Possessive quantifiers written as atomic groups, for the CPython releases that match them wrongly.

The lexer's patterns use possessive quantifiers (``x*+``, ``x++``, ``x?+``): where backtracking
cannot change the outcome they spare the regex engine the bookkeeping of giving characters back.
CPython 3.11.0 to 3.11.4 match a possessive quantifier over a subpattern that itself backtracks
wrongly (python/cpython#106052 and #100061, fixed in 3.11.5): Debian 12's ``python3`` (3.11.2)
found no ``/* comment */`` at all, so every file with a block comment was a syntax error there.
Python documents ``x*+`` as equal to ``(?>x*)``, and atomic groups were right from 3.11.0, so the
patterns are compiled in that form everywhere (3.11.5 and later implement possessive quantifiers
that way themselves, so nothing changes there).
"""

from __future__ import annotations

import re

_COUNT = re.compile(r"\{\d*(?:,\d*)?\}")


def atomic(pattern: str) -> str:
    """``pattern`` with every possessive quantifier ``X*+``, ``X++``, ``X?+``, ``X{m,n}+`` turned
    into the atomic group ``(?>X*)``... it stands for; anything else is left as written."""
    text, end = _sequence(pattern, 0, in_group=False)
    assert end == len(pattern)
    return text


def _sequence(p: str, i: int, in_group: bool) -> tuple[str, int]:
    """Convert from ``i`` to the end (or past the ``)`` closing the group): (text, next index)."""
    parts: list[str] = []
    n = len(p)
    while i < n:
        c = p[i]
        if c == ")" and in_group:
            return "".join(parts), i + 1
        if c in "*+?" or (c == "{" and _COUNT.match(p, i)):
            if c == "{":
                m = _COUNT.match(p, i)
                q, i = m.group(), m.end()  # type: ignore[union-attr]
            else:
                q, i = c, i + 1
            if i < n and p[i] == "+":  # possessive
                parts[-1] = f"(?>{parts[-1]}{q})"
                i += 1
            elif i < n and p[i] == "?":  # lazy
                parts[-1] += q + "?"
                i += 1
            else:
                parts[-1] += q
            continue
        if c == "\\":
            atom, i = p[i:i + 2], i + 2
        elif c == "[":
            j = i + 1
            if j < n and p[j] == "^":
                j += 1
            if j < n and p[j] == "]":  # a leading ] is a member
                j += 1
            while p[j] != "]":
                j += 2 if p[j] == "\\" else 1
            atom, i = p[i:j + 1], j + 1
        elif c == "(":
            j = i + 1
            if p.startswith("?P<", j):
                j = p.index(">", j) + 1
            elif p.startswith("?<=", j) or p.startswith("?<!", j):
                j += 3
            elif p.startswith("?", j):
                j += 2
            inner, k = _sequence(p, j, in_group=True)
            atom, i = p[i:j] + inner + ")", k
        else:
            atom, i = c, i + 1
        parts.append(atom)
    if in_group:
        raise ValueError(f"unbalanced parenthesis in {p!r}")
    return "".join(parts), i
