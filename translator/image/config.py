"""Image config JSON, as nixpkgs writes it for each builder.

* Layered images (``stream_layered_image.py``): keys ``created, architecture, os, config,
  rootfs{diff_ids,type}, history``, ``json.dumps(indent=4)``, ``created`` in Python's
  ``isoformat()`` (``1970-01-01T00:00:01+00:00``), one history entry per layer with the comment
  ``store paths: [...]`` (the Python repr of the layer's path list).
* Stacked images (``buildImage``): the ``builtins.toJSON`` key order (sorted) of nixpkgs'
  ``baseJson`` plus ``rootfs`` and ``history``.
* ``Env`` with a base image: base list then own list, one entry per variable name, at the
  position where the name first appeared, with the value of its last appearance (so a child's
  ``LAST_LAYER`` replaces the parent's and appears once).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from ..errors import UserError


def parse_time(value: str, what: str = "created") -> datetime:
    """``"now"`` or an ISO-8601 time (``Z`` allowed) as an aware datetime."""
    if value == "now":
        return datetime.now(tz=timezone.utc).replace(microsecond=0)
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except (ValueError, AttributeError) as err:
        raise UserError(f"{what} = {value!r} is not an ISO-8601 time or \"now\"") from err
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


def epoch(value: str, what: str = "mtime") -> int:
    """Seconds since the epoch for a ``created``/``mtime`` argument."""
    return int(parse_time(value, what).timestamp())


def merge_env(base: list[str] | None, own: list[str] | None) -> list[str]:
    """Merge two ``Env`` lists by variable name (first position, last value)."""
    order: list[str] = []
    values: dict[str, str] = {}
    for item in list(base or []) + list(own or []):
        if not isinstance(item, str):
            raise UserError(f"config.Env entries must be strings, got {item!r}")
        key = item.split("=", 1)[0]
        if key not in values:
            order.append(key)
        values[key] = item
    return [values[k] for k in order]


def image_config(config: dict[str, Any] | None, base_config: dict[str, Any] | None) -> dict[str, Any]:
    """The ``config`` object of the new image: the spec's own, with Env merged from the base.

    Other keys of the base (``Cmd``, ``WorkingDir``, ...) are not inherited, as in nixpkgs.
    """
    out = dict(config or {})
    base_env = ((base_config or {}).get("config") or {}).get("Env")
    if base_env:
        out["Env"] = merge_env(base_env, out.get("Env"))
    return out


def layered_config(*, created: str, architecture: str, os_name: str, config: dict[str, Any],
                   diff_ids: list[str], comments: list[str]) -> dict[str, Any]:
    """The config document of a layered image (key order as nixpkgs' script)."""
    c = parse_time(created).isoformat()
    return {
        "created": c,
        "architecture": architecture,
        "os": os_name,
        "config": config,
        "rootfs": {"diff_ids": diff_ids, "type": "layers"},
        "history": [{"created": c, "comment": comment} for comment in comments],
    }


def stacked_config(*, created: str, architecture: str, os_name: str, config: dict[str, Any],
                   diff_ids: list[str], comments: list[str]) -> dict[str, Any]:
    """The config document of a buildImage image."""
    c = _created_str(created)
    return {
        "architecture": architecture,
        "config": config,
        "created": c,
        "os": os_name,
        "rootfs": {"diff_ids": diff_ids, "type": "layers"},
        "history": [dict({"created": c}, **({"comment": cm} if cm else {})) for cm in comments],
    }


def _created_str(created: str) -> str:
    if created == "now":
        return parse_time(created).strftime("%Y-%m-%dT%H:%M:%SZ")
    parse_time(created)  # validate
    return created


def layer_json(*, created: str, architecture: str, os_name: str, config: dict[str, Any],
               parent: str | None) -> dict[str, Any]:
    """A legacy layer ``json`` (before ``id``/``Size`` are added)."""
    d: dict[str, Any] = {"architecture": architecture, "config": config, "created": _created_str(created),
                         "os": os_name}
    if parent:
        d["parent"] = parent
    return d


def dumps_layered(doc: Any) -> bytes:
    """``json.dumps(indent=4)``: ASCII, no trailing newline (nixpkgs' script)."""
    return json.dumps(doc, indent=4).encode()


def dumps_compact(doc: Any) -> bytes:
    """Compact deterministic JSON for buildImage files and OCI documents."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
