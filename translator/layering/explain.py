"""Why a store path is in its layer, in words (and as data for ``--json``)."""

from __future__ import annotations

from typing import Any

from ..errors import UserError
from ..storeinfo import LayerPlan
from .auto_layer import layer_ids, path_key
from .graph import ClosureGraph, short
from .nixery import dominator_subtrees, nixery_layers_detail
from .popularity import ancestor_clustered_order, condense, path_counts, popularity_scores, rank


def human(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def find_path(g: ClosureGraph, path: str) -> int:
    """Accept a full store path, a base name or a unique name."""
    if path in g.index:
        return g.index[path]
    hits = [i for i, p in enumerate(g.paths) if p.endswith("/" + path) or short(p) == path]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise UserError(f"'{path}' is not in the closure")
    raise UserError(f"'{path}' matches {len(hits)} paths: " + ", ".join(g.paths[i] for i in hits[:5]))


def explain(g: ClosureGraph, plan: LayerPlan, path: str, max_layers: int) -> dict[str, Any]:
    """A dict with ``path``, ``layer`` (index, bottom = 0), ``layers``, ``reason`` (text) and details."""
    v = find_path(g, path)
    p = g.paths[v]
    layer = next(i for i, lay in enumerate(plan.layers) if p in lay)
    info: dict[str, Any] = {"path": p, "strategy": plan.strategy, "layer": layer, "layers": len(plan.layers),
                            "layer_paths": len(plan.layers[layer]), "narSize": g.sizes[v]}
    s = plan.strategy
    if s == "popularity" or s == "per-path":
        scores = popularity_scores(g.children, g.parents)
        order = rank(g.paths, scores)
        r = order.index(v)
        cyclic = condense(g.children, g.parents) is not None
        counts = None if cyclic else path_counts(g.children, g.parents, ancestor_clustered_order(g.children, g.parents))
        info.update(score=str(scores[v]), rank=r, paths_from_roots=None if counts is None else str(counts[v]),
                    used_by=len(g.ancestors_of([v])) - 1)
        text = (f"{short(p)} has popularity {scores[v]}: the number of walks from the closure's roots through the "
                f"{info['used_by']} path(s) that depend on it (itself included"
                + (f", {counts[v]} walk(s) end at it). " if counts is not None else "). ")
                + f"That ranks it #{r + 1} of {len(g)}")
        if s == "popularity":
            if r < max_layers - 1:
                text += f"; the {max_layers - 1} most popular paths get a layer each, so it has layer {layer}."
            else:
                text += (f"; only the {max_layers - 1} most popular paths get a layer of their own, so it shares "
                         f"the last layer ({layer}) with {len(plan.layers[layer]) - 1} other path(s).")
        else:
            text += f"; per-path puts the most popular at the bottom, so it is layer {layer}."
    elif s == "auto":
        ids, primaries = layer_ids(g, max_layers)
        lid = ids[v]
        prim_rank = {q: i for i, q in enumerate(primaries)}
        info.update(primary=v in prim_rank, root_set=sorted((g.paths[q] for q in lid), key=path_key),
                    primaries=len(primaries))
        if v in prim_rank:
            text = (f"{short(p)} ({human(g.sizes[v])}) is one of the {len(primaries)} largest paths taken as layer roots "
                    f"(#{prim_rank[v] + 1} by narSize), so it heads layer {layer} with the dependencies only it uses.")
        elif lid:
            names = ", ".join(short(g.paths[q]) for q in sorted(lid, key=lambda q: path_key(g.paths[q])))
            text = (f"{short(p)} is needed by the layer root(s) {{{names}}} with no other root in between; every path "
                    f"with exactly that root set shares layer {layer} ({len(plan.layers[layer])} path(s)).")
        else:
            text = (f"no layer root depends on {short(p)}, so it is in layer {layer} with the other "
                    f"{len(plan.layers[layer]) - 1} path(s) no root reaches (more roots would exceed "
                    f"{max_layers} layers).")
        text += " Layers are ordered by the size of their closure."
    elif s == "nixery":
        idom, popularity, heavy = dominator_subtrees(g)
        d = idom[v]
        chain = []
        u = v
        while idom[u] != -1:
            u = idom[u]
            chain.append(u)
        top = chain[-1] if chain else v
        detail = nixery_layers_detail(g, max_layers)
        merged = detail[layer].root == -1
        info.update(dominator=None if d == -1 else g.paths[d], subtree_root=g.paths[top],
                    popularity=popularity[v], heavy=heavy[v], merged=merged)
        if d == -1:
            why = ("it is a top-level path" if not g.parents[v] else
                   "it is heavy (its closure is over 100 MB)" if heavy[v] else
                   f"it is popular ({popularity[v]} users)" if popularity[v] >= 100 else
                   "several top-level paths reach it by different routes")
            text = f"{short(p)} hangs off the synthetic root ({why}), so it heads its own dominator subtree"
        else:
            text = (f"every route from the top to {short(p)} goes through {short(g.paths[d])}, which dominates it; "
                    f"its subtree belongs to {short(g.paths[top])}")
        text += (f"; the low-rated subtrees (popularity x size) were merged into the top layer {layer} to fit "
                 f"{max_layers} layers." if merged else f"; that subtree is layer {layer}.")
    else:
        text = f"{short(p)} is in layer {layer} of {len(plan.layers)} ({s})."
    info["reason"] = text
    return info
