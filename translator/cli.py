"""The ``nix2image`` command line: one click group; commands live in ``translator.commands``.

Errors: a :class:`~translator.errors.UserError` is printed as is (it already says ``error: ...``
with position and caret) and exits 1; any other exception is reported as an internal error
without a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from . import __version__
from .errors import UserError


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
        except UserError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(str(err), err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            ctx.exit(130)
        except RecursionError:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo("error: stack overflow (possible infinite recursion)", err=True)
            ctx.exit(1)
        except Exception as err:  # noqa: BLE001 - last line of defence: never show a traceback
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: internal error: {type(err).__name__}: {err}\n(run with --debug for a traceback)", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.version_option(version=__version__, package_name="nix2image")  # no importlib.metadata at start-up
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn Nix dockerTools files into container images without running Nix."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if os.environ.get("NIX2IMAGE_TEST_KILL_AFTER_BYTES"):  # the crash-safety tests' hook
        from .scratch import arm_test_kill  # (not imported otherwise: 10 ms of start-up)

        arm_test_kill()
    if debug:  # the steps' debug notes (e.g. which overlay runAsRoot used) on stderr
        import logging

        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("debug: %(message)s"))
        logger = logging.getLogger("nix2image")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
