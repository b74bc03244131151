"""Layering: how the store paths of a closure are grouped into image layers.

:func:`make_plan` is the one entry point: a closure (``list[PathInfo]`` or a built
:class:`~translator.layering.graph.ClosureGraph`) and a strategy name give a
:class:`~translator.storeinfo.LayerPlan` (layers bottom first). Every plan is checked: each
closure path in exactly one layer, and the layer sizes add up to the closure size.

Strategies: ``popularity`` (nixpkgs references-by-popularity + limit), ``auto`` (nixpkgs
auto-layer, the streamLayeredImage default), ``pipeline`` (nixpkgs layeringPipeline), ``nixery``,
``per-path``, ``single`` and ``layers`` (a grouping given by the user).
"""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import UsageError, UserError
from ..storeinfo import LayerPlan, PathInfo
from .auto_layer import auto_layers
from .budget import mount_limit_note
from .graph import ClosureGraph, build_graph
from .nixery import nixery_layers
from .pipeline import run_pipeline
from .popularity import popularity_scores, rank
from .simple import given_layers, per_path_layers, single_layer

STRATEGIES = ("popularity", "auto", "pipeline", "nixery", "per-path", "single", "layers")


def limit(items: Sequence[Any], n: int) -> list[list[Any]]:
    """nixpkgs' cut: the first n-1 items one layer each, the rest in one final layer."""
    if n < 1:
        raise UserError(f"the number of store layers must be at least 1, got {n}")
    head = [[x] for x in items[: n - 1]]
    rest = list(items[n - 1:])
    return head + ([rest] if rest else [])


def make_plan(closure: Sequence[PathInfo] | ClosureGraph, strategy: str, *, max_layers: int = 100,
              pipeline: Any = None, layers: list[list[str]] | None = None, base_layers: int = 0,
              customisation_layers: int = 1, source: str = "closure") -> LayerPlan:
    """Group the closure into store layers with ``strategy``.

    ``max_layers`` is the number of store layers to produce (the caller subtracts the
    customisation and base layers first, see :mod:`.budget`); ``pipeline`` ignores it.
    """
    g = closure if isinstance(closure, ClosureGraph) else build_graph(closure, source)
    ranking = None
    notes: list[str] = []
    if strategy not in STRATEGIES:
        raise UsageError(f"unknown strategy '{strategy}' (choose from {', '.join(STRATEGIES)})")
    if strategy != "pipeline" and strategy != "layers" and max_layers < 1:
        raise UsageError(f"--max-layers: the number of store layers must be at least 1, got {max_layers}")
    if strategy == "popularity":
        scores = popularity_scores(g.children, g.parents)
        ranking = [g.paths[i] for i in rank(g.paths, scores)]
        out = limit(ranking, max_layers)
    elif strategy == "auto":
        out = auto_layers(g, max_layers)
    elif strategy == "pipeline":
        if pipeline is None:
            raise UsageError("--strategy pipeline needs --pipeline JSON (or a layeringPipeline in the image)")
        out = run_pipeline(g, pipeline)
    elif strategy == "nixery":
        out = nixery_layers(g, max_layers)
    elif strategy == "per-path":
        out = per_path_layers(g)
    elif strategy == "single":
        out = single_layer(g)
    else:
        if layers is None:
            raise UsageError("--layers FILE is needed for a user-given grouping")
        out, notes = given_layers(g, layers)
    if strategy in ("pipeline", "per-path", "layers"):
        note = mount_limit_note(len(out), base_layers, customisation_layers)
        if note:
            notes.append(note)
    check_plan(g, out, strategy)
    return LayerPlan(strategy=strategy, layers=tuple(tuple(layer) for layer in out),
                     ranking=tuple(ranking) if ranking is not None else None, notes=tuple(notes))


def check_plan(g: ClosureGraph, layers: Sequence[Sequence[str]], strategy: str) -> None:
    """Every closure path in exactly one layer; layer sizes add up to the closure size."""
    seen: set[str] = set()
    total = 0
    for layer in layers:
        for p in layer:
            if p in seen:
                raise AssertionError(f"{strategy}: '{p}' is in two layers")
            seen.add(p)
            total += g.sizes[g.index[p]]
    if len(seen) != len(g):
        missing = next(p for p in g.paths if p not in seen)
        raise AssertionError(f"{strategy}: '{missing}' is in no layer")
    assert total == g.total_size, (strategy, total, g.total_size)
