"""Retries with exponential backoff, shared by the registry client and the binary-cache reader.

Only :class:`TransientError` is retried: connection refused or reset, timeouts, a body cut
short, and 5xx answers. Everything else (a 404, a refused signature, a hash mismatch) is an
answer, and answers are not asked twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar

from ..errors import UserError

T = TypeVar("T")


class TransientError(Exception):
    """A failure worth retrying: connection refused/reset, timeout, a cut body, or a 5xx answer."""


class GaveUpError(UserError):
    """A transient failure went on for every attempt."""


@dataclass(slots=True)
class RetryPolicy:
    attempts: int = 5
    backoff: float = 0.5  # seconds before the second attempt; doubles each time
    max_backoff: float = 8.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    def run(self, what: str, op: Callable[[], T], log: Callable[[str], None] | None = None,
            error: type[UserError] = GaveUpError) -> T:
        """Run ``op``; on :class:`TransientError` wait and try again, up to ``attempts`` times;
        then raise ``error`` naming ``what``."""
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                return op()
            except TransientError as err:
                if attempt >= self.attempts:
                    raise error(f"{what}: giving up after {attempt} attempt{'s' if attempt > 1 else ''}: {err}") from None
                if log:
                    log(f"warning: {what}: {err}; retrying in {delay:.1f}s ({attempt}/{self.attempts})")
                self.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
        raise AssertionError("unreachable")
