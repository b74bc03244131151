"""Pictures of a layer plan: the closure graph in Graphviz DOT, one colour per layer, node size
by ``narSize``; SVG by running Graphviz's ``dot``.

Big closures are unreadable path by path: above ``max_nodes`` paths the picture shows one node per
layer instead (size by layer bytes, an edge where a layer references another).
"""

from __future__ import annotations

import colorsys
import math
import shutil
import subprocess

from ..errors import UserError
from ..storeinfo import LayerPlan
from .graph import ClosureGraph, short


def palette(n: int) -> list[str]:
    """``n`` distinct light colours, deterministic (golden-ratio hue steps)."""
    out = []
    for i in range(n):
        h = (i * 0.618033988749895) % 1.0
        r, g, b = colorsys.hsv_to_rgb(h, 0.45, 0.97)
        out.append(f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}")
    return out


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n}"


def to_dot(g: ClosureGraph, plan: LayerPlan, title: str | None = None, max_nodes: int = 400) -> str:
    """DOT text for the plan over the closure graph (deterministic)."""
    colours = palette(len(plan.layers))
    layer_of = {p: i for i, layer in enumerate(plan.layers) for p in layer}
    lines = ["digraph closure {", "  rankdir=TB;", '  node [shape=box, style="filled,rounded", fontname="Helvetica"];',
             '  edge [color="#00000055"];']
    label = title or f"{plan.strategy}: {len(plan.layers)} layers, {len(g)} paths"
    lines.append(f"  labelloc=t; label={_q(label)}; fontname=\"Helvetica\";")
    if len(g) <= max_nodes:
        biggest = max(g.sizes, default=1) or 1
        for i, p in enumerate(g.paths):
            li = layer_of[p]
            scale = math.sqrt(g.sizes[i] / biggest)
            text = short(p) + "\n" + f"{_human(g.sizes[i])} · L{li}"
            lines.append(f"  {_q(p)} [label={_q(text)}, "
                         f"fillcolor={_q(colours[li])}, width={0.8 + 2.4 * scale:.2f}, height={0.35 + 0.9 * scale:.2f}, "
                         f"fontsize={9 + 9 * scale:.1f}, tooltip={_q(p)}];")
        for i, cs in enumerate(g.children):
            for c in cs:
                lines.append(f"  {_q(g.paths[i])} -> {_q(g.paths[c])};")
    else:
        sizes = [sum(g.sizes[g.index[p]] for p in layer) for layer in plan.layers]
        biggest = max(sizes, default=1) or 1
        for li, layer in enumerate(plan.layers):
            scale = math.sqrt(sizes[li] / biggest)
            text = f"layer {li}" + "\n" + f"{len(layer)} paths, {_human(sizes[li])}"
            lines.append(f"  L{li} [label={_q(text)}, "
                         f"fillcolor={_q(colours[li])}, width={0.8 + 2.4 * scale:.2f}, height={0.35 + 0.9 * scale:.2f}];")
        edges = set()
        for i, cs in enumerate(g.children):
            a = layer_of[g.paths[i]]
            for c in cs:
                b = layer_of[g.paths[c]]
                if a != b:
                    edges.add((a, b))
        for a, b in sorted(edges):
            lines.append(f"  L{a} -> L{b};")
    # legend: one entry per layer, bottom layer first
    lines.append("  subgraph cluster_legend {")
    lines.append('    label="layers (bottom first)"; style=rounded; color="#999999";')
    prev = None
    for li, layer in enumerate(plan.layers):
        size = sum(g.sizes[g.index[p]] for p in layer)
        lines.append(f"    legend{li} [label={_q(f'L{li}: {len(layer)} path(s), {_human(size)}')}, "
                     f"fillcolor={_q(colours[li])}, fontsize=10];")
        if prev is not None:
            lines.append(f"    {prev} -> legend{li} [style=invis];")
        prev = f"legend{li}"
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot_text: str) -> bytes:
    """Run Graphviz ``dot -Tsvg``; a UserError if it is missing or fails."""
    exe = shutil.which("dot")
    if exe is None:
        raise UserError("Graphviz 'dot' is not installed: cannot write SVG", hint="write a .dot file instead, "
                        "or install graphviz")
    proc = subprocess.run([exe, "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=600)
    if proc.returncode != 0:
        raise UserError(f"Graphviz dot failed: {proc.stderr.decode(errors='replace').strip()[:500]}")
    return proc.stdout
