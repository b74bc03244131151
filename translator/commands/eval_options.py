"""The options of ``nix2image eval``, declared once as plain data (:mod:`.plain_options`):
click's command is built from them (:func:`translator.commands.nix_cmds.register`), and
:func:`parse_plain` reads a plain command line of them without importing click (see
:mod:`translator.entry`). ``tests/test_eval_options.py`` compares the two on generated lines.
"""

from __future__ import annotations

from .limit_options import PLAIN_LIMITS
from .plain_options import Option, parse

#: ``nix2image eval [FILE]``: the one argument, optional.
ARGUMENT = "file"

OPTIONS: tuple[Option, ...] = (
    Option(("-E", "--expr"), "expr", "value", "Evaluate this expression instead of a file."),
    Option(("-A", "--attr"), "attr_paths", "many", "Select an attribute path (numbers index lists)."),
    Option(("--arg",), "args", "pairs", "Pass NAME = EXPR to a top-level function.", "NAME EXPR"),
    Option(("--argstr",), "argstrs", "pairs", "Pass NAME = \"VALUE\".", "NAME VALUE"),
    Option(("-I",), "include", "many", "Add NAME=PATH or PATH to the search path.", "PATH"),
    Option(("--strict",), "strict", "flag", "Evaluate the result deeply (as nix-instantiate --strict)."),
    Option(("--json",), "as_json", "flag", "Print the value as JSON."),
    Option(("--system",), "system", "value", "Value of builtins.currentSystem (default x86_64-linux)."),
    Option(("--show-trace", "--no-show-trace"), "show_trace", "flag/no",
           "Show the evaluation trace of errors (default on).", default=True),
)


def parse_plain(argv: list[str]) -> dict[str, object] | None:
    """The parameters of ``nix2image eval ARGV`` as click gives them to the command (limit
    options included), or None when click is to read ARGV (see the module's text)."""
    return parse(argv, OPTIONS + PLAIN_LIMITS, ARGUMENT)
