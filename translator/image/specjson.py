"""Image specs and layer plans as JSON files (``build --spec-json``, ``--layers``).

A spec JSON object has the field names of :class:`~translator.spec.ImageSpec` (``closure`` as a
list of ``{path, nar_size, references, nar_hash, closure_size}``, or with Nix's names
``narSize``/``narHash``/``closureSize`` as ``spec --json`` writes them; ``from_image`` as a
``BaseImageRef`` object whose ``spec`` may itself be a spec object). Store paths are read from the local store (or from
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
    closure = d.get("closure", [])
    if not isinstance(closure, list):
        raise UsageError(f"error: {where}: 'closure' must be a list of store path objects")
    kw["closure"] = [_path_info(c, f"{where}: closure[{i}]") for i, c in enumerate(closure)]
    if d.get("from_image"):
        fi = _object(d["from_image"], f"{where}: from_image")
        if fi.get("spec"):
            fi["spec"] = spec_from_data(fi["spec"], where + ".from_image.spec")
        kw["from_image"] = _make(BaseImageRef, fi, f"{where}: from_image")
    kw["call"] = [_make(CallArg, _object(c, f"{where}: call[{i}]"), f"{where}: call[{i}]")
                  for i, c in enumerate(d.get("call", []))]
    kw["images"] = [spec_from_data(s, f"{where}.images[{i}]") for i, s in enumerate(d.get("images", []))]
    if "builder" not in kw or "name" not in kw:
        raise UsageError(f"error: {where}: a spec needs at least 'builder' and 'name'")
    try:
        return ImageSpec(**kw)
    except TypeError as err:
        raise UsageError(f"error: {where}: {err}") from err


#: A closure entry's fields: PathInfo's own names, or Nix's (``nix path-info --json``,
#: ``exportReferencesGraph``), which ``spec --json`` writes.
_PATH_FIELDS = tuple(f.name for f in dataclasses.fields(PathInfo))
_NIX_NAMES = {"narSize": "nar_size", "narHash": "nar_hash", "closureSize": "closure_size"}


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _path_info(c: Any, where: str) -> PathInfo:
    """One ``closure`` entry, checked: a misspelt field would otherwise be dropped without a
    word (a lost ``narHash`` makes the layer cache walk every tree; a lost ``narSize`` changes
    the layering), and a missing or mistyped one end as a crash."""
    if not isinstance(c, dict) or not isinstance(c.get("path"), str):
        raise UsageError(f"error: {where}: a closure entry must be an object with a string 'path'")
    at = f"{where} ({c['path']})"
    fields: dict[str, Any] = {}
    for key, v in c.items():
        name = _NIX_NAMES.get(key, key)
        if name not in _PATH_FIELDS:
            raise UsageError(f"error: {at}: unknown field '{key}' (a closure entry has "
                             f"{', '.join(_PATH_FIELDS)}, or Nix's {', '.join(_NIX_NAMES)})")
        if name in fields:
            raise UsageError(f"error: {at}: '{name}' is given twice (as '{key}' too)")
        fields[name] = v
    refs = fields.get("references", [])
    if not isinstance(refs, (list, tuple)) or not all(isinstance(r, str) for r in refs):
        raise UsageError(f"error: {at}: 'references' must be a list of store paths")
    nar_size, nar_hash, closure_size = fields.get("nar_size", 0), fields.get("nar_hash"), fields.get("closure_size")
    for name, want, ok in (("nar_size", "a whole number", _whole(nar_size)),
                           ("nar_hash", "a string", nar_hash is None or isinstance(nar_hash, str)),
                           ("closure_size", "a whole number", closure_size is None or _whole(closure_size))):
        if not ok:
            raise UsageError(f"error: {at}: '{name}' must be {want}, not {json.dumps(fields[name])}")
    return PathInfo(c["path"], nar_size, tuple(refs), nar_hash=nar_hash or None, closure_size=closure_size)


def _object(v: Any, where: str) -> dict:
    if not isinstance(v, dict):
        raise UsageError(f"error: {where}: must be a JSON object")
    return dict(v)


def _make(cls: Any, fields: dict, where: str) -> Any:
    """``cls(**fields)``, an unknown or missing field reported as the spec's error."""
    try:
        return cls(**fields)
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
