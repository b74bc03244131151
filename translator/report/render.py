"""The report page: a :class:`~.model.Report` written as one self-contained HTML document.

Everything is inline (style, the SVG pictures, a few lines of script that name the node under the
mouse or the keyboard focus), and a Content-Security-Policy forbids any fetch, so the page works
from ``file://`` and never touches the network. Every string from the model goes through
:func:`html.escape`; the SVG comes from :mod:`.graph_svg` / :mod:`.svg_chart`, which escape their
own text. The colours follow ``prefers-color-scheme``; ``@media print`` drops the navigation and
lets the wide parts wrap.
"""

from __future__ import annotations

from html import escape
from typing import Iterable

from ..layering.explain import human
from . import svg_chart
from .model import Fact, LayerRow, Report, Stage

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

STYLE = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1d1f21; --muted: #5c6166; --line: #d0d4d9;
  --head: #f2f4f7; --code: #f6f8fa; --focus: #c2185b; --a: #6d8fc7; --b: #a9bfe3; --max: #1f4e99;
  --u0: #2f7d4f; --u1: #c77d1a; --u2: #7b3fa0; --u3: #1f6fa3; --given: #e8f3ea; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15171a; --fg: #e6e8eb; --muted: #a3a9b0; --line: #3a3f45; --head: #22262b;
    --code: #1d2024; --focus: #ff80ab; --a: #5577aa; --b: #7f9ccc; --max: #b9d0ff;
    --u0: #5fbf86; --u1: #e9a64d; --u2: #b784d6; --u3: #63b0e0; --given: #1f3325; } }
body { background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 4rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid var(--line); }
h3 { margin: 1.4rem 0 .3rem; font-size: 1.05rem; }
a { color: inherit; } :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.muted, caption { color: var(--muted); } caption { text-align: left; caption-side: top; padding: .3rem 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
thead th, th[scope=row] { background: var(--head); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, pre, .path { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .86em; }
.path, .digest { overflow-wrap: anywhere; }
pre { background: var(--code); border: 1px solid var(--line); padding: .6rem; overflow-x: auto; white-space: pre-wrap;
  overflow-wrap: anywhere; }
td pre { margin: 0; padding: 0; border: 0; background: transparent; }
dl.glance { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.glance dt { font-weight: 600; } dl.glance dd { margin: 0; }
tr.given td { background: var(--given); }
.swatch { display: inline-block; width: .9em; height: .9em; border: 1px solid #777; vertical-align: -.1em;
  margin-right: .3em; }
.graph-wrap { overflow: auto; max-height: 80vh; border: 1px solid var(--line); background: #fff; }
svg.closure-graph { display: block; width: 100%; height: auto; min-width: 40rem; }
svg.closure-graph g.node[tabindex] { cursor: default; }
svg.closure-graph g.node:focus { outline: none; }
svg.closure-graph g.node:focus path, svg.closure-graph g.node:focus polygon,
svg.closure-graph g.node:hover path, svg.closure-graph g.node:hover polygon { stroke: #c2185b; stroke-width: 4px; }
#graph-caption { min-height: 1.5em; font-weight: 600; }
svg.chart { display: block; width: 100%; height: auto; max-width: 60rem; }
svg.chart .seg-a { fill: var(--a); } svg.chart .seg-b { fill: var(--b); } svg.chart .seg-max { fill: var(--max); }
svg.chart .upd-0 { fill: var(--u0); } svg.chart .upd-1 { fill: var(--u1); } svg.chart .upd-2 { fill: var(--u2); }
svg.chart .upd-3 { fill: var(--u3); } svg.chart rect.seg { stroke: var(--bg); stroke-width: 1px; }
.layer { border-left: 6px solid var(--line); padding-left: .8rem; margin: 1rem 0; }
.warn { border-left: 4px solid #d08a00; padding: .2rem .6rem; }
nav ol { columns: 2; }
@media print { nav { display: none; } .graph-wrap { max-height: none; overflow: visible; }
  body { max-width: none; } .layer, tr, figure { break-inside: avoid; } }
"""

SCRIPT = """
(function () {
  var caption = document.getElementById('graph-caption');
  var svg = document.querySelector('svg.closure-graph');
  if (!caption || !svg) { return; }
  function show(event) {
    var node = event.target.closest ? event.target.closest('g.node[aria-label]') : null;
    if (node) { caption.textContent = node.getAttribute('aria-label'); }
  }
  svg.addEventListener('focusin', show);
  svg.addEventListener('mouseover', show);
})();
"""

SECTIONS = (("glance", "At a glance"), ("call", "The evaluated call"), ("graph", "The closure graph"),
            ("layers", "The layers and why"), ("strategies", "Strategies side by side"),
            ("stages", "How dockerTools builds this"))


def e(text: object) -> str:
    return escape(str(text), quote=True)


def _facts(facts: Iterable[Fact]) -> str:
    out = ['<dl class="glance">']
    for f in facts:
        note = f' <span class="muted">({e(f.note)})</span>' if f.note else ""
        out.append(f"<dt>{e(f.label)}</dt><dd>{e(f.value)}{note}</dd>")
    out.append("</dl>")
    return "\n".join(out)


def _section(key: str, number: int, title: str, body: str) -> str:
    return (f'<section id="{key}" aria-labelledby="h-{key}">\n<h2 id="h-{key}">{number}. {e(title)}</h2>\n'
            f"{body}\n</section>")


def _glance(r: Report) -> str:
    body = [_facts(r.glance)]
    sized = [l for l in r.layers if l.tar_bytes is not None] or [l for l in r.layers if l.nar_bytes]
    if sized:
        use_tar = sized[0].tar_bytes is not None
        body.append(f'<figure><figcaption class="muted">Layer sizes ({"layer tars" if use_tar else "narSize"}), '
                    "bottom layer on the left; hover a part for its size.</figcaption>")
        body.append(svg_chart.layer_strip([(l.tar_bytes if use_tar else l.nar_bytes) or 0 for l in sized],
                                          [l.colour for l in sized],
                                          [f"{l.name} ({l.kind})" for l in sized]))
        body.append("</figure>")
    if r.warnings:
        body.append('<div class="warn" role="note"><h3>Warnings</h3><ul>'
                    + "".join(f"<li>{e(w)}</li>" for w in r.warnings) + "</ul></div>")
    return "\n".join(body)


def _call(r: Report) -> str:
    if not r.call:
        return f'<p class="muted">{e(r.call_note)}</p>'
    out = [f"<p>{e(r.call_note)}</p>", "<table>",
           "<caption>Every argument of the call, as evaluated</caption>",
           '<thead><tr><th scope="col">argument</th><th scope="col">value</th><th scope="col">from</th></tr></thead>',
           "<tbody>"]
    for c in r.call:
        src = f"<code>{e(c.where)}</code>" if c.where else ("given" if c.given else '<span class="muted">default</span>')
        out.append(f'<tr{" class=given" if c.given else ""}><th scope="row"><code>{e(c.name)}</code></th>'
                   f"<td><pre>{e(c.value)}</pre></td><td>{src}</td></tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _graph(r: Report) -> str:
    out = []
    if r.graph_note:
        out.append(f'<p class="muted">{e(r.graph_note)}</p>')
    if r.graph is None:
        return "\n".join(out)
    out.append("<p>Hover a box, or press Tab to move through them: the line below names the store path and "
               "its layer.</p>")
    out.append(f'<p id="graph-caption" aria-live="polite">{r.graph.nodes} nodes; none selected.</p>')
    out.append(f'<div class="graph-wrap">\n{r.graph.svg}\n</div>')
    out.append("<table><caption>Legend: one colour per layer</caption>"
               '<thead><tr><th scope="col">colour</th><th scope="col">layer</th><th scope="col">paths</th>'
               '<th scope="col" class="num">narSize</th></tr></thead><tbody>')
    for l in r.layers:
        if l.kind in ("store", "root"):
            out.append(f'<tr><td><span class="swatch" style="background:{e(l.colour)}"></span></td>'
                       f'<td><a href="#layer-{l.number}">{e(l.name)}</a></td><td>{len(l.paths)}</td>'
                       f'<td class="num">{e(human(l.nar_bytes))}</td></tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


def _layer(l: LayerRow) -> str:
    head = f"{l.name} · {l.kind} layer · {len(l.paths)} store path(s) · manifest position {l.number}"
    sizes = []
    if l.nar_bytes:
        sizes.append(f"narSize {human(l.nar_bytes)}")
    if l.tar_bytes is not None:
        sizes.append(f"tar {human(l.tar_bytes)}")
    out = [f'<article class="layer" id="layer-{l.number}" style="border-left-color:{e(l.colour)}" '
           f'aria-labelledby="layer-{l.number}-h">',
           f'<h3 id="layer-{l.number}-h">{e(head)}</h3>',
           '<dl class="glance">',
           f'<dt>digest</dt><dd class="digest"><code>{e(l.digest or "(not built)")}</code></dd>',
           f"<dt>size</dt><dd>{e(', '.join(sizes) or '-')}</dd>",
           f"<dt>why</dt><dd>{e(l.why)}</dd>"]
    if l.top_dirs:
        out.append(f"<dt>top-level entries</dt><dd><code>{e(' '.join('/' + d for d in l.top_dirs))}</code></dd>")
    out.append("</dl>")
    if l.paths:
        out.append(f"<table><caption>Store paths of {e(l.name)}</caption><thead><tr>"
                   '<th scope="col">store path</th><th scope="col" class="num">narSize</th>'
                   '<th scope="col">content</th></tr></thead><tbody>')
        for p in l.paths:
            out.append(f'<tr><td class="path">{e(p.path)}</td><td class="num">{e(human(p.size) if p.size else "-")}</td>'
                       f"<td>{e(p.kind)}</td></tr>")
        out.append("</tbody></table>")
    out.append("</article>")
    return "\n".join(out)


def _layers(r: Report) -> str:
    intro = ("<p>Bottom first, in the order the manifest lists them. "
             + ("<em>why</em> is what <code>nix2image explain</code> says of the layer's largest path; store "
                "layers are named L0, L1, ... as in the graph and in <code>nix2image plan</code>.</p>"
                if r.mode == "nix" else "<em>why</em> is what the config's history records.</p>"))
    return intro + "\n" + "\n".join(_layer(l) for l in r.layers)


def _strategies(r: Report) -> str:
    out = [f"<p>{e(r.strategy_note)}</p>"]
    if not r.strategies:
        return "\n".join(out)
    heads = ["strategy", "store layers", "largest layer", "total"] + [f"moved: {u}" for u in r.updates]
    out.append("<table><caption>Layering strategies over this closure</caption><thead><tr>"
               + "".join(f'<th scope="col"{" class=num" if i else ""}>{e(h)}</th>' for i, h in enumerate(heads))
               + "</tr></thead><tbody>")
    for s in r.strategies:
        name = s.name + (" (this image)" if s.chosen else "")
        if s.note and not s.layers:
            out.append(f'<tr><th scope="row">{e(name)}</th><td colspan="{len(heads) - 1}">{e(s.note)}</td></tr>')
            continue
        cells = [str(s.layers), human(s.largest), human(s.total)] + [human(m) for m in s.moved]
        note = f'<br><span class="muted">{e(s.note)}</span>' if s.note else ""
        out.append(f'<tr><th scope="row">{e(name)}{note}</th>'
                   + "".join(f'<td class="num">{e(c)}</td>' for c in cells) + "</tr>")
    out.append("</tbody></table>")
    drawn = [s for s in r.strategies if s.layers]
    out.append('<figure><figcaption class="muted">Store layers by strategy: each bar is one strategy\'s layers '
               "side by side, widths by bytes; the largest layer is drawn in the strongest colour.</figcaption>")
    out.append(svg_chart.strategy_chart([svg_chart.StrategyBar(s.name, s.layer_bytes, s.chosen) for s in drawn]))
    out.append("</figure>")
    if r.updates:
        out.append('<figure><figcaption class="muted">Bytes each strategy moves per update (smaller is better)'
                   "</figcaption>")
        out.append(svg_chart.moved_chart([s.name for s in drawn], r.updates, [list(s.moved) for s in drawn]))
        out.append("</figure>")
    return "\n".join(out)


def _stage(s: Stage) -> str:
    out = [f"<h3>{e(s.title)}</h3>", f"<p>{e(s.text)}</p>"]
    if s.facts:
        out.append(_facts(s.facts))
    if s.code:
        out.append(f'<figure><figcaption class="muted">{e(s.code_label)}</figcaption><pre>{e(s.code)}</pre></figure>')
    return "\n".join(out)


def _stages(r: Report) -> str:
    return "\n".join(_stage(s) for s in r.stages) + (
        f"\n<h3>Stacked and layered forms</h3>\n<p>{e(r.stacked_vs_layered)}</p>" if r.stacked_vs_layered else "")


def render(r: Report) -> str:
    """The whole HTML document (deterministic: the same report gives the same text)."""
    parts = [_glance(r), _call(r), _graph(r), _layers(r), _strategies(r), _stages(r)]
    nav = "".join(f'<li><a href="#{k}">{e(t)}</a></li>' for k, t in SECTIONS)
    body = "\n".join(_section(k, i + 1, t, p) for i, ((k, t), p) in enumerate(zip(SECTIONS, parts)))
    what = "Nix file" if r.mode == "nix" else "image archive"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="nix2image report">\n'
        f"<title>{e(r.title)} · nix2image report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<header>\n<h1>Image {e(r.title)}</h1>\n<p class="muted">Report of the {what} <code>{e(r.source)}</code> '
        "by nix2image.</p>\n"
        f'<nav aria-label="Sections"><ol>{nav}</ol></nav>\n</header>\n<main>\n{body}\n</main>\n'
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n")
