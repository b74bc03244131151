"""The plain strategies: one layer per path, one layer for everything, or the user's grouping.

``--layers FILE`` is nixpkgs' ``store_layers`` idea: a JSON list of lists of store paths, bottom
first. Closure paths it does not list go into one extra layer on top (with a warning); a listed
path that is not in the closure, or one listed twice, is an error naming it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import Pos, UserError
from .auto_layer import path_key
from .graph import ClosureGraph
from .popularity import popularity_scores, rank


def per_path_layers(g: ClosureGraph) -> list[list[str]]:
    """One layer per store path, most popular (most shared) at the bottom."""
    scores = popularity_scores(g.children, g.parents)
    return [[g.paths[i]] for i in rank(g.paths, scores)]


def single_layer(g: ClosureGraph) -> list[list[str]]:
    """Every store path in one layer, sorted by (name, hash)."""
    return [sorted(g.paths, key=path_key)] if len(g) else []


def read_layers_file(path: str | os.PathLike[str]) -> list[list[str]]:
    """Read a ``--layers`` file: a JSON list of lists of store paths."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise UserError(f"cannot read layers file '{name}': {err.strerror or err}") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as err:
        raise UserError(f"{name}: invalid JSON: {err.msg}", Pos(name, err.lineno, err.colno)) from None
    if not isinstance(data, list) or not all(isinstance(layer, list) and all(isinstance(p, str) for p in layer)
                                             for layer in data):
        raise UserError(f"{name}: expected a JSON list of lists of store paths (bottom layer first)", Pos(name, 1, 1))
    return data


def given_layers(g: ClosureGraph, layers: list[list[str]], source: str = "--layers") -> tuple[list[list[str]], list[str]]:
    """Check a user grouping against the closure; returns (layers, notes)."""
    seen: dict[str, int] = {}
    out: list[list[str]] = []
    for li, layer in enumerate(layers):
        for p in layer:
            if p not in g.index:
                raise UserError(f"{source}: layer {li} lists '{p}', which is not in the image's closure")
            if p in seen:
                raise UserError(f"{source}: '{p}' is listed in layer {seen[p]} and again in layer {li}")
            seen[p] = li
        if layer:
            out.append(list(layer))
    missing = [p for p in g.paths if p not in seen]
    notes = []
    if missing:
        missing.sort(key=path_key)
        out.append(missing)
        notes.append(f"{source}: {len(missing)} closure path(s) not listed went into one extra top layer "
                     f"(e.g. {missing[0]})")
    return out, notes
