"""Command-line options declared once as plain data: click's options are made from them
(:func:`click_decorator`), and :func:`parse` reads a plain command line of them without importing
click, for the commands scripts run many times (``eval`` behind a ``nix-instantiate`` stand-in,
``build``/``stream`` of a spec in a loop), where click and what it imports cost 20 ms a process.

:func:`parse` gives the parameters exactly as click would, or None whenever click could decide
otherwise: help, an unknown or abbreviated token, ``--name=value`` or ``-Xvalue`` forms, ``--``, a
missing value, a value that looks like an option, a second argument, a value click would refuse
(not among an option's choices, a path of the wrong kind), an option whose checks are click's
alone. The tests compare the two on generated command lines.
"""

from __future__ import annotations

import os

#: What one option is: ``flag`` (``--x``, True), ``flag/no`` (``--x/--no-x``), ``value`` (one
#: string, the last one given wins), ``many`` (a string each time, collected in a tuple),
#: ``pairs`` (two strings each time, collected in a tuple of pairs).
KINDS = ("flag", "flag/no", "value", "many", "pairs")
#: What a ``value`` option's path must be, as click's ``Path`` checks it: ``file`` (if it exists,
#: not a directory, and readable), ``dir`` (an existing, readable directory).
PATHS = (None, "file", "dir")


class Option:
    """One option: its command-line names, the parameter it fills, its kind and its help; for
    a ``value``, optionally the choices it may take, the kind of path it names, or that it is a
    number above 0. An option with ``plain=False`` is click's alone (its checks are click's): a
    line giving it goes to click."""

    __slots__ = ("names", "dest", "kind", "help", "metavar", "default", "choices", "path", "plain",
                 "show_default", "positive")

    def __init__(self, names: tuple[str, ...], dest: str, kind: str, help: str = "",
                 metavar: str | None = None, default: object = None, *, choices: tuple[str, ...] | None = None,
                 path: str | None = None, plain: bool = True, show_default: bool = False,
                 positive: bool = False) -> None:
        assert kind in KINDS and path in PATHS
        self.names = names
        self.dest = dest
        self.kind = kind
        self.help = help
        self.metavar = metavar
        self.default = default
        self.choices = choices
        self.path = path
        self.plain = plain and not positive
        self.show_default = show_default
        self.positive = positive  # a number > 0 (click's FloatRange checks it: plain=False)

    def initial(self) -> object:
        """The parameter's value when the option is not given (as click gives it)."""
        if self.kind in ("many", "pairs"):
            return ()
        if self.kind == "flag":
            return False
        return self.default

    def accepts(self, value: str) -> bool:
        """Whether click would take ``value`` as it is (else click is to report it)."""
        if self.choices is not None and value not in self.choices:
            return False
        if self.path == "file":
            return not os.path.exists(value) or (not os.path.isdir(value) and os.access(value, os.R_OK))
        if self.path == "dir":
            return os.path.isdir(value) and os.access(value, os.R_OK)
        return True


def parse(argv: list[str], options: tuple[Option, ...], argument: str | None) -> dict[str, object] | None:
    """The parameters of a command with ``options`` (and at most one positional ``argument``,
    None when it takes none) for ``argv`` as click gives them, or None (see the module's text)."""
    table: dict[str, tuple[Option, object]] = {}
    for opt in options:
        if opt.kind == "flag/no":
            table[opt.names[0]] = (opt, True)
            table[opt.names[1]] = (opt, False)
        else:
            for name in opt.names:
                table[name] = (opt, True)
    params: dict[str, object] = {argument: None} if argument else {}
    for opt in options:
        params[opt.dest] = opt.initial()
    i, n = 0, len(argv)
    while i < n:
        token = argv[i]
        i += 1
        if not token.startswith("-") or token == "-":
            if argument is None or params[argument] is not None:
                return None  # click: "Got unexpected extra argument"
            params[argument] = token
            continue
        entry = table.get(token)
        if entry is None or not entry[0].plain:
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
            if not opt.accepts(values[0]):
                return None
            params[opt.dest] = values[0]
        elif opt.kind == "many":
            params[opt.dest] = (*params[opt.dest], values[0])  # type: ignore[misc]
        else:
            params[opt.dest] = (*params[opt.dest], tuple(values))  # type: ignore[misc]
    return params


def click_decorator(opt: Option):
    """The click option ``opt`` stands for (imports click: only for click's own commands)."""
    import click

    names = ["/".join(opt.names)] if opt.kind == "flag/no" else list(opt.names)
    settings: dict[str, object] = {"help": opt.help}
    if opt.metavar:
        settings["metavar"] = opt.metavar
    if opt.kind == "flag":
        settings["is_flag"] = True
    elif opt.kind in ("flag/no", "value"):
        settings["default"] = opt.default
        if opt.show_default:
            settings["show_default"] = True
        if opt.choices is not None:
            settings["type"] = click.Choice(list(opt.choices))
        elif opt.path == "file":
            settings["type"] = click.Path(dir_okay=False)
        elif opt.path == "dir":
            settings["type"] = click.Path(file_okay=False, exists=True)
        elif opt.positive:
            settings["type"] = click.FloatRange(min=0, min_open=True)
    else:
        settings["multiple"] = True
        if opt.kind == "pairs":
            settings["nargs"] = 2
    return click.option(*names, opt.dest, **settings)


def decorate(fn, options: tuple[Option, ...]):
    """``fn`` with the click options of ``options`` (in this order in ``--help``)."""
    for opt in reversed(options):
        fn = click_decorator(opt)(fn)
    return fn


def click_command(name: str, main, options: tuple[Option, ...], argument: str, inner=None):
    """The click command ``name`` running ``main(**params)``: its first docstring paragraph as
    help, ``options`` and the optional ``argument`` made from the data, ``inner`` (a decorator
    adding click-only options, e.g. the limit options) applied first."""
    import click

    def command(**params):
        main(**params)

    command.__doc__ = (main.__doc__ or "").split("\n\n")[0]
    fn = inner(command) if inner is not None else command
    fn = decorate(fn, options)
    fn = click.argument(argument, required=False)(fn)
    return click.command(name)(fn)

