"""Layering rules drawn from the imports (every ``import``, also those inside functions).

* The store layer sits below the Nix language: nothing in ``translator/store/`` imports from
  ``translator/nix/`` (the evaluator wraps the store's own ``StoreError``).
* ``translator/image/`` has no import circle (``build`` dispatches to ``export``/``merge``, which
  take what they need as arguments).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent / "translator"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Absolute names of the translator modules ``path`` imports (relative imports resolved)."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("translator"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("translator"):
                continue
            out.add(mod)
            for a in node.names:  # ``from . import config`` imports a module
                cand = f"{mod}.{a.name}"
                if (ROOT.parent / (cand.replace(".", "/") + ".py")).exists():
                    out.add(cand)
    return out


def graph(under: str) -> nx.DiGraph:
    g = nx.DiGraph()
    for path in sorted((ROOT / under).rglob("*.py")):
        src = module_name(path)
        g.add_node(src)
        for dst in imports_of(path):
            g.add_edge(src, dst)
    return g


def test_store_does_not_import_the_language():
    g = graph("store")
    bad = sorted((a, b) for a, b in g.edges if not b.startswith("translator.store"))
    assert not bad, f"translator/store imports from outside the store layer: {bad}"


def test_image_has_no_import_circle():
    g = graph("image")
    inner = g.subgraph([n for n in g if n.startswith("translator.image")])
    cycles = [c for c in nx.simple_cycles(inner) if len(c) > 1]
    assert not cycles, f"import circles in translator/image: {cycles}"


def test_checker_sees_a_circle():
    """The rule can fail: a hand-made circle is found."""
    g = nx.DiGraph([("a", "b"), ("b", "a")])
    assert list(nx.simple_cycles(g))
