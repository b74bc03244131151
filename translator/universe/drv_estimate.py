"""Estimated metadata of a real package nobody built: what its derivation's runtime inputs suggest.

A real nixpkgs evaluated here gives exact derivations and output paths, but not what a build would
produce. When no Nix store, catalog or binary cache knows an output and ``--placeholders`` is on,
the image still needs a narSize and references for it: the references are taken to be the outputs
named by the derivation's runtime inputs (``buildInputs``, ``propagatedBuildInputs``, and the
other host-side propagated inputs), the size a typical package's. Both are labelled estimates.
"""

from __future__ import annotations

import re

from ..storeinfo import PathInfo
from ..store import derivation as D

#: narSize assumed for a package that was never built (the same as an opaque package's stand-in).
ESTIMATED_SIZE = 4 * 1024 * 1024
#: Environment variables of a stdenv derivation that name inputs present at run time.
RUNTIME_INPUT_VARS = ("buildInputs", "propagatedBuildInputs", "depsHostHostPropagated", "depsTargetTarget",
                      "depsTargetTargetPropagated")
_STORE_PATH = re.compile(r"/nix/store/[0-9a-z]{32}-[A-Za-z0-9+._?=-]+")

_index: dict[str, D.Derivation] = {}
_indexed = 0


def derivation_of(out_path: str) -> D.Derivation | None:
    """The derivation (evaluated in this process) one of whose outputs is ``out_path``."""
    global _indexed
    if len(D.DERIVATIONS) != _indexed:
        for drv in list(D.DERIVATIONS.values()):
            for out in drv.outputs.values():
                if out.path:
                    _index[out.path] = drv
        _indexed = len(D.DERIVATIONS)
    return _index.get(out_path)


def estimate(out_path: str) -> PathInfo | None:
    """An estimated :class:`PathInfo` for an output of an evaluated derivation, else None."""
    drv = derivation_of(out_path)
    if drv is None:
        return None
    refs: set[str] = set()
    for var in RUNTIME_INPUT_VARS:
        for p in _STORE_PATH.findall(drv.env.get(var, "")):
            dep = derivation_of(p)
            if dep is None:
                continue
            # inputs are often `dev` outputs; what runs is the library/program output
            runtime = next((dep.outputs[o].path for o in ("lib", "out") if o in dep.outputs), p)
            if runtime != out_path:
                refs.add(runtime)
    return PathInfo(out_path, ESTIMATED_SIZE, tuple(sorted(refs)))
