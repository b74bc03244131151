"""Registry of Nix builtins.

A builtin is a Python function ``fn(args: list, pos) -> value`` registered with :func:`builtin`.
Modules in this package register themselves when imported; :func:`all_builtins` imports them all
and returns the table the evaluator turns into the ``builtins`` attribute set (and the global
names: those registered with ``glob=True`` are also visible without ``builtins.``, as in Nix).

Constants (``builtins.nixVersion``, ``storeDir``, ...) are registered with :func:`constant`.
Builtins that must be defined in Nix itself (e.g. ``derivation``) are registered with
:func:`nix_builtin` as Nix source evaluated lazily by the evaluator with ``builtins`` in scope.
"""

from __future__ import annotations

import importlib
import os

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable


class BuiltinDef:
    """One registered builtin: ``fn(args, pos)`` taking ``arity`` arguments, a constant
    (``arity`` 0, ``value``) or a builtin written in Nix (``nix_source``); ``glob``: also a
    global name (as ``map``, ``toString``)."""

    __slots__ = ("name", "arity", "fn", "glob", "value", "nix_source")

    def __init__(self, name: str, arity: int, fn: Callable[[list[Any], Any], Any] | None, glob: bool,
                 value: Any = None, nix_source: str | None = None) -> None:
        self.name = name
        self.arity = arity
        self.fn = fn
        self.glob = glob
        self.value = value
        self.nix_source = nix_source


REGISTRY: dict[str, BuiltinDef] = {}


def builtin(name: str, arity: int, glob: bool = False):
    """Decorator registering ``fn(args, pos)`` as ``builtins.<name>`` taking ``arity`` arguments."""

    def deco(fn):
        REGISTRY[name] = BuiltinDef(name, arity, fn, glob)
        return fn

    return deco


def constant(name: str, value: Any, glob: bool = False) -> None:
    """Register a constant (``builtins.<name>`` = value; a Python callable is called lazily)."""
    REGISTRY[name] = BuiltinDef(name, 0, None, glob, value=value)


def nix_builtin(name: str, source: str, glob: bool = False) -> None:
    """Register a builtin defined by a Nix expression (evaluated once, with ``builtins`` in scope)."""
    REGISTRY[name] = BuiltinDef(name, 0, None, glob, nix_source=source)


_loaded = False


def all_builtins() -> dict[str, BuiltinDef]:
    """Import every module of this package (each registers its builtins) and return the table."""
    global _loaded
    if not _loaded:
        # (a listing of the package's files, as pkgutil.iter_modules, which imports inspect)
        for name in sorted(os.listdir(__path__[0])):
            if name.endswith(".py") and name != "__init__.py":
                importlib.import_module(f"{__name__}.{name[:-3]}")
        _loaded = True
    return REGISTRY
