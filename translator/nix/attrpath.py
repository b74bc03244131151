"""Attribute paths as ``-A`` takes them (Nix's ``tokenizeAttrPath``): dots separate names,
double quotes group a name that contains dots (``"a.b".c`` is two names)."""

from __future__ import annotations


def split_attr_path(path: str) -> list[str]:
    """The names of ``path``; empty names are kept (callers word the error)."""
    out, cur, quoted = [], [], False
    for c in path:
        if c == '"':
            quoted = not quoted
        elif c == "." and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    out.append("".join(cur))
    return out
