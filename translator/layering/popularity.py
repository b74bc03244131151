"""nixpkgs' references-by-popularity, computed in closed form.

nixpkgs unrolls the graph into a tree per root and counts; the score it ends up with is

    popularity(s) = sum over roots r of g(r, s),   g(s, s) = 1,
    g(r, s) = 1 + sum of g(c, s) over the references c of r whose closure contains s,

i.e. the number of walks from any root that stay inside ``anc(s)`` (the paths whose closure
contains s, s included). A walk from a root that stays inside ``anc(s)`` is just a path from a
root to some ``v`` in ``anc(s)`` (every vertex on it reaches s), so

    popularity(s) = sum over v in anc(s) of P(v),

where ``P(v)`` is the number of paths from the roots to v (1 for a root; the sum over referrers
otherwise): path counts from a virtual root. We compute ``P`` in one topological pass and
``anc(s)`` as a bitset (a Python int, bits indexed by topological position, parents before
children) OR-ed from the referrers' bitsets. The weighted sum over a bitset uses per-byte tables
of partial sums and visits only the bytes that differ from all-zero (or, for dense sets, from
all-one, subtracting from a prefix sum). A path with one referrer, or whose referrers' ancestor
sets are all inside one of them, needs no sum at all: ``popularity(p) + P(s)``.
Scores are exact Python ints (they exceed 64 bits on deep graphs).

Order: most popular first; ties by the path with its ``/nix/store/<hash>`` segment moved to the
end (``<name>-/nix/store/<hash>``), compared by code point: exactly nixpkgs' order.
"""

from __future__ import annotations

import re
from typing import Sequence

from .progress import Progress

_NONZERO = re.compile(rb"[^\x00]")
_NOTFULL = re.compile(rb"[^\xff]")


def package_name_key(path: str) -> str:
    """nixpkgs' tie-break key: the first ``-``-separated segment moved to the end."""
    parts = path.split("-")
    return "-".join(parts[1:] + parts[:1])


def _topo(children: Sequence[Sequence[int]], parents: Sequence[Sequence[int]]) -> list[int]:
    indeg = [len(p) for p in parents]
    ready = [i for i, d in enumerate(indeg) if d == 0]
    ready.reverse()
    out: list[int] = []
    while ready:
        v = ready.pop()
        out.append(v)
        freed = [c for c in children[v] if _dec(indeg, c)]
        ready.extend(reversed(freed))
    if len(out) != len(children):
        raise ValueError("popularity needs an acyclic graph")
    return out


def _dec(indeg: list[int], c: int) -> bool:
    indeg[c] -= 1
    return indeg[c] == 0


def path_counts(children: Sequence[Sequence[int]], parents: Sequence[Sequence[int]],
                order: list[int] | None = None) -> list[int]:
    """P(v): number of paths from any root to v (1 for a root)."""
    order = order if order is not None else _topo(children, parents)
    counts = [0] * len(children)
    for v in order:
        ps = parents[v]
        counts[v] = sum(counts[p] for p in ps) if ps else 1
    return counts


def popularity_scores(children: Sequence[Sequence[int]], parents: Sequence[Sequence[int]],
                      label: str = "popularity") -> list[int]:
    """The exact nixpkgs popularity of every node (children/parents: deduplicated, no self-loops)."""
    n = len(children)
    if n == 0:
        return []
    order = _topo(children, parents)
    pos = [0] * n
    for q, v in enumerate(order):
        pos[v] = q
    counts = path_counts(children, parents, order)

    # Per-byte tables of partial sums of P, by topological position.
    nchunks = (n + 7) // 8
    weights = [counts[v] for v in order] + [0] * (nchunks * 8 - n)
    tables: list[list[int]] = []
    prefix = [0] * (nchunks + 1)
    for c in range(nchunks):
        t = [0]
        for j in range(8):
            w = weights[8 * c + j]
            t = t + [x + w for x in t] if w else t + t
        tables.append(t)
        prefix[c + 1] = prefix[c] + t[255]

    remaining = [len(cs) for cs in children]
    anc: list[int | None] = [None] * n
    score = [0] * n
    with Progress(label, n) as progress:
        for q, v in enumerate(order):
            if q & 1023 == 0:
                progress.step(q)
            ps = parents[v]
            own = counts[v]
            if not ps:
                bits = 0
                score[v] = own
            elif len(ps) == 1:
                p = ps[0]
                bits = anc[p]  # type: ignore[assignment]
                score[v] = score[p] + own
            else:
                bits = 0
                for p in ps:
                    bits |= anc[p]  # type: ignore[operator]
                top = max(pos[p] for p in ps)
                covered = None
                for p in ps:
                    if pos[p] == top and anc[p] == bits:
                        covered = p
                        break
                if covered is not None:
                    score[v] = score[covered] + own
                else:
                    score[v] = own + _weighted(bits, top, tables, prefix)
            bits |= 1 << q
            if children[v]:
                anc[v] = bits
            for p in ps:
                remaining[p] -= 1
                if remaining[p] == 0:
                    anc[p] = None
    return score


def _weighted(bits: int, top: int, tables: list[list[int]], prefix: list[int]) -> int:
    """Sum of the weights of the set bits of ``bits`` (all below position ``top`` + 1)."""
    nb = top // 8 + 1
    data = bits.to_bytes(nb, "little")
    zeros = data.count(0)
    fulls = data.count(255)
    if nb - zeros <= nb - fulls:
        total = 0
        for m in _NONZERO.finditer(data):
            c = m.start()
            total += tables[c][data[c]]
        return total
    total = prefix[nb]
    for m in _NOTFULL.finditer(data):
        c = m.start()
        total -= tables[c][255 ^ data[c]]
    return total


def rank(paths: Sequence[str], scores: Sequence[int]) -> list[int]:
    """Node indices, most popular first, ties by :func:`package_name_key`."""
    return sorted(range(len(paths)), key=lambda i: (-scores[i], package_name_key(paths[i])))


def popularity_ranking(paths: Sequence[str], children: Sequence[Sequence[int]],
                       parents: Sequence[Sequence[int]]) -> list[str]:
    """The full references-by-popularity order of the given graph."""
    scores = popularity_scores(children, parents)
    return [paths[i] for i in rank(paths, scores)]
