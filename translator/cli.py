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



def run() -> None:
    """The ``nix2image`` console command: :func:`main`, then a quick exit.

    An evaluation leaves millions of objects, most in reference cycles (environments hold thunks
    that hold environments). At interpreter shutdown CPython would walk and free them all and run
    a last full cycle collection: 0.4 s of CPU after a 0.7 s evaluation of a real nixpkgs
    package. Nothing of that is needed once the command has finished, so after the exit handlers
    have run (temporary files, cache sweeps) and the standard streams are flushed the process ends
    with ``os._exit``, as the kernel frees the memory at once. A command that leaves a non-daemon
    thread running exits the ordinary way (its thread is waited for, as Python would).

    The cycle collector keeps the evaluator's thresholds for the whole process: restored to
    Python's defaults after an evaluation, the next allocation would run a collection of every
    object the evaluation left young (0.4 s after a real nixpkgs package).
    """
    import gc

    from .nix import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)
    try:
        main.main(prog_name="nix2image")
        code: int = 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:  # sys.exit("message"), as Python prints it
            print(stop.code, file=sys.stderr)
            code = 1
    import atexit
    import threading

    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)  # Python waits for the thread, then runs the exit handlers (once)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader gone, or a closed stream: as Python's exit
            code = code or 120
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
