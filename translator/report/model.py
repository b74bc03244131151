"""The report as plain data: what each section of the page shows, computed once, rendered later.

:func:`from_spec` builds a :class:`Report` from an evaluated image (spec, closure graph, layer
plan, the image as written and read back) and :func:`from_archive` from an archive made elsewhere
(only what the archive records: no call, no references, so no graph and no strategies).
Nothing here writes files or prints; sizes are bytes, text is unescaped (the renderer escapes).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from ..errors import UserError
from ..layering import make_plan
from ..layering.compare import plan_stats, sequence_cost
from ..layering.draw import palette
from ..builders import LAYERED
from ..layering.explain import explain, human
from ..layering.graph import ClosureGraph, short
from ..spec import CallArg, ImageSpec
from ..storeinfo import LayerPlan
from .archive import ArchiveFacts
from .graph_svg import GraphPicture, closure_picture

#: The strategies compared side by side (``pipeline`` is added when the image has its own).
COMPARED = ("popularity", "auto", "nixery", "per-path", "single")
GLANCE_LAYERS = 12  # layer sizes listed at a glance (the strip and the layer table show them all)


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class CallRow:
    name: str
    value: str  # Nix-like text of the evaluated value
    given: bool
    where: str | None  # "file.nix:15" for given arguments whose position is known


@dataclass(frozen=True, slots=True)
class PathRow:
    path: str
    size: int  # narSize
    kind: str  # real | synthetic | estimated


@dataclass(slots=True)
class LayerRow:
    """One layer of the image, bottom first. ``number`` is its position in the manifest (from 1);
    ``name`` is how the page calls it: store layers ``L0``, ``L1``... as the graph, ``plan`` and
    ``explain`` number them, base layers ``base 1``..., and ``customisation``."""

    number: int
    name: str
    kind: str  # base | store | customisation | root (buildImage's one layer)
    paths: list[PathRow]
    nar_bytes: int
    tar_bytes: int | None
    digest: str | None
    why: str
    colour: str
    top_dirs: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StrategyRow:
    name: str
    layers: int
    largest: int
    total: int
    chosen: bool
    layer_bytes: tuple[int, ...]
    moved: tuple[int, ...] = ()  # per update, with --compare
    note: str = ""


@dataclass(frozen=True, slots=True)
class Stage:
    title: str
    text: str
    facts: tuple[Fact, ...] = ()
    code: str | None = None  # JSON or script text, shown preformatted
    code_label: str = ""


@dataclass(slots=True)
class Report:
    title: str
    mode: str  # "nix" (a Nix file) | "archive" (an image archive)
    source: str
    glance: list[Fact]
    layers: list[LayerRow]
    call: list[CallRow] = field(default_factory=list)
    call_note: str = ""
    graph: GraphPicture | None = None
    graph_note: str = ""
    strategies: list[StrategyRow] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)  # "old.nix → new.nix" labels, with --compare
    strategy_note: str = ""
    stages: list[Stage] = field(default_factory=list)
    stacked_vs_layered: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Layout:
    """What layering an evaluated image needs: its closure graph and nixpkgs' layer budget."""

    label: str
    graph: ClosureGraph
    budget: int  # store layers nixpkgs leaves (maxLayers - customisation - base layers)
    base_layers: int
    pipeline: Any = None


# --- values as text ------------------------------------------------------------------------------

def nix_text(v: Any, indent: str = "") -> str:
    """A plain value (from :class:`~translator.spec.CallArg`) written the way Nix prints it."""
    if isinstance(v, str):
        if v.startswith("«") and v.endswith("»"):
            return v
        return json.dumps(v, ensure_ascii=False).replace("${", "\\${")
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    inner = indent + "  "
    if isinstance(v, list):
        if not v:
            return "[ ]"
        items = [nix_text(x, inner) for x in v]
        if sum(len(x) for x in items) < 60 and not any("\n" in x for x in items):
            return "[ " + " ".join(items) + " ]"
        return "[\n" + "".join(f"{inner}{x}\n" for x in items) + indent + "]"
    if isinstance(v, dict):
        if not v:
            return "{ }"
        items = [f"{_key(k)} = {nix_text(x, inner)};" for k, x in v.items()]
        if sum(len(x) for x in items) < 60 and not any("\n" in x for x in items):
            return "{ " + " ".join(items) + " }"
        return "{\n" + "".join(f"{inner}{x}\n" for x in items) + indent + "}"
    return str(v)


def _key(k: str) -> str:
    ok = k and (k[0].isalpha() or k[0] == "_") and all(c.isalnum() or c in "_-'" for c in k)
    return k if ok else json.dumps(k)


def where(file: str | None, line: int | None, source_dir: str) -> str | None:
    """``file:line`` with the file relative to the report's input directory when it is inside it."""
    if not file or not line:
        return None
    if os.path.isabs(file):
        rel = os.path.relpath(file, source_dir)
        if not rel.startswith(".."):
            file = rel
        else:
            marker = os.sep + os.path.join("universe", "nixpkgs") + os.sep
            if marker in file:
                file = "<nixpkgs>/" + file.split(marker, 1)[1]
    return f"{file}:{line}"


def call_rows(call: Sequence[CallArg], source_dir: str) -> list[CallRow]:
    return [CallRow(c.name, nix_text(c.value), c.given, where(c.file, c.line, source_dir)) for c in call]


# --- sections --------------------------------------------------------------------------------------

def describe_base(spec: ImageSpec) -> str:
    ref = spec.from_image
    if ref is None:
        return "none (fromImage = null)"
    if ref.kind == "spec" and ref.spec is not None:
        return f"{ref.spec.name}:{ref.spec.tag or '(hash)'} ({ref.spec.builder} in the same file)"
    if ref.kind == "pull":
        pull = ref.pull or {}
        return f"pullImage {pull.get('imageName', '?')}@{pull.get('imageDigest', '?')}"
    return f"archive {os.path.basename(ref.path or '?')}"


def strategy_rows(layouts: Sequence[Layout], chosen: str, labels: Sequence[str]) -> tuple[list[StrategyRow], list[str]]:
    """Every compared strategy over the newest layout, and with older layouts the bytes moved."""
    newest = layouts[-1]
    names = list(COMPARED) + (["pipeline"] if newest.pipeline is not None else [])
    rows: list[StrategyRow] = []
    updates = [f"{labels[i]} → {labels[i + 1]}" for i in range(len(layouts) - 1)]
    for name in names:
        try:
            plans = [make_plan(lay.graph, name, max_layers=lay.budget, pipeline=lay.pipeline or newest.pipeline,
                               base_layers=lay.base_layers, source=lay.label) for lay in layouts]
        except UserError as err:
            rows.append(StrategyRow(name, 0, 0, 0, name == chosen, (), (), note=err.message.removeprefix("error: ")))
            continue
        sizes = [dict(zip(lay.graph.paths, lay.graph.sizes)) for lay in layouts]
        stats = plan_stats(plans[-1], sizes[-1])
        seq = sequence_cost(name, plans, sizes)
        note = "; ".join(plans[-1].notes)
        rows.append(StrategyRow(name, stats.layers, stats.largest_bytes, stats.total_bytes, name == chosen,
                                tuple(stats.layer_bytes), tuple(u.moved_bytes for u in seq.updates), note))
    return rows, updates


def _why_store(g: ClosureGraph, plan: LayerPlan, layer: Sequence[str], layout: "Layout") -> str:
    if plan.strategy == "single":
        return "buildImage puts the whole closure into its one layer."
    if plan.strategy == "pipeline" and layout.pipeline is not None:
        li = plan.layers.index(tuple(layer))
        return (f"The image's own layeringPipeline {json.dumps(layout.pipeline)} made these {len(layer)} path(s) "
                f"layer {li} of {len(plan.layers)} (nixpkgs runs it as written and ignores maxLayers).")
    budget = layout.budget
    head = max(layer, key=lambda p: (g.sizes[g.index[p]], p))
    return explain(g, plan, head, budget)["reason"]


def _path_rows(paths: Sequence[str], g: ClosureGraph, kind_of: Callable[[str], str]) -> list[PathRow]:
    return [PathRow(p, g.sizes[g.index[p]] if p in g.index else 0, kind_of(p)) for p in paths]


def _match(facts: ArchiveFacts | None, paths: Sequence[str], used: set[int]):
    """The archive layer holding exactly ``paths`` (store layers), or None."""
    if facts is None:
        return None
    want = set(paths)
    for i, layer in enumerate(facts.layers):
        if i not in used and set(layer.store_paths) == want:
            used.add(i)
            return layer
    return None


def layer_rows(spec: ImageSpec, layout: Layout, plan: LayerPlan, facts: ArchiveFacts | None,
               kind_of: Callable[[str], str]) -> list[LayerRow]:
    """The image's layers bottom first: the base's, the store layers, then the customisation layer
    (a buildImage: the base's, then its one layer)."""
    g = layout.graph
    colours = palette(len(plan.layers))
    rows: list[LayerRow] = []
    used: set[int] = set()
    nbase = layout.base_layers
    if facts is not None:
        nbase = max(0, len(facts.layers) - (len(plan.layers) + 1 if spec.builder in LAYERED else 1))
    for i in range(nbase):
        fl = facts.layers[i] if facts is not None else None
        if fl is not None:
            used.add(i)
        rows.append(LayerRow(len(rows) + 1, f"base {i + 1}", "base", [PathRow(p, 0, "base") for p in (fl.store_paths if fl else ())],
                             0, fl.size if fl else None, fl.digest if fl else None,
                             f"comes from the base image ({describe_base(spec)}) unchanged.", "#dddddd",
                             list(fl.top_dirs) if fl else []))
    layered = spec.builder in LAYERED
    for li, layer in enumerate(plan.layers):
        fl = _match(facts, layer, used) if layered else (facts.layers[-1] if facts else None)
        why = _why_store(g, plan, layer, layout) if layered else (
            "buildImage copies copyToRoot into the root of this one layer, runs extraCommands there, and adds "
            "every store path of the closure that the base image does not have.")
        rows.append(LayerRow(len(rows) + 1, f"L{li}", "store" if layered else "root", _path_rows(layer, g, kind_of),
                             sum(g.sizes[g.index[p]] for p in layer), fl.size if fl else None,
                             fl.digest if fl else None, why, colours[li],
                             list(fl.top_dirs) if (fl and not layered) else []))
    if layered:
        fl = facts.layers[-1] if facts is not None and facts.layers else None
        contents = ", ".join(short(p) for p in spec.contents) or "nothing"
        why = (f"the customisation layer: the top-level directories of contents ({contents}) linked into /"
               + (", then extraCommands" if spec.extra_commands.strip() else "")
               + (", then fakeRootCommands under fakeroot" if spec.fake_root_commands.strip() else "")
               + ". It holds no store paths; it points into them.")
        rows.append(LayerRow(len(rows) + 1, "customisation", "customisation", [], 0, fl.size if fl else None, fl.digest if fl else None,
                             why, "#bbbbbb", list(fl.top_dirs) if fl else []))
    return rows


def glance(spec: ImageSpec, rows: Sequence[LayerRow], facts: ArchiveFacts | None, kinds: dict[str, int],
           n_paths: int, nar_total: int) -> list[Fact]:
    tag = facts.repo_tags[0].rsplit(":", 1)[1] if facts and facts.repo_tags else (spec.tag or "(hash of the config)")
    tar_total = facts.total_size if facts else None
    sized = [human(r.tar_bytes) for r in rows if r.tar_bytes is not None]
    per_layer = ", ".join(sized[:GLANCE_LAYERS]) + (f" and {len(sized) - GLANCE_LAYERS} more (see the layers below)"
                                                    if len(sized) > GLANCE_LAYERS else "")
    out = [Fact("name", spec.name), Fact("tag", tag), Fact("builder", f"dockerTools.{spec.builder}"),
           Fact("base image", describe_base(spec)), Fact("architecture", f"{spec.os}/{spec.architecture}"),
           Fact("layers", str(len(rows)), per_layer and f"layer tars: {per_layer}"),
           Fact("store paths", str(n_paths), f"narSize {human(nar_total)}"),
           Fact("image size", human(tar_total) if tar_total is not None else "not built",
                "sum of the layer tars" if tar_total is not None else "")]
    parts = [f"{kinds.get(k, 0)} {label}" for k, label in
             (("real", "real (from a store, a --bind or built here)"),
              ("synthetic", "synthetic placeholders (--placeholders)"),
              ("estimated", "catalog-only (size estimated, no content)")) if kinds.get(k)]
    out.append(Fact("content", "; ".join(parts) or "none"))
    return out


STACKED_VS_LAYERED = {
    "layered": (
        "This is the layered form (buildLayeredImage / streamLayeredImage): the closure is split over many "
        "store layers, each a tar of whole store paths, so images that share paths share layers and an update "
        "moves only the layers whose paths changed. contents are not copied: the customisation layer on top "
        "holds symlinks from / into the store. The archive links its layers by manifest.json only."),
    "stacked": (
        "This is the stacked form (buildImage): each call adds exactly one layer on top of fromImage, holding "
        "copyToRoot copied into / and the closure's store paths; any change rebuilds that whole layer. "
        "runAsRoot would run in a VM over that layer. Besides manifest.json the archive keeps the legacy "
        "`docker save` form: a repositories file and one directory per layer whose json names its parent, "
        "so old tools can follow the chain from the top layer down."),
}


def stages(spec: ImageSpec, plan: LayerPlan, layout: Layout, rows: Sequence[LayerRow],
           facts: ArchiveFacts | None, build_error: str | None) -> list[Stage]:
    layered = spec.builder in LAYERED
    roots = list(spec.contents) + list(spec.copy_to_root)
    cfg_refs = spec.extra.get("config_references") or []
    out: list[Stage] = []
    what = "contents" if layered else "copyToRoot / contents"
    out.append(Stage(
        f"1. {what} → the closure",
        f"The closure starts from {len(roots)} {what} path(s) and the {len(cfg_refs)} store path(s) the config "
        f"mentions, and holds every path they reference: {len(layout.graph)} store paths, "
        f"{human(layout.graph.total_size)} of narSize.",
        tuple(Fact("root", p) for p in spec.roots)))
    cmds = [("extraCommands", spec.extra_commands), ("fakeRootCommands", spec.fake_root_commands),
            ("runAsRoot", spec.run_as_root or "")]
    script = "\n".join(f"# {n}\n{t.strip()}" for n, t in cmds if t and t.strip())
    out.append(Stage(
        "2. extraCommands / fakeRootCommands" + ("" if layered else " / runAsRoot"),
        ("extraCommands run as the build user in the layer directory; fakeRootCommands run under fakeroot "
         "so that chown and mknod are recorded in the tar (enableFakechroot: in a chroot)." if layered else
         "extraCommands run in the directory of the new layer after copyToRoot is copied there; runAsRoot "
         "needs a VM (nixpkgs' runInLinuxVM) and is not run by nix2image.")
        + ("" if script else " This image has none."),
        code=script or None, code_label="the commands"))
    store = [r for r in rows if r.kind in ("store", "root")]
    out.append(Stage(
        "3. store layers" if layered else "3. the image's one layer",
        (f"The {plan.strategy} strategy groups the store paths into {len(plan.layers)} layer(s); nixpkgs leaves "
         f"{layout.budget} for them (maxLayers {spec.max_layers} minus the customisation layer"
         f"{f' and {layout.base_layers} base layer(s)' if layout.base_layers else ''})." if layered else
         "buildImage writes copyToRoot and the store paths into one tar."),
        tuple(Fact(r.name, r.digest or "(not built)", f"{len(r.paths)} path(s)") for r in store)))
    if layered:
        cust = rows[-1]
        out.append(Stage("4. customisation layer",
                         "Symlinks from / into contents, the output of the commands above; top-level entries: "
                         + (", ".join("/" + d for d in cust.top_dirs) or "none") + ".",
                         (Fact(cust.name, cust.digest or "(not built)"),)))
    if facts is not None:
        out.append(Stage(f"{len(out) + 1}. config",
                         "The image config: the config argument as written, with architecture, os, created, the "
                         "diff ids of the layers (rootfs) and one history entry per layer.",
                         (Fact("config digest", facts.config_digest),),
                         json.dumps(facts.config, indent=2, ensure_ascii=False), "config JSON"))
        out.append(Stage(f"{len(out) + 1}. manifest",
                         "manifest.json names the config and the layer tars in order, bottom first; "
                         f"this archive links its layers by {facts.linking}.",
                         tuple(Fact("tag", t) for t in facts.repo_tags),
                         facts.manifest_json, "manifest.json"))
        if facts.legacy_chain:
            out.append(Stage(f"{len(out) + 1}. legacy parent chain",
                             "The `docker save` v1 form buildImage also writes: repositories names the top "
                             "layer's id, and each layer's json names its parent.",
                             tuple(Fact(f"id {x.id[:12]}…", f"parent {x.parent[:12] + '…' if x.parent else '(none)'}")
                                   for x in facts.legacy_chain),
                             facts.repositories_json, "repositories"))
    else:
        out.append(Stage(f"{len(out) + 1}. config and manifest",
                         f"The image could not be built here, so there are no digests: {build_error}"))
    return out


def from_spec(spec: ImageSpec, layouts: Sequence[Layout], labels: Sequence[str], plan: LayerPlan,
              facts: ArchiveFacts | None, build_error: str | None, kind_of: Callable[[str], str],
              source: str, source_dir: str, max_nodes: int) -> Report:
    """The report of an evaluated image; ``layouts[-1]`` is this image, the others older versions."""
    layout = layouts[-1]
    g = layout.graph
    rows = layer_rows(spec, layout, plan, facts, kind_of)
    kinds: dict[str, int] = {}
    for p in g.paths:
        k = kind_of(p)
        kinds[k] = kinds.get(k, 0) + 1
    facts_glance = glance(spec, rows, facts, kinds, len(g), g.total_size)
    tag = next(f.value for f in facts_glance if f.label == "tag")
    report = Report(title=f"{spec.name}:{tag}", mode="nix", source=source, glance=facts_glance, layers=rows)
    report.call = call_rows(spec.call, source_dir)
    report.call_note = ("Arguments the file gives are marked with where they are written; the others are "
                        "nixpkgs' defaults.")
    if len(g):
        try:
            report.graph = closure_picture(g, plan, f"closure of {spec.name}: {len(g)} paths in "
                                           f"{len(plan.layers)} {plan.strategy} layers", max_nodes)
            if report.graph.per_layer:
                report.graph_note = (f"The closure has {len(g)} paths, more than the {max_nodes} drawn one by one "
                                     "(--max-nodes), so the graph shows one node per layer; every path is in the "
                                     "layer table below.")
        except UserError as err:
            report.graph_note = f"No graph: {err.message.removeprefix('error: ')}"
    else:
        report.graph_note = "The image has no store paths."
    if len(g):
        report.strategies, report.updates = strategy_rows(layouts, plan.strategy, labels)
        report.strategy_note = (
            "Each strategy laid out over the same closure with nixpkgs' layer budget "
            f"({layout.budget} store layers)."
            + ("" if spec.builder in LAYERED else " buildImage itself always makes one layer ('single'); the "
               "others show what buildLayeredImage would do.")
            + (" Moved bytes: what a registry receives and a client that has the older image pulls, per "
               "update (a layer is reused when the same store paths form a layer in the older image)."
               if report.updates else " Give --compare OLD.nix to see the bytes each strategy moves between versions."))
    report.stages = stages(spec, plan, layout, rows, facts, build_error)
    report.stacked_vs_layered = STACKED_VS_LAYERED["layered" if spec.builder in LAYERED else "stacked"]
    report.warnings = list(dict.fromkeys(w.removeprefix("warning: ") for w in spec.warnings))
    return report


def from_archive(facts: ArchiveFacts, source: str) -> Report:
    """What an archive made elsewhere tells: tags, config, layers and their store paths."""
    colours = palette(len(facts.layers))
    rows = []
    for i, fl in enumerate(facts.layers):
        kind = "store" if fl.store_paths else "customisation"
        why = (f"the config's history says: {fl.comment}" if fl.comment else
               "the archive does not say why (no history comment for this layer).")
        rows.append(LayerRow(i + 1, f"layer {i + 1}", kind, [PathRow(p, 0, "unknown") for p in fl.store_paths], 0, fl.size,
                             fl.digest, why, colours[i], list(fl.top_dirs)))
    cfg = facts.config
    paths = {p for fl in facts.layers for p in fl.store_paths}
    tag = facts.repo_tags[0] if facts.repo_tags else "(untagged)"
    glance_facts = [Fact("name:tag", tag), Fact("builder", "unknown (read from an archive)"),
                    Fact("architecture", f"{cfg.get('os', '?')}/{cfg.get('architecture', '?')}"),
                    Fact("layers", str(len(rows)), ", ".join(human(r.tar_bytes or 0) for r in rows)),
                    Fact("store paths", str(len(paths))), Fact("image size", human(facts.total_size)),
                    Fact("format", f"{facts.format}, layers linked by {facts.linking}")]
    labels = (cfg.get("config") or {}).get("Labels") or {}
    if "org.nix2image.placeholders" in labels:
        glance_facts.append(Fact("content", f"{labels['org.nix2image.placeholders']} synthetic placeholder path(s) "
                                 "(label org.nix2image.placeholders)"))
    report = Report(title=tag, mode="archive", source=source, glance=glance_facts, layers=rows)
    report.call_note = "An archive does not record the Nix call that made it."
    report.graph_note = "An archive does not record the references between store paths, so there is no graph."
    report.strategy_note = "Without references the strategies cannot be replayed; give the Nix file instead."
    out = [Stage("1. config", "The image config as stored.", (Fact("config digest", facts.config_digest),),
                 json.dumps(cfg, indent=2, ensure_ascii=False), "config JSON")]
    if facts.manifest_json:
        out.append(Stage("2. manifest", f"manifest.json; layers linked by {facts.linking}.",
                         tuple(Fact("tag", t) for t in facts.repo_tags), facts.manifest_json, "manifest.json"))
    if facts.legacy_chain:
        out.append(Stage(f"{len(out) + 1}. legacy parent chain", "repositories and each layer's json parent id.",
                         tuple(Fact(f"id {x.id[:12]}…", f"parent {x.parent[:12] + '…' if x.parent else '(none)'}")
                               for x in facts.legacy_chain), facts.repositories_json, "repositories"))
    report.stages = out
    report.stacked_vs_layered = STACKED_VS_LAYERED["stacked" if facts.legacy_chain else "layered"]
    return report
