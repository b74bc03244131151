"""The store layer's own error: what the evaluator (or any other caller) wraps for its users.

The store sits below the Nix language, so it knows nothing of evaluation errors or positions:
each failure is a :class:`StoreError` whose message reads as Nix's, and the caller decides how
to report it (the evaluator turns it into an evaluation error, a command into a usage error).
"""

from __future__ import annotations


class StoreError(ValueError):
    """A store operation failed; ``message`` is the text Nix would show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
