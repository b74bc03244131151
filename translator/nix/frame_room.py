"""Room on CPython's frame stack for a deep evaluation, so that it does not map and unmap memory
on every call that crosses a chunk boundary.

CPython (3.11 and later) keeps the frames of Python functions in a per-thread stack of chunks: a
call whose frame does not fit in the current chunk maps a new one (16 KiB or the smallest power of
two that holds the frame), and returning below that chunk's start unmaps it again. The evaluator
recurses deeply and its depth swings up and down across the same boundaries: the drvPath of
coreutils from a real nixpkgs mapped and unmapped 25,600 chunks, each with fresh pages to fault
in (about 0.5 s of system time in a 3 s evaluation).

:func:`call_with_room` calls a function from a frame that declares a value stack just over half
of a large power of two: its chunk is that power of two, and the half left over holds the frames
of everything the function calls (about 80,000 evaluator calls deep) without a new chunk. The
declared stack is never written, so the untouched pages cost address space, not memory; deeper
recursion than that takes new chunks as before.

:func:`stack_guard_of` is the other side of the same question for a compiled build, whose calls
push no Python frame at all: the module that bounds their C stack instead (``stack_guard.pyx``).
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable

#: Words of value stack the trampoline declares: its chunk is 32 MiB, 16 MiB of it free.
ROOM_WORDS = (1 << 21) + 64


def _trampoline(fn: Callable[[], Any]) -> Any:
    return fn()


try:
    _trampoline.__code__ = _trampoline.__code__.replace(co_stacksize=ROOM_WORDS)
except (AttributeError, ValueError):  # pragma: no cover - an interpreter without this layout
    pass


def call_with_room(fn: Callable[[], Any]) -> Any:
    """``fn()``, called where the frames of its calls have room to come and go."""
    return _trampoline(fn)


def stack_guard_of(module_file: str):
    """``stack_guard`` (the compiled build's own recursion and interruption checks, see
    ``stack_guard.pyx``) for a module compiled by ``setup.py``, given its ``__file__``; None for a
    module running as Python, whose frames CPython counts and interrupts itself."""
    if module_file.endswith(".py"):
        return None
    from . import stack_guard

    return stack_guard
