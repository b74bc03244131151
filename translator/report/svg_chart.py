"""Small bar charts as inline SVG text (no plotting library, deterministic output).

Every chart has ``role="img"`` with a ``<title>`` and ``<desc>``, every bar its own ``<title>``
(what a mouse hover shows), text drawn in ``currentColor`` and bars coloured by CSS classes, so the
page's light and dark styles apply. Bars with many segments are capped (:data:`MAX_SEGMENTS`, the
rest drawn as one "N more" segment) so a chart's size does not grow with the closure.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Sequence

from ..layering.explain import human

WIDTH = 800
LABEL_W = 170
MAX_SEGMENTS = 60


def _a(value: str) -> str:
    return escape(value, quote=True)


def _open(cid: str, title: str, desc: str, height: int) -> list[str]:
    return [f'<svg class="chart" id="{_a(cid)}" role="img" aria-labelledby="{_a(cid)}-t {_a(cid)}-d" '
            f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
            f'<title id="{_a(cid)}-t">{escape(title)}</title>', f'<desc id="{_a(cid)}-d">{escape(desc)}</desc>']


def _capped(values: Sequence[int], cap: int = MAX_SEGMENTS) -> list[tuple[int, int, int]]:
    """(first index, count, bytes) per drawn segment: the first cap-1 values, then the rest in one."""
    if len(values) <= cap:
        return [(i, 1, v) for i, v in enumerate(values)]
    head = [(i, 1, v) for i, v in enumerate(values[: cap - 1])]
    return head + [(cap - 1, len(values) - cap + 1, sum(values[cap - 1:]))]


def layer_strip(sizes: Sequence[int], colours: Sequence[str], names: Sequence[str], cid: str = "layer-strip") -> str:
    """One bar split into the image's layers, widths by bytes (the at-a-glance picture)."""
    total = sum(sizes) or 1
    out = _open(cid, "Layer sizes", f"{len(sizes)} layers, {human(sum(sizes))} in all; widths by bytes, "
                "bottom layer on the left.", 34)
    x = 0.0
    for first, count, size in _capped(list(sizes)):
        w = WIDTH * size / total
        name = names[first] if count == 1 else f"{names[first]} and {count - 1} more layers"
        colour = colours[first] if count == 1 else "#999999"
        out.append(f'<rect x="{x:.2f}" y="2" width="{max(w, 0.5):.2f}" height="30" fill="{colour}" '
                   f'class="seg"><title>{escape(name)}: {escape(human(size))}</title></rect>')
        x += w
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class StrategyBar:
    name: str
    layer_bytes: tuple[int, ...]
    chosen: bool = False


def strategy_chart(bars: Sequence[StrategyBar], cid: str = "strategy-chart") -> str:
    """Per strategy a bar of its store layers side by side (bytes), the largest layer marked."""
    row = 34
    height = 24 + row * len(bars)
    biggest = max((sum(b.layer_bytes) for b in bars), default=1) or 1
    out = _open(cid, "Store layers by strategy",
                "For each strategy, one bar split into its store layers (widths by bytes, bottom layer on the "
                "left); the largest layer is drawn in the strongest colour.", height)
    span = WIDTH - LABEL_W - 190
    for r, bar in enumerate(bars):
        y = 10 + r * row
        largest = max(bar.layer_bytes, default=0)
        label = f"{bar.name}{' (used)' if bar.chosen else ''}"
        out.append(f'<text x="0" y="{y + 17}" fill="currentColor" font-size="13">{escape(label)}</text>')
        x = float(LABEL_W)
        for first, count, size in _capped(list(bar.layer_bytes)):
            w = span * size / biggest
            cls = "seg-max" if count == 1 and size == largest else ("seg-a" if first % 2 == 0 else "seg-b")
            what = (f"layer {first + 1}" if count == 1 else f"layers {first + 1}-{first + count}")
            out.append(f'<rect x="{x:.2f}" y="{y}" width="{max(w, 0.5):.2f}" height="24" class="{cls}">'
                       f'<title>{escape(bar.name)}, {what}: {escape(human(size))}</title></rect>')
            x += w
        out.append(f'<text x="{x + 6:.2f}" y="{y + 17}" fill="currentColor" font-size="11">'
                   f'{len(bar.layer_bytes)} layer(s), largest {escape(human(largest))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def moved_chart(names: Sequence[str], updates: Sequence[str], moved: Sequence[Sequence[int]],
                cid: str = "moved-chart") -> str:
    """Bytes each strategy moves per update: ``moved[s][u]`` for strategy ``names[s]``, update ``updates[u]``."""
    bar_h, gap = 16, 12
    group = bar_h * len(updates) + gap
    height = 20 + group * len(names)
    biggest = max((v for row in moved for v in row), default=1) or 1
    out = _open(cid, "Bytes moved per update",
                f"For each strategy, the bytes a registry receives and a client pulls for each of "
                f"{len(updates)} update(s): {', '.join(updates)}.", height)
    span = WIDTH - LABEL_W - 130
    for s, name in enumerate(names):
        y0 = 10 + s * group
        out.append(f'<text x="0" y="{y0 + 13}" fill="currentColor" font-size="13">{escape(name)}</text>')
        for u, label in enumerate(updates):
            y = y0 + u * bar_h
            v = moved[s][u]
            w = span * v / biggest
            out.append(f'<rect x="{LABEL_W}" y="{y}" width="{max(w, 0.5):.2f}" height="{bar_h - 3}" '
                       f'class="upd-{u % 4}"><title>{escape(name)}, {escape(label)}: {escape(human(v))} moved'
                       f'</title></rect>')
            out.append(f'<text x="{LABEL_W + w + 4:.2f}" y="{y + 11}" fill="currentColor" font-size="11">'
                       f'{escape(human(v))}{" (" + escape(label) + ")" if len(updates) > 1 else ""}</text>')
    out.append("</svg>")
    return "\n".join(out)
