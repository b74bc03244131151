"""The options of ``nix2image eval``, declared once as plain data: click's command is built from
them (:func:`translator.commands.nix_cmds.register`), and :func:`parse_plain` reads a plain
command line of them without importing click (see :mod:`translator.entry`).

:func:`parse_plain` gives the parameters exactly as click would, or None whenever click could
decide otherwise: help, an unknown or abbreviated token, ``--name=value`` or ``-Evalue`` forms,
``--``, a missing value, a value that looks like an option, a second FILE, the limit options that
take a value (their checks are click's). ``tests/test_eval_options.py`` compares the two on
generated command lines.
"""

from __future__ import annotations

#: What one option is: ``flag`` (``--x``, True), ``flag/no`` (``--x/--no-x``), ``value`` (one
#: string, the last one given wins), ``many`` (a string each time, collected in a tuple),
#: ``pairs`` (two strings each time, collected in a tuple of pairs).
KINDS = ("flag", "flag/no", "value", "many", "pairs")


class Option:
    """One option: its command-line names, the parameter it fills, its kind and its help."""

    __slots__ = ("names", "dest", "kind", "help", "metavar", "default")

    def __init__(self, names: tuple[str, ...], dest: str, kind: str, help: str,
                 metavar: str | None = None, default: object = None) -> None:
        assert kind in KINDS
        self.names = names
        self.dest = dest
        self.kind = kind
        self.help = help
        self.metavar = metavar
        self.default = default

    def initial(self) -> object:
        """The parameter's value when the option is not given (as click gives it)."""
        if self.kind in ("many", "pairs"):
            return ()
        if self.kind == "flag":
            return False
        return self.default


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

#: The limit options every evaluating command has (:mod:`.limit_options`): the two flags are
#: read here; the two that take a value are left to click.
LIMIT_FLAGS = {"--restrict-eval": "restrict_eval", "--pure-eval": "pure_eval"}
LIMIT_VALUES = ("max_memory", "eval_timeout")


def _table() -> dict[str, tuple[Option, object]]:
    """Each command-line name -> (its option, the value a flag name sets)."""
    table: dict[str, tuple[Option, object]] = {}
    for opt in OPTIONS:
        if opt.kind == "flag/no":
            table[opt.names[0]] = (opt, True)
            table[opt.names[1]] = (opt, False)
        else:
            for name in opt.names:
                table[name] = (opt, True)
    return table


def parse_plain(argv: list[str]) -> dict[str, object] | None:
    """The parameters of ``nix2image eval ARGV`` as click gives them to the command (limit
    options included), or None when click is to read ARGV (see the module's text)."""
    table = _table()
    params: dict[str, object] = {ARGUMENT: None}
    for opt in OPTIONS:
        params[opt.dest] = opt.initial()
    for dest in LIMIT_FLAGS.values():
        params[dest] = False
    for dest in LIMIT_VALUES:
        params[dest] = None
    i, n = 0, len(argv)
    while i < n:
        token = argv[i]
        i += 1
        if not token.startswith("-") or token == "-":
            if params[ARGUMENT] is not None:
                return None  # click: "Got unexpected extra argument"
            params[ARGUMENT] = token
            continue
        if token in LIMIT_FLAGS:
            params[LIMIT_FLAGS[token]] = True
            continue
        entry = table.get(token)
        if entry is None:
            return None
        opt, flag_value = entry
        if opt.kind in ("flag", "flag/no"):
            params[opt.dest] = flag_value
            continue
        width = 2 if opt.kind == "pairs" else 1
        values = argv[i:i + width]
        if len(values) < width or any(v.startswith("-") for v in values):
            return None
        i += width
        if opt.kind == "value":
            params[opt.dest] = values[0]
        elif opt.kind == "many":
            params[opt.dest] = (*params[opt.dest], values[0])  # type: ignore[misc]
        else:
            params[opt.dest] = (*params[opt.dest], tuple(values))  # type: ignore[misc]
    return params
