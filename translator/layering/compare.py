"""Comparing layer plans: what a strategy costs when images change and what images share.

A layer is identified by its set of store paths: store paths are content-addressed, so a layer
with the same paths is byte-identical (nix2image writes layers deterministically) and a registry
or a client that has it does not move it again. Between an old and a new image, a layer of the new
plan whose path set is not a layer of the old plan must be pushed to the registry and pulled by
every client that has the old image: the same bytes in both directions (``moved``).
Sizes are ``narSize`` sums (the uncompressed layer content, a good proxy for the tar size).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Mapping, Sequence

from ..storeinfo import LayerPlan


def layer_size(layer: Sequence[str], sizes: Mapping[str, int]) -> int:
    return sum(sizes[p] for p in layer)


@dataclass(frozen=True, slots=True)
class PlanStats:
    """Per plan: number of layers, size of each, the largest, paths per layer."""

    strategy: str
    layers: int
    total_bytes: int
    largest_bytes: int
    layer_bytes: list[int]
    paths_per_layer: list[int]

    def to_json(self) -> dict:
        return asdict(self)


def plan_stats(plan: LayerPlan, sizes: Mapping[str, int]) -> PlanStats:
    layer_bytes = [layer_size(layer, sizes) for layer in plan.layers]
    return PlanStats(plan.strategy, len(plan.layers), sum(layer_bytes), max(layer_bytes, default=0),
                     layer_bytes, [len(layer) for layer in plan.layers])


@dataclass(frozen=True, slots=True)
class UpdateCost:
    """Moving from one image to the next with one strategy."""

    moved_bytes: int  # pushed to the registry = pulled by a client that has the old image
    changed_layers: int
    layers: int
    reused_bytes: int
    total_bytes: int

    @property
    def reused_fraction(self) -> float:
        return self.reused_bytes / self.total_bytes if self.total_bytes else 1.0

    def to_json(self) -> dict:
        d = asdict(self)
        d["reused_fraction"] = round(self.reused_fraction, 6)
        return d


def update_cost(old: LayerPlan, new: LayerPlan, new_sizes: Mapping[str, int]) -> UpdateCost:
    have = {frozenset(layer) for layer in old.layers}
    moved = changed = reused = 0
    for layer in new.layers:
        size = layer_size(layer, new_sizes)
        if frozenset(layer) in have:
            reused += size
        else:
            moved += size
            changed += 1
    return UpdateCost(moved, changed, len(new.layers), reused, moved + reused)


@dataclass(slots=True)
class SequenceCost:
    """One strategy over a sequence of versions: the first full pull, then each update."""

    strategy: str
    initial_bytes: int
    updates: list[UpdateCost] = field(default_factory=list)

    @property
    def running_totals(self) -> list[int]:
        out, acc = [], 0
        for u in self.updates:
            acc += u.moved_bytes
            out.append(acc)
        return out

    @property
    def total_moved(self) -> int:
        return sum(u.moved_bytes for u in self.updates)

    def to_json(self) -> dict:
        return {"strategy": self.strategy, "initial_bytes": self.initial_bytes,
                "updates": [u.to_json() for u in self.updates], "running_totals": self.running_totals,
                "total_moved_bytes": self.total_moved}


def sequence_cost(strategy: str, plans: Sequence[LayerPlan], sizes: Sequence[Mapping[str, int]]) -> SequenceCost:
    """Costs of going through ``plans`` (one per version, same strategy) in order."""
    seq = SequenceCost(strategy, sum(layer_size(layer, sizes[0]) for layer in plans[0].layers) if plans else 0)
    for i in range(1, len(plans)):
        seq.updates.append(update_cost(plans[i - 1], plans[i], sizes[i]))
    return seq


@dataclass(frozen=True, slots=True)
class SharingStats:
    """Several images with one strategy: what a registry stores once instead of per image."""

    strategy: str
    images: int
    total_bytes: int  # sum of the images' sizes
    stored_bytes: int  # distinct layers, each once
    shared_layers: int  # distinct layers used by two images or more

    @property
    def shared_bytes(self) -> int:
        return self.total_bytes - self.stored_bytes

    def to_json(self) -> dict:
        d = asdict(self)
        d["shared_bytes"] = self.shared_bytes
        return d


def sharing(strategy: str, plans: Sequence[LayerPlan], sizes: Sequence[Mapping[str, int]]) -> SharingStats:
    seen: dict[frozenset[str], int] = {}
    uses: dict[frozenset[str], int] = {}
    total = 0
    for plan, sz in zip(plans, sizes):
        for layer in plan.layers:
            key = frozenset(layer)
            size = layer_size(layer, sz)
            total += size
            seen[key] = size
            uses[key] = uses.get(key, 0) + 1
    return SharingStats(strategy, len(plans), total, sum(seen.values()), sum(1 for c in uses.values() if c > 1))
