"""Property tests over random DAGs: every strategy is a partition of the closure that conserves
size and respects the budget; popularity and auto-layer agree with direct transcriptions of their
definitions (README of the conformance data); results do not depend on PYTHONHASHSEED."""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translator.layering import make_plan
from translator.layering.auto_layer import auto_layers, path_key
from translator.layering.graph import build_graph
from translator.layering.pipeline import run_pipeline
from translator.layering.popularity import package_name_key, popularity_ranking
from translator.storeinfo import PathInfo

ALPHA = "0123456789abcdfghijklmnpqrsvwxyz"
NAMES = ["glibc-2.40", "zlib-1.3", "openssl-3.3", "python3-3.12", "app-1.0"]


@st.composite
def dags(draw, max_nodes: int = 18):
    n = draw(st.integers(1, max_nodes))
    infos = []
    for i in range(n):
        h = "".join(draw(st.sampled_from(ALPHA)) for _ in range(3)) + f"{i:029d}"
        name = draw(st.sampled_from(NAMES))  # repeated names: ties broken by hash
        refs = draw(st.sets(st.integers(0, i - 1), max_size=min(i, 4))) if i else set()
        self_ref = draw(st.booleans())
        size = draw(st.sampled_from([0, 100, 100, 1000, 5000, 123456]))
        infos.append((f"/nix/store/{h}-{name}", size, sorted(refs), self_ref))
    perm = draw(st.permutations(range(n)))
    out = []
    for k in perm:
        path, size, refs, self_ref = infos[k]
        references = [infos[r][0] for r in refs] + ([path] if self_ref else [])
        out.append(PathInfo(path, size, tuple(references)))
    return out


def naive_popularity(infos):
    refs = {i.path: [r for r in dict.fromkeys(i.references) if r != i.path] for i in infos}
    users = {r for rs in refs.values() for r in rs}
    roots = [p for p in refs if p not in users]

    @lru_cache(None)
    def closure(p):
        out = {p}
        for r in refs[p]:
            out |= closure(r)
        return frozenset(out)

    @lru_cache(None)
    def g(r, s):
        if r == s:
            return 1
        return 1 + sum(g(c, s) for c in refs[r] if s in closure(c))

    score = {s: sum(g(r, s) for r in roots if s in closure(r)) for s in refs}
    return sorted(refs, key=lambda s: (-score[s], package_name_key(s)))


def naive_auto(infos, limit):
    refs = {i.path: set(i.references) - {i.path} for i in infos}
    users = {p: {q for q in refs if p in refs[q]} for p in refs}

    def reach(p, edges):
        seen, todo = set(), [p]
        while todo:
            x = todo.pop()
            for y in edges[x]:
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
        return seen

    order = [i.path for i in sorted(infos, key=lambda i: i.nar_size)]
    ids = {p: frozenset() for p in refs}
    while order:
        p = order.pop()
        new = dict(ids)
        new[p] = frozenset({p})
        deps, ups = reach(p, refs), reach(p, users)
        for d in deps:
            new[d] = new[d] - ups
            if not new[d] & deps:
                new[d] = new[d] | {p}
        if len(set(new.values())) > limit:
            break
        ids = new
    groups = {}
    for p, lid in ids.items():
        groups.setdefault(lid, []).append(p)
    return sorted(sorted(sorted(ps, key=path_key)) for ps in groups.values())


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(dags())
def test_popularity_equals_its_definition(infos):
    g = build_graph(infos)
    assert popularity_ranking(g.paths, g.children, g.parents) == naive_popularity(infos)


@SETTINGS
@given(dags(), st.integers(1, 8))
def test_auto_layer_equals_its_definition(infos, limit):
    g = build_graph(infos)
    ours = auto_layers(g, limit)
    assert sorted(sorted(layer) for layer in ours) == naive_auto(infos, limit)
    assert all(layer == sorted(layer, key=path_key) for layer in ours)


def _partition_checks(infos, layers):
    flat = [p for layer in layers for p in layer]
    assert len(flat) == len(set(flat)), "no path twice"
    assert set(flat) == {i.path for i in infos}, "every path once"
    size = {i.path: i.nar_size for i in infos}
    assert sum(size[p] for p in flat) == sum(size.values()), "size conserved"
    assert all(layer for layer in layers), "no empty layer"


@SETTINGS
@given(dags(), st.integers(1, 6), st.sampled_from(["popularity", "auto", "nixery", "per-path", "single"]))
def test_strategies_partition_the_closure_within_budget(infos, budget, strategy):
    plan = make_plan(infos, strategy, max_layers=budget)
    _partition_checks(infos, plan.layers)
    if strategy in ("popularity", "auto", "nixery", "single"):
        assert len(plan.layers) <= budget or strategy == "single"
    if strategy == "popularity":
        assert [p for layer in plan.layers for p in layer] == list(plan.ranking)


@SETTINGS
@given(dags(), st.integers(1, 5), st.data())
def test_pipelines_partition_the_closure(infos, n, data):
    g = build_graph(infos)
    some = data.draw(st.sampled_from(g.paths))
    pipelines = [
        [["popularity_contest"], ["limit_layers", n]],
        [["split_every", n], ["reverse"]],
        [["subcomponent_out", [some]], ["over", "rest", ["popularity_contest"]], ["flatten"], ["limit_layers", n]],
        [["subcomponent_in", [some]], ["flatten"], ["map", ["split_every", n]], ["flatten"]],
        [["split_paths", [some]], ["over", "main", ["pipe", [["popularity_contest"], ["reverse"]]]], ["flatten"]],
        [["split_paths", [{"children_of": some}]], ["flatten"]],
    ]
    for pipeline in pipelines:
        _partition_checks(infos, run_pipeline(g, pipeline))
    removed = run_pipeline(g, [["remove_paths", [some]], ["split_every", 2]])
    assert some not in {p for layer in removed for p in layer}


def test_results_do_not_depend_on_the_hash_seed(cli, tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from layering_bench import generate

    graph = tmp_path / "g.json"
    graph.write_text(json.dumps(generate(400, seed=7)))
    pipe = json.dumps([["subcomponent_in", [generate(400, seed=7)[0]["path"]]], ["over", "rest",
                       ["popularity_contest"]], ["flatten"], ["limit_layers", 20]])
    for strategy in ("popularity", "auto", "nixery", "per-path", "pipeline"):
        outs = []
        for seed in ("1", "2"):
            env = dict(os.environ, PYTHONHASHSEED=seed)
            args = ["plan", "--closure", str(graph), "--strategy", strategy, "--max-layers", "12", "--json"]
            if strategy == "pipeline":
                args += ["--pipeline", pipe]
            proc = cli(*args, env=env)
            assert proc.returncode == 0, proc.stderr
            outs.append(proc.stdout)
        assert outs[0] == outs[1], strategy


@st.composite
def cyclic_graphs(draw):
    """Random DAGs plus a few back edges: outputs of one derivation may reference each other."""
    infos = draw(dags(max_nodes=12))
    paths = [i.path for i in infos]
    extra = draw(st.lists(st.tuples(st.sampled_from(paths), st.sampled_from(paths)), max_size=4))
    add: dict[str, list[str]] = {}
    for a, b in extra:
        add.setdefault(a, []).append(b)
    return [PathInfo(i.path, i.nar_size, i.references + tuple(add.get(i.path, ()))) for i in infos]


@SETTINGS
@given(cyclic_graphs(), st.integers(1, 5))
def test_cycles_never_lose_or_duplicate_paths(infos, budget):
    g = build_graph(infos)
    for strategy in ("popularity", "auto", "nixery", "per-path", "single"):
        plan = make_plan(g, strategy, max_layers=budget)
        _partition_checks(infos, plan.layers)
    some = g.paths[0]
    for pipeline in ([["popularity_contest"], ["limit_layers", budget]],
                     [["split_paths", [some]], ["over", "main", ["popularity_contest"]], ["flatten"]],
                     [["subcomponent_in", [some]], ["flatten"]]):
        _partition_checks(infos, run_pipeline(g, pipeline))
