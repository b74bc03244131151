"""Read and write closure graphs: the store paths of a closure with their sizes and references.

Readers return ``list[PathInfo]`` in the order the file lists the paths (some layering tie-breaks
depend on it). The format is detected from the content, not the file name:

* ``nix path-info --json -r`` in the list form (Nix < 2.19: ``[{"path": ..., "narSize": ...}]``)
  and in the object form (Nix >= 2.19: ``{"/nix/store/...": {"narSize": ...}}``; references may
  be full paths or base names);
* ``exportReferencesGraph`` / ``closureInfo`` JSON (the list form with ``closureSize``);
* ``nix-store -q --graph`` DOT output (edges point from a dependency to its referrer; sizes are
  unknown: 0 unless a ``sizes`` mapping, e.g. from a catalog, knows them).

Malformed input raises :class:`~translator.errors.UserError` naming the file and the line and
column (JSON syntax errors, or the first place an offending store path is written).
The writer produces ``exportReferencesGraph`` JSON, written to a temporary file and renamed.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping

from .errors import Pos, UserError
from .storeinfo import PathInfo

DEFAULT_STORE_DIR = "/nix/store"

_DOT_NODE = re.compile(r'^\s*"([^"]+)"\s*(\[[^\]]*\])?\s*;?\s*$')
_DOT_EDGE = re.compile(r'^\s*"([^"]+)"\s*->\s*"([^"]+)"\s*(\[[^\]]*\])?\s*;?\s*$')


def _pos_of(text: str, needle: str, name: str) -> Pos | None:
    """Where ``needle`` is first written in ``text`` (1-based line/column), for messages."""
    at = text.find(needle)
    if at < 0 and "/" in needle:  # written as a base name (newer `nix path-info --json`)
        at = text.find(('"' if needle.startswith('"') else "") + needle.rsplit("/", 1)[-1])
    if at < 0:
        return None
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return Pos(name, line, col)


def detect_format(text: str) -> str:
    """``"json"`` or ``"dot"``, from the first non-blank character of the content."""
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        return "json"
    if stripped.startswith(("digraph", "strict", "graph")):
        return "dot"
    return "unknown"


def read_closure(path: str | os.PathLike[str], sizes: Mapping[str, int] | None = None) -> list[PathInfo]:
    """Read a closure file in any supported format (detected from its content)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"closure file '{name}' does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"cannot read closure file '{name}': {err}") from None
    return parse_closure(text, name, sizes=sizes)


def parse_closure(text: str, name: str = "«string»", sizes: Mapping[str, int] | None = None) -> list[PathInfo]:
    """Parse closure text (JSON or DOT) named ``name`` in messages."""
    fmt = detect_format(text)
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise UserError(f"{name}: invalid JSON: {err.msg}", Pos(name, err.lineno, err.colno)) from None
        infos = parse_json_closure(data, text, name)
    elif fmt == "dot":
        infos = parse_dot_closure(text, name, sizes=sizes)
    else:
        raise UserError(
            f"{name}: not a closure file (expected `nix path-info --json -r` output, exportReferencesGraph "
            "JSON or `nix-store -q --graph` DOT)", Pos(name, 1, 1))
    check_closed(infos, text, name)
    return infos


def _int_field(entry: dict, key: str, path: str, text: str, name: str, required: bool) -> int | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise UserError(f"{name}: store path '{path}' has no '{key}'", _pos_of(text, f'"{path}"', name))
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UserError(f"{name}: '{key}' of '{path}' must be a non-negative integer, not {json.dumps(value)}",
                        _pos_of(text, f'"{path}"', name))
    return value


def _refs(entry: dict, path: str, store_dir: str, text: str, name: str) -> tuple[str, ...]:
    refs = entry.get("references", [])
    if refs is None:
        refs = []
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise UserError(f"{name}: 'references' of '{path}' must be a list of store paths",
                        _pos_of(text, f'"{path}"', name))
    return tuple(r if r.startswith("/") else f"{store_dir}/{r}" for r in refs)


def parse_json_closure(data: Any, text: str = "", name: str = "«json»") -> list[PathInfo]:
    """Turn parsed JSON (list form or object form) into PathInfo records."""
    infos: list[PathInfo] = []
    if isinstance(data, list):
        for i, entry in enumerate(data):
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                raise UserError(f"{name}: entry {i} is not an object with a 'path'",
                                _pos_of(text, json.dumps(entry)[:40], name) if text else None)
            path = entry["path"]
            if entry.get("valid") is False:
                raise UserError(f"{name}: store path '{path}' is not valid (not in the store it was queried from)",
                                _pos_of(text, f'"{path}"', name))
            store_dir = path.rsplit("/", 1)[0] or DEFAULT_STORE_DIR
            infos.append(_info(entry, path, store_dir, text, name))
    elif isinstance(data, dict):
        if "graph" in data and isinstance(data["graph"], list) and not any(k.startswith("/") for k in data):
            return parse_json_closure(data["graph"], text, name)  # structured-attrs wrapper {"graph": [...]}
        for key, entry in data.items():
            path = key if key.startswith("/") else f"{DEFAULT_STORE_DIR}/{key}"  # newer Nix: base names
            if "/" in key[1:] and not key.startswith("/"):
                raise UserError(f"{name}: key '{key}' is not a store path", _pos_of(text, f'"{key}"', name))
            if entry is None:
                raise UserError(f"{name}: store path '{path}' is not valid (null info)", _pos_of(text, f'"{path}"', name))
            if not isinstance(entry, dict):
                raise UserError(f"{name}: the info of '{path}' is not an object", _pos_of(text, f'"{path}"', name))
            store_dir = path.rsplit("/", 1)[0] or DEFAULT_STORE_DIR
            infos.append(_info(entry, path, store_dir, text, name))
    else:
        raise UserError(f"{name}: a closure must be a JSON list or object", Pos(name, 1, 1))
    return infos


def _info(entry: dict, path: str, store_dir: str, text: str, name: str) -> PathInfo:
    nar_size = _int_field(entry, "narSize", path, text, name, required=True)
    closure_size = _int_field(entry, "closureSize", path, text, name, required=False)
    nar_hash = entry.get("narHash")
    if nar_hash is not None and not isinstance(nar_hash, str):
        raise UserError(f"{name}: 'narHash' of '{path}' must be a string", _pos_of(text, f'"{path}"', name))
    return PathInfo(path=path, nar_size=nar_size or 0, references=_refs(entry, path, store_dir, text, name),
                    nar_hash=nar_hash, closure_size=closure_size)


def parse_dot_closure(text: str, name: str = "«dot»", sizes: Mapping[str, int] | None = None,
                      store_dir: str = DEFAULT_STORE_DIR) -> list[PathInfo]:
    """Parse ``nix-store -q --graph`` output. An edge ``"a" -> "b"`` means b references a."""
    order: list[str] = []
    refs: dict[str, list[str]] = {}

    def full(node: str) -> str:
        return node if node.startswith("/") else f"{store_dir}/{node}"

    def add(node: str) -> str:
        p = full(node)
        if p not in refs:
            refs[p] = []
            order.append(p)
        return p

    lines = text.split("\n")
    seen_open = False
    for lineno, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith(("//", "#")):
            continue
        if not seen_open:
            if re.match(r"^(strict\s+)?digraph\b.*\{\s*$", s):
                seen_open = True
                continue
            raise UserError(f"{name}: expected 'digraph G {{' at the start of the DOT graph", Pos(name, lineno, 1))
        if s == "}":
            seen_open = None  # type: ignore[assignment]
            continue
        if seen_open is None:
            raise UserError(f"{name}: unexpected text after the end of the graph", Pos(name, lineno, 1))
        m = _DOT_EDGE.match(s)
        if m:
            dep, user = add(m.group(1)), add(m.group(2))
            if dep not in refs[user]:
                refs[user].append(dep)
            continue
        m = _DOT_NODE.match(s)
        if m:
            add(m.group(1))
            continue
        col = len(line) - len(line.lstrip()) + 1
        raise UserError(f"{name}: cannot read this DOT line (expected a node or an edge)", Pos(name, lineno, col))
    if seen_open is False:
        raise UserError(f"{name}: empty DOT graph", Pos(name, 1, 1))
    if seen_open is True:
        raise UserError(f"{name}: the DOT graph is not closed with '}}'", Pos(name, len(lines), 1))
    sizes = sizes or {}
    return [PathInfo(path=p, nar_size=int(sizes.get(p, 0)), references=tuple(refs[p])) for p in order]


def check_closed(infos: Iterable[PathInfo], text: str = "", name: str = "«closure»") -> None:
    """Every path listed once and every reference listed: otherwise a UserError naming the path."""
    known: set[str] = set()
    infos = list(infos)
    for info in infos:
        if info.path in known:
            raise UserError(f"{name}: store path '{info.path}' is listed twice", _pos_of(text, f'"{info.path}"', name))
        known.add(info.path)
    for info in infos:
        for ref in info.references:
            if ref not in known:
                raise UserError(
                    f"{name}: '{info.path}' references '{ref}', which the closure does not list (the closure is not closed)",
                    _pos_of(text, ref, name) or _pos_of(text, info.path, name))


def closure_sizes(infos: list[PathInfo]) -> dict[str, int]:
    """closureSize of every path (sum of narSize over its closure), computed with bitsets."""
    index = {p.path: i for i, p in enumerate(infos)}
    children = [[index[r] for r in p.references if r != p.path and r in index] for p in infos]
    bits: list[int | None] = [None] * len(infos)
    for start in range(len(infos)):
        if bits[start] is not None:
            continue
        stack = [(start, False)]
        while stack:
            v, done = stack.pop()
            if done:
                b = 1 << v
                for c in children[v]:
                    b |= bits[c] or 0
                bits[v] = b
                continue
            if bits[v] is not None:
                continue
            stack.append((v, True))
            stack.extend((c, False) for c in children[v] if bits[c] is None)
    sizes = [p.nar_size for p in infos]
    out: dict[str, int] = {}
    for i, p in enumerate(infos):
        b, total, j = bits[i] or 0, 0, 0
        while b:
            low = b & 0xFFFFFFFF
            if low:
                for k in range(32):
                    if low >> k & 1:
                        total += sizes[j + k]
            b >>= 32
            j += 32
        out[p.path] = total
    return out


def to_references_graph(infos: list[PathInfo]) -> list[dict[str, Any]]:
    """exportReferencesGraph records, in the given order (closureSize computed when missing)."""
    need = any(p.closure_size is None for p in infos)
    sizes = closure_sizes(infos) if need else {}
    out = []
    for p in infos:
        out.append({
            "closureSize": p.closure_size if p.closure_size is not None else sizes[p.path],
            "narHash": p.nar_hash or "",
            "narSize": p.nar_size,
            "path": p.path,
            "references": sorted(p.references),
        })
    return out


def write_references_graph(infos: list[PathInfo], dest: str | os.PathLike[str]) -> None:
    """Write exportReferencesGraph JSON to ``dest`` atomically (temp file, then rename)."""
    text = json.dumps(to_references_graph(infos), indent=1, sort_keys=True) + "\n"
    atomic_write(dest, text)


def atomic_write(dest: str | os.PathLike[str], data: str | bytes) -> None:
    """Write to a temporary file next to ``dest`` and rename it into place."""
    dest = Path(dest)
    directory = dest.parent if str(dest.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=directory)
    except OSError as err:
        raise UserError(f"cannot write '{dest}': {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual mode
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
