"""A one-line progress counter on stderr, shown only when asked (a terminal, and no --quiet).

Used by image writes (bytes of layer bodies, with a known total) and registry uploads (bytes
sent, total unknown until compression is done: then only the count is shown).
"""

from __future__ import annotations

import sys
import threading


class Progress:
    """Call with a number of bytes as they pass; :meth:`finish` ends the line."""

    def __init__(self, total: int | None, enabled: bool, label: str = "") -> None:
        self.total = None if total is None else max(total, 1)
        self.done = 0
        self.enabled = enabled
        self.label = label
        self._last = -1
        self._lock = threading.Lock()  # uploads report from several threads

    def __call__(self, n: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            self.done += n
            if self.total is None:
                tenths = self.done * 10 >> 20
                if tenths != self._last:
                    self._last = tenths
                    sys.stderr.write(f"\r{self.label}{tenths / 10:.1f} MiB")
                    sys.stderr.flush()
                return
            pct = min(100, self.done * 100 // self.total)
            if pct != self._last:
                self._last = pct
                bar = "#" * (pct // 4)
                sys.stderr.write(f"\r{self.label}[{bar:<25}] {pct:3d}% {self.done >> 20} MiB")
                sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled and self._last >= 0:
            self._last = -1
            if self.total is None:
                sys.stderr.write(f"\r{self.label}{self.done / 2**20:.1f} MiB\n")
            else:
                # bodies are counted as they are copied; headers and padding make up the rest
                sys.stderr.write(f"\r{self.label}[{'#' * 25}] 100% {self.total >> 20} MiB\n")
            sys.stderr.flush()
