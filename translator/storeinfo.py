"""Plain data shared by the universe, layering and image stages: what is known of a store path."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PathInfo:
    """One store path as ``exportReferencesGraph`` / ``nix path-info --json`` describe it.

    ``references`` may include the path itself (Nix lists self-references); consumers ignore them.
    """

    path: str
    nar_size: int
    references: tuple[str, ...] = ()
    nar_hash: str | None = None
    closure_size: int | None = None


@dataclass(frozen=True, slots=True)
class LayerPlan:
    """The result of a layering strategy: store layers bottom first, each a list of store paths.

    ``ranking`` is the full popularity order for strategies that have one (``popularity``).
    ``notes`` carries warnings (e.g. more layers than Docker can mount) for the caller to print.
    """

    strategy: str
    layers: tuple[tuple[str, ...], ...]
    ranking: tuple[str, ...] | None = None
    notes: tuple[str, ...] = field(default=())
