"""Limits for evaluating untrusted Nix files: restricted / pure evaluation, memory and time.

* ``--restrict-eval`` and ``--pure-eval`` follow Nix 2.8 (``--option restrict-eval true`` /
  ``pure-eval true``): files may only be read, imported, listed, hashed or copied to the store
  when they lie in an allowed path - the search path entries (``-I``, ``NIX_PATH``; none in pure
  mode, where the search path is empty) and the store paths computed from allowed sources - plus
  nix2image's own modelled nixpkgs and corepkgs (what Nix would have in its store). A path is
  checked as written (after ``..`` is folded: "access to absolute path '...' is forbidden") and
  again with its symlinks resolved ("access to canonical path '...'"), so a symlink inside an
  allowed directory cannot reach outside it. ``pathExists`` of a forbidden path is false,
  ``getEnv`` gives ``""``; pure mode also drops ``currentTime`` and ``currentSystem`` and refuses
  ``storePath``.
* ``--max-memory SIZE`` (default: 3/4 of the machine's memory, at most 16 GiB) and
  ``--eval-timeout SECONDS`` (default: none): a watchdog samples the resident size and the clock
  while the evaluation thread runs and stops it with an error naming the limit; the address-space
  limit (``RLIMIT_AS``) is lowered during evaluation as a backstop for a single huge allocation,
  so the kernel's OOM killer is not what ends a runaway file.

The settings are per process (one command line evaluates under one set of limits): commands call
:func:`configure`, the evaluator reads :data:`SETTINGS` and :data:`POLICY`.
"""

from __future__ import annotations

import os
import re

from .values import EvalError

#: nix2image's own Nix sources (modelled nixpkgs, corepkgs): always readable, like Nix's store.
OWN_SOURCES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COREPKGS_PREFIX = "/__corepkgs__/"


class Settings:
    """The limits in force (one per process, :data:`SETTINGS`; set by :func:`configure`).

    (This module's classes are plain classes: :mod:`dataclasses` costs every ``eval`` 7 ms.)"""

    restrict_eval: bool = False
    pure_eval: bool = False
    max_memory: int | None = None  # bytes; None: the default
    timeout: float | None = None  # seconds


SETTINGS = Settings()


def default_max_memory() -> int:
    """3/4 of the physical memory, at most 16 GiB (at least 1 GiB)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        total = 8 << 30
    return max(1 << 30, min(total * 3 // 4, 16 << 30))


def parse_size(text: str) -> int:
    """``512M``, ``4G``, ``2GiB``, ``1000000`` (bytes) -> bytes; ValueError when unreadable."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(i?[bB])?\s*", text)
    if not m:
        raise ValueError(f"'{text}' is not a size (e.g. 512M, 4G)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def show_size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def configure(*, restrict_eval: bool = False, pure_eval: bool = False, max_memory: str | int | None = None,
              timeout: float | None = None) -> None:
    """Set this process's evaluation limits (from the command line)."""
    SETTINGS.restrict_eval = bool(restrict_eval)
    SETTINGS.pure_eval = bool(pure_eval)
    SETTINGS.max_memory = parse_size(max_memory) if isinstance(max_memory, str) else max_memory
    SETTINGS.timeout = timeout
    global POLICY
    POLICY = None


class LimitExceeded(BaseException):
    """Raised in the evaluation thread by the watchdog. A BaseException, so that no ``except
    Exception`` inside the evaluator (``tryEval`` included) can swallow it."""

    def __init__(self, message: str = "") -> None:  # raised by type from the watchdog: no message
        super().__init__(message)
        self.message = message


# --- restricted and pure evaluation -------------------------------------------------------------

class RestrictedPathError(EvalError):
    """Nix's RestrictedPathError: reported without a position, as Nix 2.8 does."""


def _canon(path: str) -> str:
    """Nix's canonPath without resolving symlinks: absolute, ``.``/``..``/``//`` folded."""
    return os.path.normpath("/" + path.lstrip("/"))


def _in_dir(path: str, d: str) -> bool:
    return path == d or path.startswith(d.rstrip("/") + "/")


class AccessPolicy:
    """The allowed paths of a restricted (or pure) evaluation, and the paths already checked."""

    def __init__(self, pure: bool) -> None:
        self.pure = pure
        self.allowed: list[str] = []
        self.resolved: dict[str, str] = {}

    def allow(self, path: str) -> None:
        self.allowed.append(_canon(path))

    def check(self, path: str) -> str:
        """The path to read (symlinks resolved) when ``path`` may be read; else Nix's error."""
        hit = self.resolved.get(path)
        if hit is not None:
            return hit
        abspath = _canon(path)
        if abspath.startswith(COREPKGS_PREFIX):
            return abspath
        if not any(_in_dir(abspath, d) for d in self.allowed):
            mode = "in pure eval mode (use '--impure' to override)" if self.pure else "in restricted mode"
            raise RestrictedPathError(f"access to absolute path '{abspath}' is forbidden {mode}")
        real = os.path.realpath(abspath)
        if any(_in_dir(real, d) for d in self.allowed):
            self.resolved[path] = real
            return real
        raise RestrictedPathError(f"access to canonical path '{real}' is forbidden in restricted mode")


#: The policy of the running evaluation; None when evaluation is unrestricted.
POLICY: AccessPolicy | None = None


def start_policy(search_path: list[tuple[str | None, str]]) -> None:
    """Install the policy for a new evaluator whose search path is ``search_path`` (None when
    neither restricted nor pure evaluation is asked for)."""
    global POLICY
    if not (SETTINGS.restrict_eval or SETTINGS.pure_eval):
        POLICY = None
        return
    if POLICY is None:  # one policy per process; later evaluators add their search paths
        POLICY = AccessPolicy(pure=SETTINGS.pure_eval)
        POLICY.allow(OWN_SOURCES)
    for _prefix, path in search_path:
        if path.startswith(("http://", "https://", "channel:", "flake:")):
            continue
        POLICY.allow(os.path.abspath(path))


def check_path(path: str) -> str:
    """``checkSourcePath``: the path itself when unrestricted, else the checked, resolved path."""
    return path if POLICY is None else POLICY.check(path)


def allow(path: str) -> None:
    """A store path the evaluation made from an allowed source may be read too."""
    if POLICY is not None:
        POLICY.allow(path)


def may_exist(path: str) -> str | None:
    """For ``pathExists``: the path to test, or None when it is forbidden (then it "does not
    exist", as Nix answers, without telling why)."""
    try:
        return check_path(path)
    except RestrictedPathError:
        return None


# --- memory and time -----------------------------------------------------------------------------

class MemoryLimitExceeded(LimitExceeded):
    pass


class TimeLimitExceeded(LimitExceeded):
    pass


def memory_message(limit: int) -> str:
    return (f"evaluation stopped: it used more than the memory limit of {show_size(limit)} (--max-memory); "
            "the file allocates without bound, or needs a higher --max-memory SIZE")


def time_message(limit: float) -> str:
    return f"evaluation stopped: it ran longer than the time limit of {limit:g} s (--eval-timeout)"


def _statm(field: int) -> int:
    """Field ``field`` of ``/proc/self/statm`` in bytes (0: address space, 1: resident)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[field]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class _ResidentSize:
    """The resident size, read through one file descriptor kept open (one ``pread`` a sample,
    not an open, read and close)."""

    def __init__(self) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE")
        try:
            self.fd: int | None = os.open("/proc/self/statm", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            self.fd = None

    def __call__(self) -> int:
        if self.fd is None:
            return 0
        try:
            return int(os.pread(self.fd, 128, 0).split()[1]) * self.page
        except (OSError, ValueError, IndexError):
            return 0

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _interrupt(thread_ident: int, exc: type) -> None:
    """Raise ``exc`` in the thread ``thread_ident`` at its next bytecode."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_ident), ctypes.py_object(exc))


def checkpoint() -> None:
    """Nothing, in a Python frame: entering it lets CPython switch threads and deliver the
    exception :func:`_interrupt` raised. The compiled evaluator calls it now and then (see
    ``stack_guard.pyx``); the pure-Python one passes such points on every call."""


#: Seconds between samples of the resident size. Each sample wakes this thread, which then takes
#: the GIL from the evaluation: at 20 ms (as before) coreutils.drvPath made 1,735 futex calls,
#: at 100 ms 244. A runaway allocation (at most a few hundred MB/s in Python) passes the limit
#: by a few tens of MB before it is stopped; RLIMIT_AS catches a single huge allocation.
POLL = 0.1


_hook_installed = False


def _quiet_late_stops() -> None:
    """A stop can reach the evaluation thread after its work ended (its result already kept),
    while the thread itself is ending: that is not an error worth a traceback on stderr."""
    global _hook_installed
    if _hook_installed:
        return
    import threading

    previous = threading.excepthook

    def hook(args) -> None:
        if args.exc_type is not None and issubclass(args.exc_type, LimitExceeded):
            return
        previous(args)

    threading.excepthook = hook
    _hook_installed = True


def watch(thread, poll: float = POLL) -> None:
    """Wait for the evaluation ``thread``, stopping it (with :class:`MemoryLimitExceeded` or
    :class:`TimeLimitExceeded`, raised inside it) when it passes the memory or time limit. The
    address-space limit is lowered meanwhile as a backstop (a single allocation larger than what
    is left fails with MemoryError instead of waking the OOM killer). The time limit is waited
    for exactly (the last wait ends at the deadline), the memory sampled every ``poll`` s."""
    import resource
    import time

    max_memory = SETTINGS.max_memory or default_max_memory()
    timeout = SETTINGS.timeout
    deadline = None if timeout is None else time.monotonic() + timeout
    old = resource.getrlimit(resource.RLIMIT_AS)
    backstop = _statm(0) + max_memory + (4 << 30)  # room for thread stacks and malloc arenas
    lowered = False
    if old[0] == resource.RLIM_INFINITY or old[0] > backstop:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (backstop, old[1]))
            lowered = True
        except (ValueError, OSError):
            pass
    resident = _ResidentSize()
    _quiet_late_stops()
    stopped = False
    try:
        while thread.is_alive():
            if stopped:
                thread.join(poll)
                continue
            wait = poll if deadline is None else max(0.0, min(poll, deadline - time.monotonic()))
            thread.join(wait)
            if not thread.is_alive():
                break
            if resident() > max_memory:
                _interrupt(thread.ident, MemoryLimitExceeded)
                stopped = True
            elif deadline is not None and time.monotonic() >= deadline:
                _interrupt(thread.ident, TimeLimitExceeded)
                stopped = True
    finally:
        resident.close()
        if lowered:
            resource.setrlimit(resource.RLIMIT_AS, old)


def limit_error(err: BaseException) -> EvalError:
    """The evaluation error for a limit the evaluation thread hit."""
    if isinstance(err, TimeLimitExceeded):
        return EvalError(time_message(SETTINGS.timeout or 0))
    return EvalError(memory_message(SETTINGS.max_memory or default_max_memory()))
