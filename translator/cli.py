"""The ``nix2image`` command line: one click group; commands live in ``translator.commands``.

Errors: a :class:`~translator.errors.UserError` is printed as is (it already says ``error: ...``
with position and caret) and exits 1; any other exception is reported as an internal error
without a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import importlib
import sys

import click

from .errors import UserError


class _Group(click.Group):
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
@click.version_option(package_name="nix2image")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn Nix dockerTools files into container images without running Nix."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _register_commands() -> None:
    from .commands import MODULES

    for name in MODULES:
        try:
            mod = importlib.import_module(f"{__package__}.commands.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"{__package__}.commands.{name}":
                continue  # area not written yet
            raise
        mod.register(main)


_register_commands()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
