"""nixpkgs' ``layeringPipeline`` language (flatten_references_graph), step for step.

A pipeline is a list of steps, each ``[name, *args]``, applied in turn to a value that starts as
the whole closure graph and becomes lists and dicts of sub-graphs. The result is flattened into
layers (bottom first); empty layers are dropped at the very end.

The graph's vertices are the closure paths sorted by ``narSize``, smallest first (a stable sort:
the input order breaks ties); every sub-graph keeps that vertex order. A sub-graph carries its
own edges: ``split_paths`` removes the edges into the split paths before cutting, and merging
graphs (``limit_layers``) keeps only each part's edges, as igraph's disjoint union does; later
steps (``popularity_contest``) see exactly those edges.

Steps: ``popularity_contest``, ``limit_layers N``, ``split_every N``, ``reverse``, ``flatten``,
``remove_paths PATHS``, ``subcomponent_out PATHS``, ``subcomponent_in PATHS``,
``split_paths SPECS`` (a spec is a path or ``{"children_of": PATH | [PATH]}``),
``over KEY STEP``, ``map STEP``, ``pipe PIPELINE``.
Given as JSON text or as the plain data of the Nix value (derivations as their ``outPath``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from ..errors import UserError
from .graph import ClosureGraph
from .popularity import popularity_scores, rank


@dataclass(frozen=True, slots=True)
class SubGraph:
    """A pipeline graph: vertices (node indices of the base graph, in vertex order) and own edges."""

    vertices: tuple[int, ...]
    edges: dict[int, tuple[int, ...]]  # vertex -> referenced vertices (inside this graph)

    def induced(self, keep: set[int]) -> "SubGraph":
        verts = tuple(v for v in self.vertices if v in keep)
        return SubGraph(verts, {v: tuple(c for c in self.edges.get(v, ()) if c in keep) for v in verts})

    def parents(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {v: [] for v in self.vertices}
        for v in self.vertices:
            for c in self.edges.get(v, ()):
                out[c].append(v)
        return out

    def reach(self, starts: list[int], edges: dict[int, tuple[int, ...]] | dict[int, list[int]]) -> set[int]:
        seen: set[int] = set()
        stack = list(starts)
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            stack.extend(edges.get(v, ()))
        return seen


def _merge(graphs: list[SubGraph]) -> SubGraph:
    verts: list[int] = []
    edges: dict[int, tuple[int, ...]] = {}
    for g in graphs:
        verts.extend(g.vertices)
        for v, cs in g.edges.items():
            edges[v] = edges.get(v, ()) + cs
    return SubGraph(tuple(verts), edges)


class PipelineError(UserError):
    pass


class _Ctx:
    def __init__(self, base: ClosureGraph) -> None:
        self.base = base

    def find(self, g: SubGraph, path: Any, where: str) -> int | None:
        path = _as_path(path, where)
        i = self.base.index.get(path)
        if i is None or i not in g.edges:
            return None
        return i


def _as_path(value: Any, where: str) -> str:
    if isinstance(value, dict) and isinstance(value.get("outPath"), str):
        return value["outPath"]
    if isinstance(value, str):
        return value
    raise PipelineError(f"layeringPipeline {where}: expected a store path, got {json.dumps(value)[:80]}")


def _as_paths(value: Any, where: str) -> list[Any]:
    if isinstance(value, (str, dict)):
        return [value]
    if isinstance(value, list):
        return value
    raise PipelineError(f"layeringPipeline {where}: expected a list of store paths, got {json.dumps(value)[:80]}")


def _need_graph(x: Any, name: str, where: str) -> SubGraph:
    if not isinstance(x, SubGraph):
        raise PipelineError(f"layeringPipeline {where}: '{name}' needs a graph, but the previous steps produced "
                            f"a {_kind(x)} (use 'map' or 'over' to reach the graphs inside)")
    return x


def _kind(x: Any) -> str:
    if isinstance(x, SubGraph):
        return "graph"
    if isinstance(x, dict):
        return f"split result with keys {', '.join(x)}"
    return "list of layers"


def _need_list(x: Any, name: str, where: str) -> list[Any]:
    if isinstance(x, SubGraph):
        raise PipelineError(f"layeringPipeline {where}: '{name}' needs a list of graphs, but got a graph")
    if isinstance(x, dict):
        raise PipelineError(f"layeringPipeline {where}: '{name}' needs a list of graphs, but got a {_kind(x)} "
                            "(add 'flatten' first)")
    return list(x)


def _int_arg(args: list[Any], name: str, where: str, minimum: int) -> int:
    if len(args) != 1 or isinstance(args[0], bool) or not isinstance(args[0], int) or args[0] < minimum:
        raise PipelineError(f"layeringPipeline {where}: '{name}' takes one integer >= {minimum}, got {json.dumps(args)}")
    return args[0]


Step = Callable[[Any], Any]


def compile_step(ctx: _Ctx, step: Any, where: str) -> Step:
    """Turn ``[name, *args]`` into a function of the current value."""
    if not isinstance(step, list) or not step or not isinstance(step[0], str):
        raise PipelineError(f"layeringPipeline {where}: a step must be a list starting with its name, got "
                            f"{json.dumps(step)[:80]}")
    name, args = step[0], step[1:]

    def nargs(k: int) -> None:
        if len(args) != k:
            raise PipelineError(f"layeringPipeline {where}: '{name}' takes {k} argument(s), got {len(args)}")

    if name == "popularity_contest":
        nargs(0)
        return lambda x: _popularity_contest(ctx, _need_graph(x, name, where))
    if name == "limit_layers":
        n = _int_arg(args, name, where, 1)
        return lambda x: _limit_layers(n, _need_list(x, name, where))
    if name == "split_every":
        n = _int_arg(args, name, where, 1)
        return lambda x: _split_every(n, _need_graph(x, name, where))
    if name == "reverse":
        nargs(0)
        return lambda x: list(reversed(_need_list(x, name, where)))
    if name == "flatten":
        nargs(0)
        return lambda x: list(_flatten(x))
    if name == "remove_paths":
        nargs(1)
        paths = _as_paths(args[0], where)
        return lambda x: _remove_paths(ctx, paths, _need_graph(x, name, where), where)
    if name in ("subcomponent_out", "subcomponent_in"):
        nargs(1)
        paths = _as_paths(args[0], where)
        out = name == "subcomponent_out"
        return lambda x: _subcomponent(ctx, paths, _need_graph(x, name, where), out, where)
    if name == "split_paths":
        nargs(1)
        specs = _as_paths(args[0], where)
        return lambda x: _split_paths(ctx, specs, _need_graph(x, name, where), where)
    if name == "over":
        nargs(2)
        key = args[0]
        if not isinstance(key, str):
            raise PipelineError(f"layeringPipeline {where}: 'over' needs a key name (main, common or rest)")
        inner = compile_step(ctx, args[1], f"{where} > over {key}")
        return lambda x: _over(key, inner, x, where)
    if name == "map":
        nargs(1)
        inner = compile_step(ctx, args[0], f"{where} > map")
        return lambda x: [inner(item) for item in _need_list(x, name, where)]
    if name == "pipe":
        nargs(1)
        inner_steps = compile_pipeline(ctx, args[0], f"{where} > pipe")
        return lambda x: _run(inner_steps, x)
    raise PipelineError(f"layeringPipeline {where}: unknown step '{name}' (known: popularity_contest, "
                        "limit_layers, split_every, split_paths, subcomponent_in, subcomponent_out, over, map, "
                        "flatten, remove_paths, reverse, pipe)")


def compile_pipeline(ctx: _Ctx, pipeline: Any, where: str = "") -> list[Step]:
    if not isinstance(pipeline, list):
        raise PipelineError(f"layeringPipeline{' ' + where if where else ''}: must be a list of steps, got "
                            f"{json.dumps(pipeline)[:80]}")
    prefix = f"{where} > " if where else ""
    return [compile_step(ctx, s, f"{prefix}step {i + 1}") for i, s in enumerate(pipeline)]


def _run(steps: list[Step], value: Any) -> Any:
    for f in steps:
        value = f(value)
    return value


def _popularity_contest(ctx: _Ctx, g: SubGraph) -> list[SubGraph]:
    local = {v: i for i, v in enumerate(g.vertices)}
    children = [tuple(dict.fromkeys(local[c] for c in g.edges.get(v, ()) if c != v)) for v in g.vertices]
    parents: list[list[int]] = [[] for _ in g.vertices]
    for i, cs in enumerate(children):
        for c in cs:
            parents[c].append(i)
    scores = popularity_scores(children, parents, label="popularity_contest")
    paths = [ctx.base.paths[v] for v in g.vertices]
    return [SubGraph((g.vertices[i],), {g.vertices[i]: ()}) for i in rank(paths, scores)]


def _limit_layers(n: int, graphs: list[Any]) -> list[Any]:
    head, rest = graphs[: n - 1], graphs[n - 1:]
    if not rest:
        return head
    for r in rest:
        if not isinstance(r, SubGraph):
            raise PipelineError("layeringPipeline: 'limit_layers' can only merge graphs (add 'flatten' first)")
    return head + [_merge(rest)]


def _split_every(n: int, g: SubGraph) -> list[SubGraph]:
    return [g.induced(set(g.vertices[i:i + n])) for i in range(0, len(g.vertices), n)]


def _flatten(x: Any) -> Iterator[SubGraph]:
    if isinstance(x, SubGraph):
        yield x
        return
    items = x.values() if isinstance(x, dict) else x
    for item in items:
        if isinstance(item, SubGraph):
            yield item
        else:
            yield from _flatten(item)


def _remove_paths(ctx: _Ctx, paths: list[Any], g: SubGraph, where: str) -> SubGraph:
    drop = {i for i in (ctx.find(g, p, where) for p in paths) if i is not None}
    return g.induced(set(g.vertices) - drop) if drop else g


def _subcomponent(ctx: _Ctx, paths: list[Any], g: SubGraph, out: bool, where: str) -> dict[str, SubGraph]:
    starts = [i for i in (ctx.find(g, p, where) for p in paths) if i is not None]
    edges: Any = g.edges if out else g.parents()
    main = g.reach(starts, edges)
    return {"main": g.induced(main), "rest": g.induced(set(g.vertices) - main)}


def _split_paths(ctx: _Ctx, specs: list[Any], g: SubGraph, where: str) -> dict[str, SubGraph]:
    split: list[int] = []
    for spec in specs:
        if isinstance(spec, dict) and "outPath" not in spec:
            if set(spec) != {"children_of"}:
                raise PipelineError(f"layeringPipeline {where}: a split_paths spec object must be "
                                    f'{{"children_of": PATH}}, got {json.dumps(spec)[:80]}')
            for parent in _as_paths(spec["children_of"], where):
                i = ctx.find(g, parent, where)
                if i is not None:
                    split.extend(g.edges.get(i, ()))
        else:
            i = ctx.find(g, spec, where)
            if i is not None:
                split.append(i)
    if not split:
        return {"rest": g}
    parents = g.parents()
    roots = [v for v in g.vertices if not parents[v]]
    split_set = set(split)
    if len(roots) == 1 and roots[0] in split_set:
        return {"main": g}
    s_closure = g.reach(split, g.edges)
    cut = {v: tuple(c for c in cs if c not in split_set) for v, cs in g.edges.items()}
    starts = [r for r in roots if r not in split_set] if len(roots) != 1 else roots
    reachable = g.reach(starts, cut)
    common = s_closure & reachable
    # Paths no root reaches (only possible inside a cycle at the top) go to rest; the reference
    # would drop them from the image.
    unreached = set(g.vertices) - s_closure - reachable
    parts = {"main": s_closure - common, "common": common, "rest": (reachable - common) | unreached}
    cut_graph = SubGraph(g.vertices, cut)
    return {k: cut_graph.induced(v) for k, v in parts.items() if v}


def _over(key: str, inner: Step, x: Any, where: str) -> dict[str, Any]:
    if not isinstance(x, dict):
        raise PipelineError(f"layeringPipeline {where}: 'over {key}' needs a split result (from split_paths or "
                            f"subcomponent_in/out), got a {_kind(x)}")
    if key not in x:
        raise PipelineError(f"layeringPipeline {where}: 'over {key}': the split result has no '{key}' part for this "
                            f"closure (it has: {', '.join(x) or 'nothing'}); nixpkgs fails here too")
    out = dict(x)
    out[key] = inner(x[key])
    return out


def parse_pipeline(text_or_data: Any, source: str = "--pipeline") -> Any:
    """Accept JSON text or already-parsed data; returns the plain data."""
    if isinstance(text_or_data, str):
        try:
            return json.loads(text_or_data)
        except json.JSONDecodeError as err:
            from ..errors import Pos
            raise UserError(f"{source}: invalid JSON: {err.msg}", Pos(source, err.lineno, err.colno)) from None
    return text_or_data


def run_pipeline(g: ClosureGraph, pipeline: Any) -> list[list[str]]:
    """Apply a layeringPipeline to the closure; returns layers (bottom first) of store paths."""
    pipeline = parse_pipeline(pipeline)
    ctx = _Ctx(g)
    steps = compile_pipeline(ctx, pipeline)
    order = sorted(range(len(g)), key=lambda i: g.sizes[i])
    start = SubGraph(tuple(order), {i: g.children[i] for i in order})
    result = _run(steps, start)
    layers = [[g.paths[v] for v in sub.vertices] for sub in _flatten(result)]
    return [layer for layer in layers if layer]
