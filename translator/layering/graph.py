"""The closure graph: store paths (nodes, with ``narSize``) and their references (edges).

Two views of the same data:

* :func:`closure_digraph` builds a networkx ``DiGraph`` (node attribute ``narSize``, an edge
  ``a -> b`` when a references b, self-references ignored, nodes in input order) for the
  algorithms networkx does well (dominators) and for drawing;
* :class:`ClosureGraph` is a compact indexed form (lists of ints) that the hot layering
  algorithms use: node ``i`` is ``paths[i]``, ``children[i]`` its references, ``parents[i]`` its
  referrers, both deduplicated and in first-seen order.

Building either checks the input: every path listed once and every reference listed; otherwise
a :class:`~translator.errors.UserError` names the paths. Cycles between paths (outputs of one
derivation may reference each other) are allowed; the algorithms that need a DAG condense them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    import networkx as nx

from ..errors import UserError
from ..storeinfo import PathInfo


def path_name(path: str) -> str:
    """The name part of a store path: everything after the first ``-`` of the base name."""
    base = path.rsplit("/", 1)[-1]
    return base.split("-", 1)[1] if "-" in base else base


def short(path: str) -> str:
    """``/nix/store/<hash>-name`` shortened to ``name`` (for tables and pictures)."""
    return path_name(path)


@dataclass(frozen=True, slots=True)
class ClosureGraph:
    """An indexed, validated closure graph. Immutable; cheap to pass around."""

    paths: tuple[str, ...]
    sizes: tuple[int, ...]
    children: tuple[tuple[int, ...], ...]
    parents: tuple[tuple[int, ...], ...]
    index: dict[str, int]

    def __len__(self) -> int:
        return len(self.paths)

    @property
    def total_size(self) -> int:
        return sum(self.sizes)

    def roots(self) -> list[int]:
        """Nodes no other node references, in node order (none inside a cycle)."""
        return [i for i, ps in enumerate(self.parents) if not ps]

    def closure_of(self, nodes: Iterable[int]) -> set[int]:
        """The nodes and everything they reference, transitively."""
        seen: set[int] = set()
        stack = list(nodes)
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            stack.extend(self.children[v])
        return seen

    def ancestors_of(self, nodes: Iterable[int]) -> set[int]:
        """The nodes and everything that references them, transitively."""
        seen: set[int] = set()
        stack = list(nodes)
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            stack.extend(self.parents[v])
        return seen


def build_graph(infos: Sequence[PathInfo], source: str = "closure") -> ClosureGraph:
    """Index and validate a list of PathInfo (duplicate paths, unknown references, cycles)."""
    index: dict[str, int] = {}
    for i, info in enumerate(infos):
        if info.path in index:
            raise UserError(f"{source}: store path '{info.path}' is listed twice")
        index[info.path] = i
    n = len(infos)
    children: list[tuple[int, ...]] = []
    parents: list[list[int]] = [[] for _ in range(n)]
    for i, info in enumerate(infos):
        seen: dict[int, None] = {}
        for ref in info.references:
            j = index.get(ref)
            if j is None:
                raise UserError(f"{source}: '{info.path}' references '{ref}', which the closure does not list")
            if j != i and j not in seen:
                seen[j] = None
                parents[j].append(i)
        children.append(tuple(seen))
    parents_t = tuple(tuple(p) for p in parents)
    return ClosureGraph(paths=tuple(p.path for p in infos), sizes=tuple(p.nar_size for p in infos),
                        children=tuple(children), parents=parents_t, index=index)


def closure_digraph(infos: Sequence[PathInfo] | ClosureGraph) -> nx.DiGraph:
    """networkx view: nodes are store paths (attr ``narSize``), edges are references."""
    import networkx as nx  # imported when used: it costs a tenth of a second at start-up

    g = infos if isinstance(infos, ClosureGraph) else build_graph(infos)
    dg = nx.DiGraph()
    for i, p in enumerate(g.paths):
        dg.add_node(p, narSize=g.sizes[i])
    for i, cs in enumerate(g.children):
        for c in cs:
            dg.add_edge(g.paths[i], g.paths[c])
    return dg


def subgraph_infos(g: ClosureGraph, nodes: Iterable[int]) -> list[PathInfo]:
    """PathInfo records for a subset of nodes (references restricted to the subset)."""
    keep = sorted(set(nodes))
    kept = set(keep)
    return [PathInfo(g.paths[i], g.sizes[i], tuple(g.paths[c] for c in g.children[i] if c in kept)) for i in keep]
