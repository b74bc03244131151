"""A backtracking matcher that explores a pattern exactly as libstdc++'s ``std::regex`` DFS
executor does in POSIX mode, used by ``builtins.split`` for patterns with alternatives.

Why: libstdc++ does not compute the true POSIX leftmost-longest match. At an alternative it
explores both branches and keeps the longest solution, but a greedy repetition that has found a
solution never tries fewer iterations. Python's ``re`` (first alternative wins) and a true
longest match both differ from it on patterns such as ``(a|ab)(c|bcd)*...``. This module builds
libstdc++'s automaton (same states for ``*``, ``+``, ``?``, ``{n,m}``, ``|``, groups, anchors)
from the parse of the translated pattern and runs its depth-first search with the same rules:

* alternative: explore the left branch, then the right one; a solution in either counts;
* repeat: try one more iteration (at most twice at the same position), then leave the loop
  only if no solution was found yet;
* accept: in search mode, keep the solution only if strictly longer than the best so far.

Subjects are short in practice; the search is recursive, and callers fall back to their own
approximation on very long subjects (see :data:`MAX_SUBJECT`).
"""

from __future__ import annotations

import re
import sys

try:  # CPython's regular expression parser (public enough: stable since 3.11)
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover
    C = P = None  # type: ignore[assignment]

#: Longer subjects use the caller's approximation (the search recurses per character).
MAX_SUBJECT = 2000

_MATCH, _ALT, _REPEAT, _SUB_BEGIN, _SUB_END, _BOL, _EOL, _DUMMY, _ACCEPT = range(9)


class _NFA:
    def __init__(self) -> None:
        # state: [kind, next, alt_or_data]
        self.states: list[list] = []

    def add(self, kind: int, data=None, alt: int = -1) -> int:
        self.states.append([kind, -1, alt, data])
        return len(self.states) - 1


class Unsupported(Exception):
    """The pattern uses something this engine does not model."""


class TooExpensive(Exception):
    """The search exceeded :data:`MAX_STEPS` (the exploration is exponential in bad cases)."""


#: Steps one search may take before the caller falls back to its approximation.
MAX_STEPS = 200_000


def _char_pred(op, av):
    """A predicate on one character for a single-character sre item."""
    if op is C.LITERAL:
        return lambda ch, c=chr(av): ch == c
    if op is C.NOT_LITERAL:
        return lambda ch, c=chr(av): ch != c
    if op is C.ANY:
        return lambda ch: ch != "\0"
    if op is C.IN:
        neg = False
        singles: set[str] = set()
        ranges: list[tuple[str, str]] = []
        for iop, iav in av:
            if iop is C.NEGATE:
                neg = True
            elif iop is C.LITERAL:
                singles.add(chr(iav))
            elif iop is C.RANGE:
                ranges.append((chr(iav[0]), chr(iav[1])))
            else:
                raise Unsupported(str(iop))

        def pred(ch, singles=singles, ranges=ranges, neg=neg):
            hit = ch in singles or any(lo <= ch <= hi for lo, hi in ranges)
            return hit != neg
        return pred
    raise Unsupported(str(op))


def _build(nfa: _NFA, items) -> tuple[int, int]:
    """States for a sequence of sre items: (start, end); ``end``'s next is left to the caller."""
    start = end = nfa.add(_DUMMY)

    def append(seq: tuple[int, int]) -> None:
        nonlocal end
        nfa.states[end][1] = seq[0]
        end = seq[1]

    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            s = nfa.add(_MATCH, _char_pred(op, av))
            append((s, s))
        elif op is C.SUBPATTERN:
            gid, _add, _del, sub = av
            inner = _build(nfa, sub)
            if gid is None:
                append(inner)
            else:
                b = nfa.add(_SUB_BEGIN, gid)
                e = nfa.add(_SUB_END, gid)
                nfa.states[b][1] = inner[0]
                nfa.states[inner[1]][1] = e
                append((b, e))
        elif op is C.BRANCH:
            _, alternatives = av
            seqs = [_build(nfa, alt) for alt in alternatives]
            cur = seqs[0]
            for nxt in seqs[1:]:
                done = nfa.add(_DUMMY)
                nfa.states[cur[1]][1] = done
                nfa.states[nxt[1]][1] = done
                a = nfa.add(_ALT, alt=cur[0])
                nfa.states[a][1] = nxt[0]
                cur = (a, done)
            append(cur)
        elif op is C.MAX_REPEAT:
            lo, hi, sub = av
            for _ in range(lo):
                append(_build(nfa, sub))
            if hi is C.MAXREPEAT:
                body = _build(nfa, sub)
                r = nfa.add(_REPEAT, alt=body[0])
                nfa.states[body[1]][1] = r
                append((r, r))
            elif hi > lo:
                fin = nfa.add(_DUMMY)
                for _ in range(hi - lo):
                    body = _build(nfa, sub)
                    r = nfa.add(_REPEAT, alt=body[0])
                    nfa.states[r][1] = fin
                    append((r, body[1]))
                append((fin, fin))
        elif op is C.AT:
            if av is C.AT_BEGINNING or av is C.AT_BEGINNING_STRING:
                s = nfa.add(_BOL)
            elif av is C.AT_END_STRING:
                s = nfa.add(_EOL)
            else:
                raise Unsupported(str(av))
            append((s, s))
        else:
            raise Unsupported(str(op))
    return start, end


class Program:
    """A pattern compiled to libstdc++'s automaton."""

    def __init__(self, py_pattern: str) -> None:
        if P is None:
            raise Unsupported("no sre parser")
        parsed = P.parse(py_pattern, re.DOTALL)
        self.ngroups = parsed.state.groups - 1
        self.nfa = _NFA()
        start, end = _build(self.nfa, list(parsed))
        acc = self.nfa.add(_ACCEPT)
        self.nfa.states[end][1] = acc
        self.start = start

    def search(self, s: str, begin: int, *, prev_avail: bool, continuous: bool = False,
               not_null: bool = False):
        """``std::regex_search`` from ``begin``: (start, end, groups) or None.

        ``groups`` holds (start, end) or None per group."""
        states = self.nfa.states
        n = len(s)
        ng = self.ngroups
        st = {"begin": begin, "cur": begin, "has_sol": False, "sol_pos": -1, "results": None,
              "prev_avail": prev_avail}
        cur_results: list = [None] * (ng + 1)  # [first, second, matched]
        rep_count: dict[int, tuple[int, int]] = {}

        budget = [MAX_STEPS]

        def dfs(i: int) -> None:
            budget[0] -= 1
            if budget[0] < 0:
                raise TooExpensive()
            kind, nxt, alt, data = states[i]
            if kind == _MATCH:
                p = st["cur"]
                if p < n and data(s[p]):
                    st["cur"] = p + 1
                    dfs(nxt)
                    st["cur"] = p
            elif kind == _DUMMY:
                dfs(nxt)
            elif kind == _ALT:
                dfs(alt)
                had = st["has_sol"]
                st["has_sol"] = False
                dfs(nxt)
                st["has_sol"] = st["has_sol"] or had
            elif kind == _REPEAT:
                pos_count = rep_count.get(i, (-1, 0))
                p = st["cur"]
                if pos_count[1] == 0 or pos_count[0] != p:
                    rep_count[i] = (p, 1)
                    dfs(alt)
                    rep_count[i] = pos_count
                elif pos_count[1] < 2:
                    rep_count[i] = (p, pos_count[1] + 1)
                    dfs(alt)
                    rep_count[i] = pos_count
                if not st["has_sol"]:
                    dfs(nxt)
            elif kind == _SUB_BEGIN:
                old = cur_results[data]
                cur_results[data] = [st["cur"], None, False] if old is None else [st["cur"], old[1], old[2]]
                dfs(nxt)
                cur_results[data] = old
            elif kind == _SUB_END:
                old = cur_results[data]
                first = old[0] if old is not None else st["cur"]
                cur_results[data] = [first, st["cur"], True]
                dfs(nxt)
                cur_results[data] = old
            elif kind == _BOL:
                if st["cur"] == st["begin"] and not st["prev_avail"]:
                    dfs(nxt)
            elif kind == _EOL:
                if st["cur"] == n:
                    dfs(nxt)
            elif kind == _ACCEPT:
                p = st["cur"]
                ok = not (not_null and p == st["begin"])
                st["has_sol"] = ok
                if ok and (st["sol_pos"] < 0 or st["sol_pos"] - st["begin"] < p - st["begin"]):
                    st["sol_pos"] = p
                    st["results"] = [None if r is None or not r[2] else (r[0], r[1]) for r in cur_results]

        limit = sys.getrecursionlimit()
        if limit < 20000:
            sys.setrecursionlimit(20000)
        try:
            while True:
                st["cur"] = st["begin"]
                st["has_sol"] = False
                st["sol_pos"] = -1
                dfs(self.start)
                if st["has_sol"]:
                    break
                if continuous or st["begin"] >= n:
                    return None
                st["prev_avail"] = True
                st["begin"] += 1
        finally:
            if limit < 20000:
                sys.setrecursionlimit(limit)
        groups = st["results"][1:]
        return st["begin"], st["sol_pos"], groups


def find_all(prog: Program, s: str) -> list[tuple[int, int, list]]:
    """Every match as ``std::sregex_iterator`` enumerates them: (start, end, groups).

    After an empty match the iterator first retries at the same place for a non-empty match
    (without ``match_prev_avail`` until some search has set it), then searches further on."""
    out = []
    prev_avail = False
    m = prog.search(s, 0, prev_avail=False)
    while m is not None:
        out.append(m)
        start, end, _ = m
        if start == end:
            if end == len(s):
                break
            m = prog.search(s, end, prev_avail=prev_avail, continuous=True, not_null=True)
            if m is not None:
                continue
            prev_avail = True
            m = prog.search(s, end + 1, prev_avail=True)
        else:
            prev_avail = True
            m = prog.search(s, end, prev_avail=True)
    return out
