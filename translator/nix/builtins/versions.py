"""Version builtins: parseDrvName, compareVersions, splitVersion, with Nix's component rules.

A version splits into components at ``.`` and ``-``, and between digit runs and other runs.
Components compare as numbers when both are numbers (that fit a C ``int``); ``pre`` sorts before
anything else; a number beats a non-number (``2.3a < 2.3.1``); otherwise byte order.
"""

from __future__ import annotations

from ..values import NixAttrs, NixList, NixString
from . import builtin
from ._util import force_string_noctx

_INT_MAX32 = 2**31 - 1


def _isdigit(c: str) -> bool:
    return "0" <= c <= "9"


def _isalpha(c: str) -> bool:
    return ("a" <= c <= "z") or ("A" <= c <= "Z")


def next_component(s: str, p: int) -> tuple[str, int]:
    """The component starting at or after ``p`` (skipping separators) and the index after it."""
    n = len(s)
    while p < n and s[p] in ".-":
        p += 1
    if p >= n:
        return "", p
    start = p
    if _isdigit(s[p]):
        while p < n and _isdigit(s[p]):
            p += 1
    else:
        while p < n and not _isdigit(s[p]) and s[p] not in ".-":
            p += 1
    return s[start:p], p


def _as_int(c: str) -> int | None:
    if c and all(_isdigit(ch) for ch in c):
        n = int(c)
        return n if n <= _INT_MAX32 else None
    return None


def components_lt(c1: str, c2: str) -> bool:
    n1 = _as_int(c1)
    n2 = _as_int(c2)
    if n1 is not None and n2 is not None:
        return n1 < n2
    if c1 == "" and n2 is not None:
        return True
    if c1 == "pre" and c2 != "pre":
        return True
    if c2 == "pre":
        return False
    if n2 is not None:
        return True
    if n1 is not None:
        return False
    return c1.encode("utf-8", "surrogateescape") < c2.encode("utf-8", "surrogateescape")


def compare_versions(v1: str, v2: str) -> int:
    p1 = p2 = 0
    while p1 < len(v1) or p2 < len(v2):
        c1, p1 = next_component(v1, p1)
        c2, p2 = next_component(v2, p2)
        if components_lt(c1, c2):
            return -1
        if components_lt(c2, c1):
            return 1
    return 0


def split_version(v: str) -> list[str]:
    out = []
    p = 0
    while p < len(v):
        c, p = next_component(v, p)
        if not c:
            break
        out.append(c)
    return out


def parse_drv_name(s: str) -> tuple[str, str]:
    """(name, version): the name ends at the first ``-`` not followed by a letter."""
    for i, c in enumerate(s):
        if c == "-" and i + 1 < len(s) and not _isalpha(s[i + 1]):
            return s[:i], s[i + 1:]
    return s, ""


@builtin("compareVersions", 2)
def prim_compare_versions(args, pos):
    return compare_versions(force_string_noctx(args[0], pos), force_string_noctx(args[1], pos))


@builtin("splitVersion", 1)
def prim_split_version(args, pos):
    return NixList([NixString(c) for c in split_version(force_string_noctx(args[0], pos))])


@builtin("parseDrvName", 1)
def prim_parse_drv_name(args, pos):
    name, version = parse_drv_name(force_string_noctx(args[0], pos))
    return NixAttrs({"name": NixString(name), "version": NixString(version)})
