"""The closure graph as inline, accessible SVG: ``nix2image graph``'s drawing, made focusable.

:func:`~translator.layering.draw.to_dot` draws the plan (one colour per layer, node size by
narSize, a legend) and Graphviz lays it out; here the SVG becomes something a page can embed:
no XML prolog, a ``<title>``/``<desc>``, ``role="img"``, and every store-path node a keyboard
stop (``tabindex="0"``) whose ``<title>`` and ``aria-label`` name the path, its size and its layer.
Above ``max_nodes`` paths the drawing has one node per layer (the page says so), which bounds the
size of the picture whatever the closure.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..layering.draw import render_svg, to_dot
from ..layering.explain import human
from ..layering.graph import ClosureGraph, short
from ..storeinfo import LayerPlan

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True, slots=True)
class GraphPicture:
    svg: str  # inline SVG markup
    per_layer: bool  # one node per layer instead of one per path
    nodes: int  # focusable nodes drawn


def _text(el: ET.Element, tag: str, text: str) -> ET.Element:
    child = el.find(f"{{{SVG}}}{tag}")
    if child is None:
        child = ET.Element(f"{{{SVG}}}{tag}")
        el.insert(0, child)
    child.text = text
    return child


def closure_picture(g: ClosureGraph, plan: LayerPlan, title: str, max_nodes: int) -> GraphPicture:
    """The plan drawn over the closure; store layers are named ``L0`` (bottom) ... as in the drawing,
    ``plan`` and ``explain``. Raises UserError without Graphviz."""
    per_layer = len(g) > max_nodes
    raw = render_svg(to_dot(g, plan, title=title, max_nodes=max_nodes))
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    root = ET.fromstring(raw)
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    root.set("role", "img")
    root.set("aria-labelledby", "graph-title graph-desc")
    root.set("class", "closure-graph")
    layer_of = {p: i for i, layer in enumerate(plan.layers) for p in layer}
    sizes = dict(zip(g.paths, g.sizes))
    graph_g = root.find(f"{{{SVG}}}g")
    if graph_g is not None:
        old = graph_g.find(f"{{{SVG}}}title")
        if old is not None:
            graph_g.remove(old)
    desc = (f"{len(g)} store paths in {len(plan.layers)} layers ({plan.strategy}); "
            + ("one box per layer, sized by its bytes." if per_layer else
               "one box per store path, coloured by layer and sized by narSize; arrows are references."))
    t = ET.Element(f"{{{SVG}}}title", {"id": "graph-title"})
    t.text = title
    d = ET.Element(f"{{{SVG}}}desc", {"id": "graph-desc"})
    d.text = desc
    root.insert(0, d)
    root.insert(0, t)
    nodes = 0
    for el in root.iter(f"{{{SVG}}}g"):
        if el.get("class") != "node":
            continue
        name_el = el.find(f"{{{SVG}}}title")
        name = name_el.text if name_el is not None and name_el.text else ""
        if name in layer_of:
            li = layer_of[name]
            label = f"{name} ({human(sizes[name])}), store layer L{li}"
        elif name.startswith("L") and name[1:].isdigit():
            li = int(name[1:])
            label = f"store layer L{li}: {len(plan.layers[li])} store path(s), e.g. {short(plan.layers[li][0])}"
        elif name.startswith("legend") and name[6:].isdigit():
            li = int(name[6:])
            _text(el, "title", f"legend: colour of store layer L{li}")
            continue
        else:
            continue
        _text(el, "title", label)
        for a in el.iter(f"{{{SVG}}}a"):
            a.attrib.pop(f"{{{XLINK}}}title", None)
            a.attrib.pop(f"{{{XLINK}}}href", None)
        el.set("tabindex", "0")
        el.set("role", "img")
        el.set("aria-label", label)
        el.set("data-layer", f"L{li}")
        nodes += 1
    svg = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return GraphPicture(svg, per_layer, nodes)
