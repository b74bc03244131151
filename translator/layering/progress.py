"""Progress lines on stderr for long computations, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    """``with Progress("popularity", n) as p: ... p.step(i)``; silent unless stderr is a tty."""

    def __init__(self, label: str, total: int, min_total: int = 5000) -> None:
        self.label = label
        self.total = total
        self.enabled = total >= min_total and _stderr_is_tty()
        self._last = 0.0
        self._shown = False

    def __enter__(self) -> "Progress":
        return self

    def step(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.25:
            return
        self._last = now
        pct = 100 * done // max(self.total, 1)
        sys.stderr.write(f"\r{self.label}: {done}/{self.total} ({pct}%)")
        sys.stderr.flush()
        self._shown = True

    def __exit__(self, *exc: object) -> None:
        if self._shown:
            sys.stderr.write("\r" + " " * (len(self.label) + 40) + "\r")
            sys.stderr.flush()


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
