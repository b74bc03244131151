"""Small helpers shared by the builtin modules: forcing with Nix's errors, byte-level strings.

Nix strings are byte strings; :class:`NixString` holds a Python ``str``. Text read from files or
cut by ``substring`` may not be valid UTF-8, so bytes map to ``str`` with ``surrogateescape``:
every byte sequence round-trips, and valid UTF-8 stays ordinary text.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable

from .. import operations as ops
from ..values import NixAttrs, NixList


def to_bytes(s: str) -> bytes:
    """The bytes of a Nix string's text (inverse of :func:`from_bytes`)."""
    return s.encode("utf-8", "surrogateescape")


def from_bytes(b: bytes) -> str:
    """Text of a Nix string made of ``b`` (invalid UTF-8 kept as surrogate escapes)."""
    return b.decode("utf-8", "surrogateescape")


def byte_len(s: str) -> int:
    """Length of a Nix string in bytes, as ``stringLength`` counts it."""
    return len(s) if s.isascii() else len(to_bytes(s))


#: Nix's forceFloat (ints accepted) and forceStringNoCtx, as the shared operations define them.
force_float = ops.force_float
force_string_noctx = ops.force_string_no_context


def from_python(data: Any, leaf: Callable[[Any], Any]) -> Any:
    """Nix values from parsed JSON/TOML data (dicts, lists, scalars), iteratively so that deep
    documents never recurse in Python; ``leaf`` converts each scalar (strings included)."""
    root: list[Any] = [None]
    work: list[tuple[Any, Any, Any]] = [(data, root, 0)]
    while work:
        val, parent, key = work.pop()
        if isinstance(val, dict):
            d: dict[str, Any] = {}
            parent[key] = NixAttrs(d)
            for k, x in val.items():
                work.append((x, d, k))
        elif isinstance(val, list):
            items: list[Any] = [None] * len(val)
            parent[key] = NixList(items)
            for i, x in enumerate(val):
                work.append((x, items, i))
        else:
            parent[key] = leaf(val)
    return root[0]
