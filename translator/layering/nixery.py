"""Nixery's layering: dominator subtrees of a synthetic root, merged by popularity x size.

Nixery (nixery.dev) builds a graph with a synthetic root above the top-level paths and also
hangs off the root every path that is "heavy" (closure > 100 MB) or "popular" (used by >= 100
packages), so that those land in layers of their own. In the dominator tree of that graph each
child of the root with its whole subtree (every path only reachable through it) is one layer.
While there are more layers than the budget, the lowest-rated layers (rating = popularity of the
subtree's root x the layer's size) are merged into one.

Without Nixery's popularity data (how many nixpkgs packages use a path), a path's popularity here
is the number of closure paths that depend on it, itself included. Layers are ordered by rating,
highest at the bottom (ties: the subtree root's (name, hash)); the merged layer goes on top.
Paths inside a layer are sorted by (name, hash).
"""

from __future__ import annotations

from dataclasses import dataclass

from .auto_layer import path_key
from .graph import ClosureGraph
from .popularity import ancestor_counts, condense

HEAVY_BYTES = 100 * 1000 * 1000
POPULAR_USERS = 100


@dataclass(frozen=True, slots=True)
class NixeryLayer:
    root: int  # the dominator-subtree root (-1 for the merged layer)
    members: tuple[int, ...]
    size: int
    rating: int


def heavy_paths(g: ClosureGraph, threshold: int = HEAVY_BYTES) -> list[bool]:
    """Whether each path's closure is larger than ``threshold`` bytes.

    References first: a path with a heavy reference is heavy; otherwise its closure is the union
    of its references' (light, hence small) closures, kept as sets only while they stay light.
    """
    n = len(g)
    cond = condense(g.children, g.parents)
    if cond is None:
        comp_of = list(range(n))
        cch = [tuple(c) for c in g.children]
        csz = list(g.sizes)
    else:
        comp_of, cch, _ = cond
        csz = [0] * len(cch)
        for v, k in enumerate(comp_of):
            csz[k] += g.sizes[v]
    m = len(cch)
    # post-order over components: references before referrers
    done = [False] * m
    heavy = [False] * m
    sets: list[frozenset[int] | None] = [None] * m
    for start in range(m):
        if done[start]:
            continue
        stack = [(start, False)]
        while stack:
            k, expanded = stack.pop()
            if done[k]:
                continue
            if not expanded:
                stack.append((k, True))
                stack.extend((c, False) for c in cch[k] if not done[c])
                continue
            done[k] = True
            if any(heavy[c] for c in cch[k]):
                heavy[k] = True
                continue
            members = {k}
            for c in cch[k]:
                members |= sets[c]  # type: ignore[arg-type]
            if sum(csz[x] for x in members) > threshold:
                heavy[k] = True
            else:
                sets[k] = frozenset(members)
    return [heavy[comp_of[v]] for v in range(n)]


def dominator_subtrees(g: ClosureGraph) -> tuple[dict[int, int], list[int], list[bool]]:
    """(immediate dominator of each node, popularity of each node, whether its closure is heavy)."""
    import networkx as nx  # imported when used: it costs a tenth of a second at start-up

    n = len(g)
    popularity = ancestor_counts(g.children, g.parents)
    heavy = heavy_paths(g)
    root = -1
    dg = nx.DiGraph()
    dg.add_node(root)
    dg.add_nodes_from(range(n))
    for i, cs in enumerate(g.children):
        for c in cs:
            dg.add_edge(i, c)
    hung = [i for i in range(n) if not g.parents[i] or heavy[i] or popularity[i] >= POPULAR_USERS]
    for i in hung:
        dg.add_edge(root, i)
    # a cycle at the top has no parentless path: hang its first path off the root too
    reached = g.closure_of(hung)
    for i in range(n):
        if i not in reached:
            dg.add_edge(root, i)
            reached |= g.closure_of([i])
    idom = nx.immediate_dominators(dg, root)
    return idom, popularity, heavy


def nixery_layers_detail(g: ClosureGraph, budget: int) -> list[NixeryLayer]:
    """The layers with their dominator roots and ratings (bottom first)."""
    n = len(g)
    if n == 0:
        return []
    idom, popularity, _ = dominator_subtrees(g)
    top: dict[int, int] = {}  # node -> child of the synthetic root that dominates it

    def top_of(v: int) -> int:
        path = []
        while v not in top:
            d = idom[v]
            if d == -1:
                top[v] = v
                break
            path.append(v)
            v = d
        t = top[v]
        for u in path:
            top[u] = t
        return t

    groups: dict[int, list[int]] = {}
    for v in range(n):
        groups.setdefault(top_of(v), []).append(v)
    layers = []
    for r, members in groups.items():
        size = sum(g.sizes[v] for v in members)
        members.sort(key=lambda v: path_key(g.paths[v]))
        layers.append(NixeryLayer(r, tuple(members), size, popularity[r] * size))
    layers.sort(key=lambda lay: (-lay.rating, path_key(g.paths[lay.root])))
    if len(layers) > budget:
        keep, merge = layers[: budget - 1], layers[budget - 1:]
        members = tuple(sorted((v for lay in merge for v in lay.members), key=lambda v: path_key(g.paths[v])))
        layers = keep + [NixeryLayer(-1, members, sum(lay.size for lay in merge), sum(lay.rating for lay in merge))]
    return layers


def nixery_layers(g: ClosureGraph, budget: int) -> list[list[str]]:
    """Nixery-style layers (bottom first) of store paths."""
    return [[g.paths[v] for v in lay.members] for lay in nixery_layers_detail(g, budget)]
