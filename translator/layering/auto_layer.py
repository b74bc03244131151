"""nixpkgs' auto-layer (the default of ``streamLayeredImage``): largest paths become layer roots.

Paths are taken by ``narSize``, largest first (between equal sizes the one later in the input
goes first), as "primary" paths. Every path carries a layer id, the set of primaries it belongs
to: a primary's id is itself; any other path's id is the set of primaries that depend on it with
no other primary in between. Adding primary P gives P the id {P} and, for each strict dependency
D of P, drops from id(D) the primaries that depend on P and adds P unless a primary in id(D) is
itself a dependency of P. When the number of distinct ids would exceed the layer limit, that
last step is undone and the algorithm stops. Each distinct id is a layer.

Inside a layer, paths are sorted by (name, hash). Layers are sorted by the closure size of the
whole layer (the summed narSize of the closure of its paths), smallest first. nixpkgs leaves the
order of layers with equal closure size to Python set iteration (it varies with the hash seed);
we break those ties by the layer's sorted (name, hash) keys, compared as a list: deterministic.

This implementation keeps the state incrementally (a count of paths per id, updated only for P's
dependencies; a bit map of each primary's dependencies for the "depends on P" test) so one step
costs O(size of P's closure) instead of O(graph).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from .graph import ClosureGraph
from .progress import Progress

_EMPTY: frozenset[int] = frozenset()


def path_key(path: str) -> tuple[str, str]:
    """nixpkgs' in-layer order: (name, hash part), splitting at the first ``-``."""
    head, _, name = path.partition("-")
    return name, head


class _Bitmap:
    """A packed bit set over node indices (O(1) membership test)."""

    __slots__ = ("data",)

    def __init__(self, n: int, members: Iterable[int]) -> None:
        data = bytearray((n + 7) // 8)
        for i in members:
            data[i >> 3] |= 1 << (i & 7)
        self.data = data

    def __contains__(self, i: int) -> bool:
        return bool(self.data[i >> 3] >> (i & 7) & 1)


def layer_ids(g: ClosureGraph, layer_limit: int) -> tuple[list[frozenset[int]], list[int]]:
    """Run the auto-layer steps; returns each node's final id and the primaries in order."""
    n = len(g)
    if n == 0:
        return [], []
    by_size = sorted(range(n), key=lambda i: g.sizes[i])
    ids: list[frozenset[int]] = [_EMPTY] * n
    counter: Counter[frozenset[int]] = Counter({_EMPTY: n})
    distinct = 1
    deps_of: dict[int, _Bitmap] = {}
    primaries: list[int] = []
    children = g.children
    with Progress("auto-layer", n) as progress:
        for step, p in enumerate(reversed(by_size)):
            if step & 63 == 0:
                progress.step(step)
            # strict dependencies of p
            seen = {p}
            stack = list(children[p])
            deps: list[int] = []
            while stack:
                v = stack.pop()
                if v in seen:
                    continue
                seen.add(v)
                deps.append(v)
                stack.extend(children[v])
            deps_set = seen
            deps_set.discard(p)
            me = frozenset((p,))
            memo: dict[frozenset[int], frozenset[int]] = {}
            changes: list[tuple[int, frozenset[int], frozenset[int]]] = []
            if ids[p] != me:
                changes.append((p, ids[p], me))
            for d in deps:
                old = ids[d]
                new = memo.get(old)
                if new is None:
                    kept = frozenset(q for q in old if p not in deps_of[q]) if old else _EMPTY
                    if not any(q in deps_set for q in kept):
                        kept = kept | me
                    memo[old] = new = kept
                if new != old:
                    changes.append((d, old, new))
            # apply to the counter, check the limit, undo if exceeded
            for _, old, new in changes:
                c = counter[old] - 1
                if c:
                    counter[old] = c
                else:
                    del counter[old]
                    distinct -= 1
                if new in counter:
                    counter[new] += 1
                else:
                    counter[new] = 1
                    distinct += 1
            if distinct > layer_limit:
                break
            for v, _, new in changes:
                ids[v] = new
            deps_of[p] = _Bitmap(n, deps)
            primaries.append(p)
    return ids, primaries


def layer_closure_size(g: ClosureGraph, members: list[int], mark: list[int], stamp: int) -> int:
    """Summed narSize of the closure of ``members`` (``mark``/``stamp``: reusable visited marks)."""
    total = 0
    stack = list(members)
    children, sizes = g.children, g.sizes
    while stack:
        v = stack.pop()
        if mark[v] == stamp:
            continue
        mark[v] = stamp
        total += sizes[v]
        stack.extend(children[v])
    return total


def auto_layers(g: ClosureGraph, layer_limit: int = 100, ignore_paths: Iterable[str] = ()) -> list[list[str]]:
    """The layers auto-layer produces (bottom first), each a list of store paths."""
    ids, _ = layer_ids(g, layer_limit)
    groups: dict[frozenset[int], list[int]] = {}
    for v, lid in enumerate(ids):
        groups.setdefault(lid, []).append(v)
    mark = [-1] * len(g)
    layers = []
    total = 0
    for stamp, members in enumerate(groups.values()):
        paths = sorted((g.paths[v] for v in members), key=path_key)
        size = sum(g.sizes[v] for v in members)
        total += size
        layers.append((layer_closure_size(g, members, mark, stamp), [path_key(p) for p in paths], paths))
    assert total == g.total_size, (total, g.total_size)
    layers.sort(key=lambda t: (t[0], t[1]))
    ignore = set(ignore_paths)
    out = []
    for _, _, paths in layers:
        kept = [p for p in paths if p not in ignore]
        if kept:
            out.append(kept)
    return out


def layer_closure_sizes(g: ClosureGraph, layers: list[list[str]]) -> list[int]:
    """The closure size of each layer (the key auto-layer sorts by)."""
    mark = [-1] * len(g)
    return [layer_closure_size(g, [g.index[p] for p in layer], mark, i) for i, layer in enumerate(layers)]
