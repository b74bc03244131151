"""Impure builtins: currentTime, getEnv, and the fetchers.

``currentTime`` and ``getEnv`` behave as in ``nix-instantiate`` without ``--pure-eval`` (the
clock, read once per process; the environment). nix2image never reaches the network, so the
fetchers (``fetchurl``, ``fetchTarball``, ``fetchGit``, ``fetchMercurial``, ``fetchTree``) fail
with an error that names the builtin and what it was asked to fetch, and says how to supply the
content instead, unless a resolver in :data:`FETCH_RESOLVERS` provides the result.
"""

from __future__ import annotations

import os
import time

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable

from ..values import EvalError, NixAttrs, NixString, force
from .. import limits
from .. import operations as ops
from . import builtin, constant
from ._util import force_string_noctx

_START_TIME = int(time.time())

constant("currentTime", _START_TIME)


@builtin("getEnv", 1)
def prim_get_env(args, pos):
    name = force_string_noctx(args[0], pos)
    if limits.SETTINGS.restrict_eval or limits.SETTINGS.pure_eval:  # as Nix 2.8: nothing leaks
        return NixString("")
    return NixString(os.environ.get(name, ""))


#: Functions that may satisfy a fetch without the network (e.g. from a ``--bind`` of the URL to
#: local content): ``resolver(builtin_name, argument_value, pos)`` returns the Nix value the
#: fetcher should produce, or None to pass. Other modules append to this list.
FETCH_RESOLVERS: list[Callable[[str, Any, Any], Any]] = []


def _describe(v, pos) -> str:
    """The URL (or other source) a fetcher was asked for, for the error message."""
    v = force(v)
    if type(v) is NixAttrs:
        for key in ("url", "path", "type"):
            if key in v.d:
                try:
                    return ops.coerce_to_string(v.d[key], pos, copy_to_store=False).s
                except EvalError:
                    break
        return "«" + ", ".join(sorted(v.d)) + "»"
    return ops.coerce_to_string(v, pos, copy_to_store=False).s


def _fetcher(name: str, glob: bool) -> None:
    def prim(args, pos):
        for resolver in FETCH_RESOLVERS:
            r = resolver(name, args[0], pos)
            if r is not None:
                return r
        what = _describe(args[0], pos)
        raise EvalError(
            f"'builtins.{name}' cannot fetch '{what}': nix2image evaluates without network access; "
            "make the content available locally (e.g. with --bind or a --catalog entry) instead", pos)

    prim.__name__ = f"prim_{name}"
    prim.__doc__ = f"``builtins.{name}``: always an error (no network access)."
    builtin(name, 1, glob=glob)(prim)


_fetcher("fetchurl", False)
_fetcher("fetchTarball", True)
_fetcher("fetchGit", True)
_fetcher("fetchMercurial", True)
_fetcher("fetchTree", True)
