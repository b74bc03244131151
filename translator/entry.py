"""The ``nix2image`` console command around the commands themselves: the process set-up, the
error report every command shares, and a quick exit.

Kept free of click: a plain ``nix2image eval`` command line (the form scripts run hundreds of
times, as nixpkgs' ``lib/tests/modules.sh`` does through a ``nix-instantiate`` stand-in), and a
plain ``build``/``stream --spec-json`` one (an image rebuilt in a loop), are parsed by
:mod:`translator.commands.eval_options` / :mod:`translator.commands.image_main` and run without
importing click, which with the modules it loads (inspect, enum, uuid, datetime...) cost a quarter
of a short evaluation and a tenth of a warm rebuild. Every other command line, and any one those
readers are not sure of, goes to click (:mod:`translator.cli`).
"""

from __future__ import annotations

import os
import sys


def prepare(debug: bool) -> None:
    """What runs before any command: the crash-safety tests' hook and, with ``--debug``, the
    steps' debug notes (e.g. which overlay runAsRoot used) on stderr."""
    if os.environ.get("NIX2IMAGE_TEST_KILL_AFTER_BYTES"):
        from .scratch import arm_test_kill  # (not imported otherwise: 10 ms of start-up)

        arm_test_kill()
    if debug:
        import logging

        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("debug: %(message)s"))
        logger = logging.getLogger("nix2image")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


def failure_code(err: BaseException, debug: bool) -> int | None:
    """Report ``err``, raised by a command, on stderr and give the exit code; None when it is to
    be raised on (``--debug`` asks for its traceback). A :class:`~translator.errors.UserError`
    is printed as is (it already says ``error: ...`` with position and caret) and exits 1;
    anything else is an internal error, shown without a traceback (exit 2)."""
    from .errors import UserError

    if isinstance(err, BrokenPipeError):  # the reader has gone: nothing to tell it
        return 1
    if isinstance(err, KeyboardInterrupt):
        print("error: interrupted", file=sys.stderr)
        return 130
    if debug:
        return None
    if isinstance(err, UserError):
        print(str(err), file=sys.stderr)
        return 1
    if isinstance(err, RecursionError):
        print("error: stack overflow (possible infinite recursion)", file=sys.stderr)
        return 1
    if isinstance(err, Exception):  # last line of defence: never show a traceback
        print(f"error: internal error: {type(err).__name__}: {err}\n(run with --debug for a traceback)",
              file=sys.stderr)
        return 2
    return None


#: The commands whose plain lines run without click.
PLAIN = ("eval", "build", "stream")


def _plain_work(command: str, argv: list[str]):
    """``nix2image COMMAND ARGV`` as a call without click, or None when its plain reader is not
    sure of ARGV (:mod:`.commands.eval_options`, :mod:`.commands.image_main`)."""
    if command == "eval":
        from .commands.eval_options import parse_plain

        params = parse_plain(argv)
        if params is None:
            return None

        def work() -> None:
            from .commands.limit_options import apply_limits
            from .commands.nix_cmds import eval_main

            apply_limits(params)
            eval_main(**params)
        return work
    from .commands.image_main import MAINS, parse_plain as parse_image

    params = parse_image(command, argv)
    return None if params is None else (lambda: MAINS[command](**params))


def _quick(command: str, argv: list[str]) -> int | None:
    """Run ``nix2image COMMAND ARGV`` without click when its plain reader can read ARGV exactly
    as click would; None when it cannot (click then decides: help, errors...)."""
    work = _plain_work(command, argv)
    if work is None:
        return None
    prepare(False)
    try:
        work()
    except (Exception, KeyboardInterrupt) as err:
        code = failure_code(err, False)
        if code is None:
            raise
        return code
    return 0


def execute(argv: list[str]) -> int:
    """Run the command line ``argv`` (without the program name); the exit code. Output is left
    unflushed and the exit handlers unrun (see :func:`run`)."""
    if argv == ["--version"]:  # click's version option says the same, after 40 ms of imports
        from . import __version__

        print(f"nix2image, version {__version__}")
        return 0
    if argv and argv[0] in PLAIN:
        code = _quick(argv[0], argv[1:])
        if code is not None:
            return code
    from .cli import main

    try:
        main.main(args=argv, prog_name="nix2image")
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)  # sys.exit("message"), as Python prints it
        return 1
    return 0


def run() -> None:
    """The ``nix2image`` console command: the command, then a quick exit.

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
    code = execute(sys.argv[1:])
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
