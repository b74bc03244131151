"""``--restrict-eval``, ``--pure-eval``, ``--max-memory`` and ``--eval-timeout``: the limits for
evaluating untrusted Nix files (see :mod:`translator.nix.limits`), for every command that
evaluates."""

from __future__ import annotations

import functools

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable

from .plain_options import Option

NAMES = ("restrict_eval", "pure_eval", "max_memory", "eval_timeout")

#: The four as a command line read without click sees them (:mod:`.plain_options`): the two
#: flags are read there; a line giving one of the two that take a value goes to click, whose
#: checks (:func:`_size`, the number range) they need.
PLAIN_LIMITS: tuple[Option, ...] = (
    Option(("--restrict-eval",), "restrict_eval", "flag"),
    Option(("--pure-eval",), "pure_eval", "flag"),
    Option(("--max-memory",), "max_memory", "value", plain=False),
    Option(("--eval-timeout",), "eval_timeout", "value", plain=False),
)


def apply_limits(params: dict[str, Any]) -> None:
    """Take the four options out of a command's parameters and put them in force."""
    from ..nix import limits

    limits.configure(restrict_eval=params.pop("restrict_eval"), pure_eval=params.pop("pure_eval"),
                     max_memory=params.pop("max_memory"), timeout=params.pop("eval_timeout"))


def _size(ctx: Any, param: Any, value: str | None) -> int | None:
    import click

    from ..nix.limits import parse_size

    if value is None:
        return None
    try:
        n = parse_size(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None
    if n < 64 << 20:
        raise click.BadParameter(f"'{value}' is below the smallest limit, 64M")
    return n


def limit_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the four options to a click command; they are applied before the command runs and
    not passed on to it."""

    import click

    @functools.wraps(fn)
    def wrapper(*args: Any, **kw: Any) -> Any:
        apply_limits(kw)
        return fn(*args, **kw)

    decorators = [
        click.option("--restrict-eval", is_flag=True,
                     help="As Nix's restrict-eval: read and import files only below the -I / NIX_PATH entries."),
        click.option("--pure-eval", is_flag=True,
                     help="As Nix's pure-eval: no search path, environment, clock or current system; "
                          "files only from the store."),
        click.option("--max-memory", default=None, metavar="SIZE", callback=_size,
                     help="Stop evaluation with an error above this much memory (e.g. 2G; default 3/4 "
                          "of RAM, at most 16G)."),
        click.option("--eval-timeout", type=click.FloatRange(min=0, min_open=True), default=None,
                     metavar="SECONDS", help="Stop evaluation with an error after this long (default: no limit)."),
    ]
    for deco in reversed(decorators):
        wrapper = deco(wrapper)
    return wrapper
