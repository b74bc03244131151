"""The ``nix2image`` command line: one click group; commands live in ``translator.commands``.

The console command is :func:`translator.entry.run`, which runs a plain ``eval`` command line
(and ``build``/``stream`` of a ``--spec-json``) without click and everything else through
:data:`main`. Errors are reported by
:func:`translator.entry.failure_code`: a :class:`~translator.errors.UserError` as is (exit 1),
anything else as an internal error without a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import importlib

import click

from . import __version__
from .entry import failure_code, prepare


class _Group(click.Group):
    """The ``nix2image`` group: commands are loaded on demand, and errors are shown, not raised."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from .commands import COMMANDS

        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from .commands import COMMANDS

        if name not in self.commands and name in COMMANDS:
            module = importlib.import_module(f"{__package__}.commands.{COMMANDS[name]}")
            module.register(self)
        return self.commands.get(name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (Exception, KeyboardInterrupt) as err:
            code = failure_code(err, bool(ctx.obj and ctx.obj.get("debug")))
            if code is None:
                raise
            ctx.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.version_option(version=__version__, package_name="nix2image")  # no importlib.metadata at start-up
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn Nix dockerTools files into container images without running Nix."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    prepare(debug)


if __name__ == "__main__":  # pragma: no cover
    from .entry import run

    run()
