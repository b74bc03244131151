"""The state of one nix2image evaluation: catalog, binds, recipes the modelled nixpkgs recorded.

The modelled nixpkgs (``translator/universe/nixpkgs``) calls two primops (see :mod:`.primops`):
one reads packages from the catalog, the other names a builder's output and records its recipe
here. Spec extraction and realisation read this record afterwards. One session is active at a
time (an evaluation is single-threaded); :func:`active` gives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..storeinfo import PathInfo


@dataclass(slots=True)
class Bound:
    """A ``--bind NAME=PATH``: the store path it stands for and where its content is."""

    name: str
    store_path: str
    location: str | None  # a directory/file on disk with the content (None: only in a Nix store)
    closure: list[PathInfo] = field(default_factory=list)
    used: bool = False


@dataclass(slots=True)
class Recipe:
    """What a modelled builder was asked to make: ``kind`` and its arguments as plain data.

    Strings keep their store path context in ``refs`` (every store path the recipe's strings
    mention), the inputs a realisation may read and the candidates for its references.
    """

    kind: str
    name: str
    out_path: str
    data: dict[str, Any]
    refs: frozenset[str]
    pos: Any = None


@dataclass(slots=True)
class Session:
    catalog: Any  # translator.universe.catalog.Catalog
    system: str = "x86_64-linux"
    binds: dict[str, Bound] = field(default_factory=dict)
    placeholders: bool = False
    recipes: dict[str, Recipe] = field(default_factory=dict)
    extra_paths: dict[str, PathInfo] = field(default_factory=dict)  # derived (cross) catalog paths
    warnings: list[str] = field(default_factory=list)
    cross_cache: dict[str, dict] = field(default_factory=dict)
    # the open package world (see .openworld): registered sets by id, stand-ins made, and the
    # missing packages' attribute paths with the positions that used them
    open_sets: dict[int, Any] = field(default_factory=dict)
    synthetic_values: dict[tuple, Any] = field(default_factory=dict)
    missing: dict[str, list] = field(default_factory=dict)
    # where pinned sources and real nixpkgs come from (translator.universe.real_nixpkgs.SourceSettings)
    sources: Any = None

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


_active: Session | None = None


def activate(session: Session | None) -> None:
    global _active
    _active = session


def active() -> Session:
    """The current session (a default one over the embedded catalog when none was activated)."""
    global _active
    if _active is None:
        from .catalog import load_default

        _active = Session(catalog=load_default())
    return _active
