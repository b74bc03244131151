"""Nix path arithmetic shared by the parser, the evaluator and the builtins."""

from __future__ import annotations


def canon_path(path: str) -> str:
    """Nix's ``canonPath``: absolute, no ``.``/``..``/empty components, no trailing slash."""
    out: list[str] = []
    for part in path.split("/"):
        if part == "" or part == ".":
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return "/" + "/".join(out)
