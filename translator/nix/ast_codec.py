"""The AST as plain tuples for :mod:`marshal` (the parse cache's entries), and back.

Loading a cached file is on the path of every ``import``, so decoding is built for speed: the
nodes are stored in post-order as flat records ``(class, field, ...)`` in which a child node is
the index of its (earlier) record and a position the index into a table of ``(file, line, col)``;
decoding is then one loop over the records, calling a decoder generated per class that builds
the node with its fields in place (no recursion, no test of each value's kind). Nodes shared in
the tree (the ``e`` of ``inherit (e) a b;``) are stored once and stay shared; equal positions
share one :class:`Pos` (it is immutable). A large lambda body is stored apart, as the marshal
bytes of its own ``(positions, records)``, and decoded only when first read (:class:`.ast.LazyExpr`).

What a field holds is read from its annotation in :mod:`.ast`: a position, a node (or None), a
list of nodes, a list mixing literal strings and nodes (``InterpStr.parts``, ``Select.path``), a
dict of names to nodes, or a plain value. A new field kind fails the round-trip test
(``tests/test_parse_cache.py``), not silently.
"""

from __future__ import annotations

import gc
import marshal
import re

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable

from ..errors import Pos
from . import ast

#: Field kinds.
POS, NODE, NODES, MIXED, DICT, PLAIN = "pos", "node", "nodes", "mixed", "dict", "plain"

CLASSES: list[type] = sorted((c for c in vars(ast).values()
                              if isinstance(c, ast.NodeType) and c.__module__ == ast.__name__),
                             key=lambda c: c.__name__)
_INDEX = {c: i for i, c in enumerate(CLASSES)}
_NODE_NAMES = {c.__name__ for c in CLASSES} | {"AttrName"}


def field_kind(annotation: str) -> str:
    """The kind of a field from its annotation (a string: ast.py uses postponed annotations)."""
    a = annotation.replace(" ", "")
    if a == "Pos":
        return POS
    if a.startswith("dict["):
        return DICT
    names = set(re.split(r"[\[\],|]", a)) - {""}
    if a.startswith("list["):
        return MIXED if "str" in names or "AttrName" in names else NODES
    return NODE if names & _NODE_NAMES else PLAIN


FIELDS: list[tuple[tuple[str, str], ...]] = [
    tuple((f, field_kind(c._types[f])) for f in c._fields) for c in CLASSES]


# --- encoding ---------------------------------------------------------------------------------

#: A lambda body of at least this many nodes is stored apart (bytes, decoded when first read:
#: see :class:`.ast.LazyExpr`); a smaller one costs less to decode with its file.
LAZY_BODY_NODES = 24
_LAMBDA = _INDEX[ast.Lambda]


def encode(root: Any) -> tuple:
    """``(positions, records)``: the tree under ``root`` (its record is the last one)."""
    records: list[tuple] = []
    done: dict[int, int] = {}  # id(node) -> its index, 1-based (0 stands for None); the tree
    #                            under `root` keeps every node alive, so ids are not reused
    positions: dict[Pos, int] = {}

    def pos_index(p: Any) -> int:
        if type(p) is not Pos:
            raise ValueError(f"cannot cache a position of type {type(p).__name__}")
        i = positions.get(p)
        if i is None:
            i = positions[p] = len(positions)
        return i

    def node(v: Any) -> int:
        if v is None:
            return 0
        ref = done.get(id(v))
        if ref is not None:
            return ref
        idx = _INDEX.get(type(v))
        if idx is None:
            raise ValueError(f"cannot cache a {type(v).__name__} in an AST")
        rec: list[Any] = [idx]
        for name, kind in FIELDS[idx]:
            if idx == _LAMBDA and name == "body":
                rec.append(_body(v.raw_body))
                continue
            x = getattr(v, name)
            if kind is NODE:
                rec.append(node(x))
            elif kind is POS:
                rec.append(pos_index(x))
            elif kind is NODES:
                rec.append(tuple(node(y) for y in x))
            elif kind is MIXED:
                rec.append(tuple(y if type(y) is str else node(y) for y in x))
            elif kind is DICT:
                rec.append((tuple(x), tuple(node(y) for y in x.values())))
            else:
                rec.append(x)
        records.append(tuple(rec))
        done[id(v)] = len(records)
        return len(records)

    def _body(x: Any) -> Any:  # a lambda's body: apart when large (bytes) or a node index
        if type(x) is ast.LazyExpr:
            return x.data  # never read since it was loaded: stored again as it is
        if _smaller_than(x, LAZY_BODY_NODES):
            return node(x)
        return marshal.dumps(encode(x))

    node(root)
    # One int object per line number, so that marshal writes each once and a load shares it
    # (Python shares only the ints up to 256): a real nixpkgs package's positions held 15,000
    # line numbers as 15,000 objects of 32 bytes, for 1,500 different values.
    lines: dict[int, int] = {}
    line_of = lines.setdefault
    return tuple((p.file, line_of(p.line, p.line), p.col) for p in positions), tuple(records)


def _smaller_than(root: Any, limit: int) -> bool:
    """Whether the tree under ``root`` has fewer than ``limit`` nodes (counting stops at the
    limit, so deciding costs at most ``limit`` steps: encoding a body only to measure it made
    nested functions be encoded once per enclosing one). A body already stored apart is large."""
    left = limit
    stack = [root]
    while stack:
        v = stack.pop()
        idx = _INDEX.get(type(v))
        if idx is None:  # None, or a literal part of a MIXED field
            continue
        left -= 1
        if left <= 0:
            return False
        for name, kind in FIELDS[idx]:
            if idx == _LAMBDA and name == "body":
                body = v.raw_body
                if type(body) is ast.LazyExpr:
                    return False
                stack.append(body)
            elif kind is NODE:
                stack.append(getattr(v, name))
            elif kind is NODES or kind is MIXED:
                stack.extend(getattr(v, name))
            elif kind is DICT:
                stack.extend(getattr(v, name).values())
    return True


# --- decoding ---------------------------------------------------------------------------------

def _decoder_source(i: int, fields: tuple[tuple[str, str], ...]) -> str:
    """``def dec{i}(r, N, P, getn)``: the node of a record of ``CLASSES[i]`` (N: the nodes so far,
    1-based; P: the positions)."""
    args = []
    for j, (name, kind) in enumerate(fields, start=1):
        if i == _LAMBDA and name == "body":  # stored apart (bytes) or a node index
            args.append(f"(Lazy(r[{j}]) if r[{j}].__class__ is bytes else N[r[{j}]])")
        elif kind is POS:
            args.append(f"P[r[{j}]]")
        elif kind is NODE:
            args.append(f"N[r[{j}]]")
        elif kind is NODES:
            args.append(f"list(map(getn, r[{j}]))")
        elif kind is MIXED:
            args.append(f"[x if type(x) is str else N[x] for x in r[{j}]]")
        elif kind is DICT:
            args.append(f"dict(zip(r[{j}][0], map(getn, r[{j}][1])))")
        else:
            args.append(f"r[{j}]")
    return f"def dec{i}(r, N, P, getn):\n    return cls{i}({', '.join(args)})\n"


def _decoders() -> list[Callable]:
    """The decoders of all classes, compiled in one call (one per class cost 9 ms at start-up)."""
    scope: dict[str, Any] = {f"cls{i}": c for i, c in enumerate(CLASSES)}
    scope["Lazy"] = ast.LazyExpr
    src = "".join(_decoder_source(i, f) for i, f in enumerate(FIELDS))
    exec(compile(src, "<ast_codec decoders>", "exec"), scope)  # noqa: S102 - our own text
    return [scope[f"dec{i}"] for i in range(len(CLASSES))]


_DECODERS = _decoders()


def _decode_lazy(data: bytes) -> Any:
    return decode(marshal.loads(data))


ast.LazyExpr.decode = staticmethod(_decode_lazy)


def _positions(table: tuple) -> list[Pos]:
    """The :class:`Pos` of each ``(file, line, col)``, made without a Python ``__init__`` call
    per position (there are tens of thousands in a decoded file): its slots' own descriptors set
    the fields, as that ``__init__`` does."""
    try:
        set_file, set_line, set_col = Pos.file.__set__, Pos.line.__set__, Pos.col.__set__  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - a Pos without slots
        return [Pos(f, line, col) for f, line, col in table]
    new = object.__new__
    out = []
    add = out.append
    for f, line, col in table:
        p = new(Pos)
        set_file(p, f)
        set_line(p, line)
        set_col(p, col)
        add(p)
    return out


def decode(data: tuple) -> Any:
    """The tree back from :func:`encode`'s tuples (ValueError when they are malformed)."""
    try:
        positions, records = data
        N: list[Any] = [None]
        getn = N.__getitem__
        add = N.append
        decoders = _DECODERS
        # the new nodes hold no cycles: a collection while they are made would only scan them
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            P = _positions(positions)
            for r in records:
                add(decoders[r[0]](r, N, P, getn))
        finally:
            if was_enabled:
                gc.enable()
        if len(N) < 2:
            raise ValueError("no nodes")
        return N[-1]
    except (TypeError, IndexError, KeyError) as err:
        raise ValueError(f"malformed AST cache entry: {err}") from None
