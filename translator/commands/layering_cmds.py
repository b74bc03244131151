"""``nix2image plan``, ``compare``, ``graph`` and ``explain``: layer plans and how they compare.

Every command reads either a Nix file (``FILE [-A ATTR]``, evaluated to an image spec whose
closure, ``maxLayers``, ``fromImage`` and ``layeringPipeline`` are used as nixpkgs would) or a
closure file (``--closure GRAPH``: ``nix path-info --json -r`` output, exportReferencesGraph JSON
or ``nix-store -q --graph`` DOT). With ``--closure``, ``--max-layers N`` is the number of store
layers to produce; with a Nix file it overrides the image's ``maxLayers`` and the store layers
get what nixpkgs leaves them (minus the customisation layer and the base image's layers).
The ``--json`` shapes are a contract, documented in docs/cli-json.md.
"""

from __future__ import annotations

import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..closure_io import atomic_write, detect_format, read_closure
from ..errors import UsageError, UserError
from ..layering import STRATEGIES, make_plan
from ..layering.budget import store_layer_budget
from ..layering.compare import plan_stats, sequence_cost, sharing
from ..layering.draw import render_svg, to_dot
from ..layering.explain import explain as explain_path
from ..layering.graph import ClosureGraph, build_graph, short
from ..layering.pipeline import parse_pipeline
from ..layering.simple import read_layers_file
from ..storeinfo import LayerPlan
from .spec_options import OPTION_NAMES, spec_options

STRATEGY_CHOICE = click.Choice(list(STRATEGIES))


@dataclass
class Input:
    """A closure to lay out, with what the image says about layering."""

    name: str
    graph: ClosureGraph
    default_strategy: str
    store_layers: int  # the budget for store layers
    base_layers: int
    pipeline: Any = None
    warnings: tuple[str, ...] = ()


def _warn(msg: str) -> None:
    click.echo(msg if msg.startswith("warning:") else f"warning: {msg}", err=True)


def _is_closure_file(path: str) -> bool:
    p = Path(path)
    if p.suffix == ".nix" or p.is_dir() or not p.exists():
        return False
    if p.suffix in (".json", ".dot", ".gv"):
        return True
    try:
        head = p.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    fmt = detect_format(head)
    if fmt == "dot":
        return True
    if fmt == "json":
        try:
            json.loads(p.read_text(encoding="utf-8"))
            return True
        except (json.JSONDecodeError, UnicodeDecodeError):
            return False
    return False


def _base_layer_count(spec: Any) -> int:
    """How many layers ``fromImage`` brings (manifest.json of an archive, or the base spec's plan)."""
    ref = getattr(spec, "from_image", None)
    if ref is None:
        return 0
    if ref.kind == "spec" and ref.spec is not None:
        base = ref.spec
        if base.builder in ("buildImage", "buildImageWithNixDb"):
            return 1 + _base_layer_count(base)
        try:
            inp = spec_input(base, None)
            plan = plan_input(inp, None, None, None, None)
            return len(plan.layers) + 1 + inp.base_layers
        except UserError:
            return 1
    if ref.path and os.path.isfile(ref.path):
        try:
            with tarfile.open(ref.path) as tar:
                member = tar.extractfile("manifest.json")
                if member is not None:
                    manifest = json.load(member)
                    return len(manifest[0].get("Layers", []))
        except (OSError, tarfile.TarError, KeyError, ValueError, IndexError):
            pass
    if ref.path and os.path.isdir(ref.path):
        index = Path(ref.path, "index.json")
        try:
            idx = json.loads(index.read_text())
            digest = idx["manifests"][0]["digest"].split(":", 1)
            manifest = json.loads(Path(ref.path, "blobs", digest[0], digest[1]).read_text())
            return len(manifest.get("layers", []))
        except (OSError, KeyError, ValueError, IndexError):
            pass
    return 0


def _catalog_sizes(closure: str, opts: dict[str, Any]) -> dict[str, int] | None:
    """For DOT closures (no sizes): narSize of the paths the catalogs know (--catalog, the default)."""
    try:
        head = Path(closure).read_text(encoding="utf-8", errors="replace")[:200]
    except OSError:
        return None
    if detect_format(head) != "dot":
        return None
    from ..universe.catalog import load_catalog, load_default

    sizes = {p: info.nar_size for p, info in load_default().paths.items()}
    for cat in opts.get("catalog") or ():
        sizes.update({p: info.nar_size for p, info in load_catalog(cat).paths.items()})
    return sizes


def spec_input(spec: Any, max_layers: int | None) -> Input:
    g = build_graph(spec.closure, spec.origin or spec.name)
    base = _base_layer_count(spec)
    if spec.builder in ("buildImage", "buildImageWithNixDb"):
        default = "single"
    elif spec.layering_pipeline is not None:
        default = "pipeline"
    else:
        default = "auto"
    total = max_layers if max_layers is not None else spec.max_layers
    budget = store_layer_budget(total, base) if default != "single" else 1
    return Input(spec.origin or spec.name, g, default, budget, base, spec.layering_pipeline, tuple(spec.warnings))


def load_input(file: str | None, closure: str | None, max_layers: int | None, opts: dict[str, Any]) -> Input:
    """Read the closure from a Nix file or a closure file."""
    if closure is not None and file is not None:
        raise UsageError("give either FILE or --closure GRAPH, not both")
    if closure is not None:
        g = build_graph(read_closure(closure, sizes=_catalog_sizes(closure, opts)), closure)
        n = max_layers if max_layers is not None else 100
        if n < 1:
            raise UsageError(f"--max-layers must be at least 1, got {n}")
        return Input(closure, g, "auto", n, 0)
    if file is None:
        raise UsageError("give a Nix FILE or --closure GRAPH")
    if _is_closure_file(file):
        return load_input(None, file, max_layers, opts)
    from .spec_options import load_spec

    spec, _ = load_spec(file, **opts)
    if not spec.closure:
        raise UserError(f"{file}: the image '{spec.name}' has no store paths to lay out")
    return spec_input(spec, max_layers)


def _pipeline_value(arg: str | None) -> Any:
    if arg is None:
        return None
    s = arg.strip()
    if s.startswith("["):
        return parse_pipeline(s, "--pipeline")
    try:
        text = Path(arg).read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"--pipeline: '{arg}' is neither a JSON list nor a readable file ({err.strerror or err})") from None
    return parse_pipeline(text, arg)


def plan_input(inp: Input, strategy: str | None, pipeline_arg: str | None, layers_file: str | None,
          pipeline_value: Any = None) -> LayerPlan:
    strategy = strategy or ("layers" if layers_file else ("pipeline" if pipeline_arg else inp.default_strategy))
    pipeline = pipeline_value if pipeline_value is not None else (_pipeline_value(pipeline_arg) or inp.pipeline)
    layers = read_layers_file(layers_file) if layers_file else None
    if strategy == "layers" and layers is None:
        raise UsageError("--strategy layers needs --layers FILE")
    return make_plan(inp.graph, strategy, max_layers=inp.store_layers, pipeline=pipeline, layers=layers,
                     base_layers=inp.base_layers, source=inp.name)


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _sizes(g: ClosureGraph) -> dict[str, int]:
    return dict(zip(g.paths, g.sizes))


def _common(fn):
    fn = click.option("--strategy", type=STRATEGY_CHOICE, default=None,
                      help="Layering strategy (default: the image's own: auto, its layeringPipeline, or single "
                           "for buildImage; auto for --closure).")(fn)
    fn = click.option("--max-layers", type=int, default=None, metavar="N",
                      help="With --closure: store layers to produce (default 100). With FILE: overrides maxLayers.")(fn)
    fn = click.option("--pipeline", "pipeline_arg", default=None, metavar="JSON|FILE",
                      help="A layeringPipeline as JSON text or a JSON file (implies --strategy pipeline).")(fn)
    fn = click.option("--layers", "layers_file", default=None, metavar="FILE", type=click.Path(dir_okay=False),
                      help="Your own grouping: a JSON list of lists of store paths, bottom first.")(fn)
    return fn


@click.command("plan")
@click.argument("file", required=False)
@click.option("--closure", default=None, metavar="GRAPH", type=click.Path(dir_okay=False),
              help="Closure file: nix path-info --json -r, exportReferencesGraph JSON or nix-store -q --graph.")
@_common
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (see docs/cli-json.md).")
@spec_options
def plan_cmd(file, closure, strategy, max_layers, pipeline_arg, layers_file, as_json, **kw):
    """Show how an image's store paths are grouped into layers."""
    inp = load_input(file, closure, max_layers, {k: kw[k] for k in OPTION_NAMES})
    for w in inp.warnings:
        _warn(w)
    plan = plan_input(inp, strategy, pipeline_arg, layers_file)
    for note in plan.notes:
        _warn(note)
    sizes = _sizes(inp.graph)
    stats = plan_stats(plan, sizes)
    if as_json:
        out: dict[str, Any] = {"strategy": plan.strategy, "layers": [list(layer) for layer in plan.layers]}
        if plan.ranking is not None:
            out["ranking"] = list(plan.ranking)
        out["layer_sizes"] = stats.layer_bytes
        out["total_size"] = stats.total_bytes
        out["notes"] = list(plan.notes)
        click.echo(json.dumps(out, indent=1))
        return
    total = stats.total_bytes or 1
    click.echo(f"{plan.strategy}: {stats.layers} store layer(s), {len(inp.graph)} path(s), {_human(stats.total_bytes)}"
               f" (largest layer {_human(stats.largest_bytes)})")
    click.echo(f"{'layer':>5}  {'paths':>5}  {'size':>10}  {'share':>6}  contents")
    for i, layer in enumerate(plan.layers):
        size = stats.layer_bytes[i]
        names = ", ".join(short(p) for p in layer[:3]) + (f", … (+{len(layer) - 3})" if len(layer) > 3 else "")
        click.echo(f"{i:>5}  {len(layer):>5}  {_human(size):>10}  {100 * size / total:5.1f}%  {names}")


@click.command("compare")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--strategies", default="popularity,auto,nixery", show_default=True,
              help="Comma-separated strategies to compare.")
@click.option("--max-layers", type=int, default=None, metavar="N",
              help="Store layers for closure files (default 100); overrides maxLayers for Nix files.")
@click.option("--pipeline", "pipeline_arg", default=None, metavar="JSON|FILE", help="The pipeline for 'pipeline'.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON (see docs/cli-json.md).")
@spec_options
def compare_cmd(inputs, strategies, max_layers, pipeline_arg, as_json, **kw):
    """Bytes each strategy moves from OLD to NEW (to NEWER ...), and what the images share.

    INPUTS are Nix files or closure files, oldest first.
    """
    if len(inputs) < 2:
        raise UsageError("compare needs at least two inputs: OLD NEW [NEWER...]")
    names = [s.strip() for s in strategies.split(",") if s.strip()]
    for s in names:
        if s not in STRATEGIES or s == "layers":
            raise UsageError(f"--strategies: unknown or unsupported strategy '{s}' "
                             f"(choose from {', '.join(x for x in STRATEGIES if x != 'layers')})")
    opts = {k: kw[k] for k in OPTION_NAMES}
    loaded = [load_input(None if _is_closure_file(i) else i, i if _is_closure_file(i) else None, max_layers, opts)
              for i in inputs]
    pipeline = _pipeline_value(pipeline_arg)
    sizes = [_sizes(inp.graph) for inp in loaded]
    result: dict[str, Any] = {"inputs": list(inputs), "strategies": []}
    for s in names:
        plans = [plan_input(inp, s, None, None, pipeline) for inp in loaded]
        seq = sequence_cost(s, plans, sizes)
        share = sharing(s, plans, sizes)
        result["strategies"].append({**seq.to_json(), "layers": [len(p.layers) for p in plans],
                                     "sharing": share.to_json()})
    if as_json:
        click.echo(json.dumps(result, indent=1))
        return
    for entry in result["strategies"]:
        click.echo(f"{entry['strategy']}: first pull {_human(entry['initial_bytes'])} in {entry['layers'][0]} layer(s)")
        click.echo(f"  {'update':<40} {'moved':>10} {'changed':>9} {'reused':>7} {'total':>10}")
        for i, u in enumerate(entry["updates"]):
            label = f"{Path(inputs[i]).name} -> {Path(inputs[i + 1]).name}"
            click.echo(f"  {label[:40]:<40} {_human(u['moved_bytes']):>10} {u['changed_layers']:>4}/{u['layers']:<4} "
                       f"{100 * u['reused_fraction']:6.1f}% {_human(entry['running_totals'][i]):>10}")
        sh = entry["sharing"]
        click.echo(f"  shared between the {sh['images']} images: {_human(sh['shared_bytes'])} of "
                   f"{_human(sh['total_bytes'])} ({sh['shared_layers']} layer(s) used more than once)")
    best = min(result["strategies"], key=lambda e: (e["total_moved_bytes"], e["strategy"]))
    click.echo(f"least moved over all updates: {best['strategy']} ({_human(best['total_moved_bytes'])})")


@click.command("graph")
@click.argument("file", required=False)
@click.option("--closure", default=None, metavar="GRAPH", type=click.Path(dir_okay=False),
              help="Closure file instead of a Nix FILE.")
@_common
@click.option("-o", "--output", required=True, metavar="FILE.svg|FILE.dot",
              help="Where to write the picture: .svg (needs Graphviz dot) or .dot.")
@click.option("--max-nodes", type=int, default=400, show_default=True,
              help="Above this many paths, draw one node per layer.")
@spec_options
def graph_cmd(file, closure, strategy, max_layers, pipeline_arg, layers_file, output, max_nodes, **kw):
    """Draw the closure graph, one colour per layer, node size by narSize."""
    if not output.endswith((".svg", ".dot", ".gv")):
        raise UsageError(f"-o/--output: '{output}' must end in .svg or .dot")
    inp = load_input(file, closure, max_layers, {k: kw[k] for k in OPTION_NAMES})
    plan = plan_input(inp, strategy, pipeline_arg, layers_file)
    for note in plan.notes:
        _warn(note)
    dot = to_dot(inp.graph, plan, max_nodes=max_nodes)
    atomic_write(output, render_svg(dot) if output.endswith(".svg") else dot)
    click.echo(f"wrote {output} ({plan.strategy}: {len(plan.layers)} layers, {len(inp.graph)} paths)", err=True)


@click.command("explain")
@click.argument("args", nargs=-1, required=True, metavar="[FILE] PATH")
@click.option("--closure", default=None, metavar="GRAPH", type=click.Path(dir_okay=False),
              help="Closure file instead of a Nix FILE.")
@_common
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON (see docs/cli-json.md).")
@spec_options
def explain_cmd(args, closure, strategy, max_layers, pipeline_arg, layers_file, as_json, **kw):
    """Say in words why store path PATH is in its layer (score, dominator or layer roots)."""
    if closure is not None:
        if len(args) != 1:
            raise UsageError("with --closure, give exactly one PATH")
        file, path = None, args[0]
    else:
        if len(args) != 2:
            raise UsageError("give FILE PATH (or --closure GRAPH PATH)")
        file, path = args
    inp = load_input(file, closure, max_layers, {k: kw[k] for k in OPTION_NAMES})
    plan = plan_input(inp, strategy, pipeline_arg, layers_file)
    info = explain_path(inp.graph, plan, path, inp.store_layers)
    if as_json:
        click.echo(json.dumps(info, indent=1))
    else:
        click.echo(info["reason"])


def register(group: click.Group) -> None:
    for cmd in (plan_cmd, compare_cmd, graph_cmd, explain_cmd):
        group.add_command(cmd)
