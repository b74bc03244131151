"""Constant builtins: nixVersion, langVersion, currentSystem.

``currentSystem`` comes from :data:`SETTINGS` (``x86_64-linux`` unless the eval command sets it
from ``--system``); the evaluator's own ``system`` argument, when given, takes precedence.
``true``/``false``/``null``, ``builtins``, ``nixPath``, ``import`` and ``scopedImport`` belong
to the evaluator.
"""

from __future__ import annotations

from ..values import NixString
from . import constant

NIX_VERSION = "2.8.0"
LANG_VERSION = 6


class Settings:
    """Process-wide evaluation settings the CLI may change before evaluating (one instance,
    :data:`SETTINGS`)."""

    system: str = "x86_64-linux"


SETTINGS = Settings()

constant("nixVersion", NixString(NIX_VERSION))
constant("langVersion", LANG_VERSION)
constant("currentSystem", lambda: NixString(SETTINGS.system))
