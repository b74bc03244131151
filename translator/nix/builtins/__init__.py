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
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(slots=True)
class BuiltinDef:
    name: str
    arity: int  # 0 for constants
    fn: Callable[[list[Any], Any], Any] | None
    glob: bool
    value: Any = None  # for constants
    nix_source: str | None = None  # for builtins written in Nix


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
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        _loaded = True
    return REGISTRY
