"""Image specs and layer plans as JSON files (``build --spec-json``, ``--layers``).

A spec JSON object has the field names of :class:`~translator.spec.ImageSpec` (``closure`` as a
list of ``{path, nar_size, references}``, ``from_image`` as a ``BaseImageRef`` object whose
``spec`` may itself be a spec object). Store paths are read from the local store (or from
``content_root`` + path when given). A layers file is a JSON list of lists of store paths, bottom
layer first, or ``{"layers": [...]}``.
"""

from __future__ import annotations

import dataclasses
import json

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from ..errors import UsageError
from ..spec import BaseImageRef, CallArg, ImageSpec
from ..storeinfo import LayerPlan, PathInfo


def _load(path: str, what: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as err:
        raise UsageError(f"error: {what} {path}: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise UsageError(f"error: {what} {path}:{err.lineno}:{err.colno}: invalid JSON: {err.msg}") from err


def spec_from_data(d: dict[str, Any], where: str) -> ImageSpec:
    if not isinstance(d, dict):
        raise UsageError(f"error: {where}: an image spec must be a JSON object")
    names = {f.name for f in dataclasses.fields(ImageSpec)}
    unknown = sorted(set(d) - names)
    if unknown:
        raise UsageError(f"error: {where}: unknown spec field(s) {', '.join(unknown)}")
    kw = dict(d)
    kw["closure"] = [PathInfo(c["path"], int(c.get("nar_size", 0)), tuple(c.get("references", ())),
                              nar_hash=c.get("nar_hash") or None, closure_size=c.get("closure_size"))
                     for c in d.get("closure", [])]
    if d.get("from_image"):
        fi = dict(d["from_image"])
        if fi.get("spec"):
            fi["spec"] = spec_from_data(fi["spec"], where + ".from_image.spec")
        kw["from_image"] = BaseImageRef(**fi)
    kw["call"] = [CallArg(**c) for c in d.get("call", [])]
    kw["images"] = [spec_from_data(s, f"{where}.images[{i}]") for i, s in enumerate(d.get("images", []))]
    if "builder" not in kw or "name" not in kw:
        raise UsageError(f"error: {where}: a spec needs at least 'builder' and 'name'")
    try:
        return ImageSpec(**kw)
    except TypeError as err:
        raise UsageError(f"error: {where}: {err}") from err


def load_spec_json(path: str) -> ImageSpec:
    return spec_from_data(_load(path, "--spec-json"), path)


def spec_to_data(spec: ImageSpec) -> dict[str, Any]:
    return dataclasses.asdict(spec)


def load_layers(path: str) -> LayerPlan:
    d = _load(path, "--layers")
    if isinstance(d, dict):
        d = d.get("layers")
    if not isinstance(d, list) or not all(isinstance(l, list) and all(isinstance(p, str) for p in l) for l in d):
        raise UsageError(f"error: --layers {path}: expected a JSON list of lists of store paths")
    return LayerPlan(strategy="given", layers=tuple(tuple(l) for l in d))
