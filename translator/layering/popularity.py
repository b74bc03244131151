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
``anc(s)`` as a bitset (a Python int) OR-ed from the referrers' bitsets, with nodes numbered by a
depth-first walk up the referrers so that ancestor sets are mostly runs of whole bytes. For a
path with several referrers only the part of the union that the latest referrer's set does not
cover is summed (``popularity(best) + P(s) + sum over the rest``), and that sum skips zero bytes
in C (a regular expression), adds a prefix-sum difference per run of full bytes and a per-byte
table look-up per partly filled byte; a fragmented set (graphs without structure) is instead
walked byte by byte in C (``compress``/``filter``/``map``), complemented when mostly full. A path with one referrer costs one addition. Bitsets are
dropped once their last reference has been processed.
Scores are exact Python ints (they exceed 64 bits on deep graphs).

Order: most popular first; ties by the path with its ``/nix/store/<hash>`` segment moved to the
end (``<name>-/nix/store/<hash>``), compared by code point: exactly nixpkgs' order.
"""

from __future__ import annotations

import re
from itertools import compress
from typing import Sequence

from .progress import Progress

_PIECES = re.compile(rb"\xff+|[\x01-\xfe]")  # a run of full bytes, or one partly filled byte
_INVERT = bytes(255 - b for b in range(256))


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


def ancestor_clustered_order(children: Sequence[Sequence[int]], parents: Sequence[Sequence[int]]) -> list[int]:
    """A topological order (referrers first) from a depth-first walk up the referrers.

    Each node is placed right after the last of its not-yet-placed ancestors, so the ancestor
    set of a node tends to be a few contiguous runs of positions: the bitsets then have few
    partial bytes, which is what the weighted sum pays for.
    """
    n = len(children)
    placed = bytearray(n)
    out: list[int] = []
    for start in range(n):
        if children[start] or placed[start]:
            continue
        stack = [(start, iter(parents[start]))]
        placed[start] = 1
        while stack:
            v, it = stack[-1]
            for p in it:
                if not placed[p]:
                    placed[p] = 1
                    stack.append((p, iter(parents[p])))
                    break
            else:
                stack.pop()
                out.append(v)
    if len(out) != n:
        raise ValueError("popularity needs an acyclic graph")
    return out


def path_counts(children: Sequence[Sequence[int]], parents: Sequence[Sequence[int]],
                order: list[int] | None = None) -> list[int]:
    """P(v): number of paths from any root to v (1 for a root)."""
    order = order if order is not None else _topo(children, parents)
    counts = [0] * len(children)
    for v in order:
        ps = parents[v]
        counts[v] = sum(counts[p] for p in ps) if ps else 1
    return counts


def condense(children: Sequence[Sequence[int]], parents: Sequence[Sequence[int]]):
    """None for an acyclic graph; else (component of each node, component children, component parents).

    Real closures can have cycles between outputs of one derivation (``out`` <-> ``lib``). nixpkgs'
    popularity script recurses forever on them; we treat each strongly connected component as one
    node (its members share the score and are ordered by the usual tie-break).
    """
    try:
        _topo(children, parents)
        return None
    except ValueError:
        pass
    import networkx as nx

    dg = nx.DiGraph()
    dg.add_nodes_from(range(len(children)))
    dg.add_edges_from((v, c) for v, cs in enumerate(children) for c in cs)
    comps = sorted((sorted(c) for c in nx.strongly_connected_components(dg)), key=lambda c: c[0])
    comp_of = [0] * len(children)
    for k, members in enumerate(comps):
        for v in members:
            comp_of[v] = k
    cch: list[dict[int, None]] = [{} for _ in comps]
    for v, cs in enumerate(children):
        for c in cs:
            if comp_of[c] != comp_of[v]:
                cch[comp_of[v]][comp_of[c]] = None
    cpar: list[list[int]] = [[] for _ in comps]
    for k, cs in enumerate(cch):
        for c in cs:
            cpar[c].append(k)
    return comp_of, [tuple(c) for c in cch], cpar


def popularity_scores(children: Sequence[Sequence[int]], parents: Sequence[Sequence[int]],
                      label: str = "popularity") -> list[int]:
    """The exact nixpkgs popularity of every node (children/parents: deduplicated, no self-loops)."""
    if not children:
        return []
    cond = condense(children, parents)
    if cond is not None:
        comp_of, cch, cpar = cond
        comp_scores = popularity_scores(cch, cpar, label)
        return [comp_scores[k] for k in comp_of]
    order = ancestor_clustered_order(children, parents)
    return ancestor_sums(children, parents, path_counts(children, parents, order), order, label)


def closure_sizes(children: Sequence[Sequence[int]], parents: Sequence[Sequence[int]],
                  sizes: Sequence[int]) -> list[int]:
    """Summed narSize over each node's closure (the same sums, on the reversed graph)."""
    if not children:
        return []
    cond = condense(children, parents)
    if cond is not None:
        comp_of, cch, cpar = cond
        csizes = [0] * len(cch)
        for v, k in enumerate(comp_of):
            csizes[k] += sizes[v]
        comp = closure_sizes(cch, cpar, csizes)
        return [comp[k] for k in comp_of]
    order = ancestor_clustered_order(parents, children)
    return ancestor_sums(parents, children, list(sizes), order, "closure sizes")


def ancestor_counts(children: Sequence[Sequence[int]], parents: Sequence[Sequence[int]]) -> list[int]:
    """For every node: how many nodes reach it, itself included (popcounts of the ancestor bitsets)."""
    n = len(children)
    if n == 0:
        return []
    cond = condense(children, parents)
    if cond is not None:
        comp_of, cch, cpar = cond
        sizes = [0] * len(cch)
        for k in comp_of:
            sizes[k] += 1
        comp = ancestor_sums(cch, cpar, sizes)
        return [comp[k] for k in comp_of]
    order = ancestor_clustered_order(children, parents)
    remaining = [len(cs) for cs in children]
    anc: list[int] = [0] * n
    out = [0] * n
    for q, v in enumerate(order):
        bits = 1 << q
        for p in parents[v]:
            bits |= anc[p]
            remaining[p] -= 1
            if remaining[p] == 0:
                anc[p] = 0
        out[v] = bits.bit_count()
        if children[v]:
            anc[v] = bits
    return out


def ancestor_sums(children: Sequence[Sequence[int]], parents: Sequence[Sequence[int]], weight: Sequence[int],
                  order: list[int] | None = None, label: str = "popularity") -> list[int]:
    """For every node s: the sum of ``weight[v]`` over the nodes v that reach s (s included)."""
    n = len(children)
    if n == 0:
        return []
    if order is None:
        cond = condense(children, parents)
        if cond is not None:
            comp_of, cch, cpar = cond
            cw = [0] * len(cch)
            for v, k in enumerate(comp_of):
                cw[k] += weight[v]
            comp = ancestor_sums(cch, cpar, cw, None, label)
            return [comp[k] for k in comp_of]
        order = ancestor_clustered_order(children, parents)
    counts = weight
    pos = [0] * n
    for q, v in enumerate(order):
        pos[v] = q

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
                # Sum only what the latest referrer's ancestor set does not already cover.
                best = max(ps, key=pos.__getitem__)
                rest = bits ^ anc[best]  # type: ignore[operator]
                score[v] = score[best] + own
                if rest:
                    score[v] += _weighted(rest, rest.bit_length() - 1, tables, prefix)
            if children[v]:
                anc[v] = bits | 1 << q
            for p in ps:
                remaining[p] -= 1
                if remaining[p] == 0:
                    anc[p] = None
    return score


def _weighted(bits: int, top: int, tables: list[list[int]], prefix: list[int]) -> int:
    """Sum of the weights of the set bits of ``bits`` (all at positions <= ``top``).

    Thanks to the ancestor-clustered order, a bitset is mostly runs of all-zero and all-one
    bytes: the regular expression skips zero bytes in C, a run of full bytes costs one
    prefix-sum difference and a partly filled byte one table look-up.
    """
    data = bits.to_bytes(top // 8 + 1, "little")
    nb = len(data)
    zeros, fulls = data.count(0), data.count(255)
    if (nb - zeros - fulls) * 16 > nb:
        # Fragmented set (little structure): walk every byte in C instead of matching pieces.
        if zeros >= fulls:
            return sum(map(list.__getitem__, compress(tables, data), filter(None, data)))
        inv = data.translate(_INVERT)
        return prefix[nb] - sum(map(list.__getitem__, compress(tables, inv), filter(None, inv)))
    total = 0
    for m in _PIECES.finditer(data):
        start, end = m.span()
        if end - start == 1 and data[start] != 255:
            total += tables[start][data[start]]
        else:
            total += prefix[end] - prefix[start]
    return total


def rank(paths: Sequence[str], scores: Sequence[int]) -> list[int]:
    """Node indices, most popular first, ties by :func:`package_name_key`."""
    return sorted(range(len(paths)), key=lambda i: (-scores[i], package_name_key(paths[i])))


def popularity_ranking(paths: Sequence[str], children: Sequence[Sequence[int]],
                       parents: Sequence[Sequence[int]]) -> list[str]:
    """The full references-by-popularity order of the given graph."""
    scores = popularity_scores(children, parents)
    return [paths[i] for i in rank(paths, scores)]
