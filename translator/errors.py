"""Errors a user may see, and how they are shown.

Every error meant for a user derives from :class:`UserError`. The CLI prints ``str(err)`` (which
already starts with ``error:``) and exits non-zero without a traceback (``--debug`` shows one).
Positions are :class:`Pos` values; :func:`caret_lines` renders the source line with a caret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Pos:
    """A position in a source: file name (or ``«string»`` / ``«none»``), 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


#: Sources given as text rather than files (``-E EXPR``); ``file`` names map to their text.
_virtual_sources: dict[str, str] = {}


def register_source(name: str, text: str) -> None:
    """Remember the text of a non-file source so that carets can be shown for it."""
    _virtual_sources[name] = text


def source_line(pos: Pos) -> str | None:
    """The text of the line ``pos`` points into, or None when it cannot be read."""
    text = _virtual_sources.get(pos.file)
    if text is None:
        try:
            text = Path(pos.file).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    lines = text.split("\n")
    if 1 <= pos.line <= len(lines):
        return lines[pos.line - 1]
    return None


def caret_lines(pos: Pos) -> str:
    """Nix-style excerpt: the line number, the source line and a caret under the column."""
    line = source_line(pos)
    if line is None:
        return ""
    gutter = f"{pos.line:6d}| "
    pad = " " * (len(gutter) - 2) + "| " + "".join(c if c == "\t" else " " for c in line[: max(pos.col - 1, 0)])
    return f"\n{gutter}{line}\n{pad}^"


class UserError(Exception):
    """An error caused by the input or the arguments; shown without a traceback.

    ``str()`` gives the full text to print, starting with ``error:``.
    """

    def __init__(self, message: str, pos: Pos | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.hint = hint

    def __str__(self) -> str:
        text = self.message if self.message.startswith("error:") else f"error: {self.message}"
        if self.pos is not None:
            text += f"\n\n       at {self.pos}:" + caret_lines(self.pos)
        if self.hint:
            text += f"\n\n       hint: {self.hint}"
        return text


class UsageError(UserError):
    """A command-line argument is wrong; the message names the argument."""
