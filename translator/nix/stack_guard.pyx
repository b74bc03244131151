# cython: language_level=3
"""What CPython's own bookkeeping gives the pure-Python evaluator, for the compiled one.

When ``setup.py`` compiles the evaluator with Cython (see ``docs/compiled.md``), its closures call
each other as C functions: no Python frame is pushed, so neither the recursion limit (Nix's
``stack overflow`` error) nor the interpreter's periodic work (switching threads, running the
limit watchdog's stop) ever happens inside a long evaluation. A runaway recursion would end the
process with a segmentation fault and ``--eval-timeout`` / ``--max-memory`` would never stop it.

:func:`enter` is called (only in a compiled build) as the body of every Nix function and the
code of every thunk is entered: it measures how much of the evaluation thread's C stack is in
use - the distance from the position :func:`start` marked to a local variable of the call - and
raises ``RecursionError`` (which ``run_deep`` reports as Nix's ``stack overflow``) when the room
is used up; every 1,024th call also runs one Python frame (:func:`limits.checkpoint`), where
CPython switches threads and delivers the watchdog's exception. Every recursion of a Nix
evaluation goes through function calls or the forcing of thunks (a chain of ``acc.n + x`` left
by ``foldl'``), so this bounds the stack whatever the depth of the expressions in between. The
compiled code that recurses over data instead (deep equality, ``deepSeq``: ``operations.py``)
calls it as it goes down too. (A call at each entry, rather than a wrapper around each compiled
body: a wrapper is an object per function body and thunk code, 1.2 MB on coreutils.)

This file is Cython, not Python: it exists only in compiled builds, and the pure-Python
evaluator never imports it.
"""

from .limits import checkpoint

cdef char *_base = NULL  # the evaluation thread's stack position at start(); NULL: no guard
cdef Py_ssize_t _room = 0  # bytes of stack the evaluation may use below _base
cdef int _ticks = 0

cdef enum:
    TICKS = 1024  # calls between two Python frames (thread switches, the watchdog's stop)


def start(Py_ssize_t room):
    """Mark the caller's stack position as the bottom of an evaluation allowed ``room`` bytes
    of stack; returns what was marked before, for :func:`finish` (evaluations can nest)."""
    global _base, _room
    cdef char here
    old = (<Py_ssize_t>_base, _room)
    _base = &here
    _room = room
    return old


def finish(old):
    """Restore the mark :func:`start` returned."""
    global _base, _room
    _base = <char *><Py_ssize_t>old[0]
    _room = old[1]


def enter():
    """Called as a Nix function body or a thunk's code is entered (by the compiled evaluator),
    and on the way down a recursion over data (by the compiled ``operations``): raise
    ``RecursionError`` when the evaluation has used up its stack room, and now and then run a
    Python frame."""
    global _ticks
    cdef char here
    cdef Py_ssize_t used
    if _base != NULL:
        used = _base - &here  # the stack in use: from the mark to this call's frame
        if used < 0:
            used = -used
        if used > _room:
            raise RecursionError("the evaluation used up its stack")
    _ticks += 1
    if _ticks >= TICKS:
        _ticks = 0
        checkpoint()
