"""Errors a user may see, and how they are shown.

Every error meant for a user derives from :class:`UserError`. The CLI prints ``str(err)`` (which
already starts with ``error:``) and exits non-zero without a traceback (``--debug`` shows one).
Positions are :class:`Pos` values; :func:`code_block` renders them as Nix 2.8 does (the source
lines around them with a caret) and :func:`render_message` finishes the text as Nix prints it.
"""

from __future__ import annotations

from .store.value_class import SlotValue


class Pos(SlotValue):
    """A position in a source: file name (or ``«string»`` / ``«none»``), 1-based line and column.
    A value: compared and hashed by its fields, never changed."""

    __slots__ = ("file", "line", "col")

    file: str
    line: int
    col: int

    def __init__(self, file: str, line: int, col: int) -> None:
        self.file = file
        self.line = line
        self.col = col

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


#: Sources given as text rather than files (``-E EXPR``); ``file`` names map to their text.
_virtual_sources: dict[str, str] = {}


def register_source(name: str, text: str) -> None:
    """Remember the text of a non-file source (``-E`` text, stdin...) so that carets can be shown
    for it; as in Nix 2.8, such a source is its own "file" in ``__curPos``/``unsafeGetAttrPos``."""
    _virtual_sources[name] = text


#: Files named one thing and read from another: name -> (the file holding the text, or None;
#: the text, or None). A file under a store path this process computed but never copied is
#: named by its store path and read from its local source; a ``builtins.toFile`` text never
#: written is named by its store path and known by its text.
_file_sources: dict[str, tuple[str | None, str | None]] = {}


def register_file_source(name: str, *, path: str | None = None, text: str | None = None) -> None:
    """Positions in the file ``name`` show the lines of the file at ``path``, or of ``text``."""
    _file_sources[name] = (path, text)


def file_text(name: str) -> str | None:
    """The text of the file ``name`` as positions in it see it (None when it cannot be read)."""
    path, text = _file_sources.get(name, (name, None))
    if text is not None:
        return text
    try:
        with open(path, "rb") as fh:  # type: ignore[arg-type]
            return fh.read().decode("utf-8", errors="replace")
    except OSError:
        return None


def _code_lines(pos: Pos) -> tuple[str | None, str | None, str | None] | None:
    """The lines before, at and after ``pos`` as Nix 2.8 reads them (``getCodeLines``), or None.

    A file is read line by line up to newlines, so an unterminated last line is never shown (and
    an error on it gets no excerpt); text given with ``-E`` is split like ``std::getline``, so a
    final newline yields one more, empty, line.
    """
    if pos.line <= 0:
        return None
    text = _virtual_sources.get(pos.file)
    if text is None:
        data = file_text(pos.file)
        if data is None:
            return None
        lines = data.split("\n")[:-1]  # only terminated lines
        if pos.line > len(lines):
            return None
    else:
        lines = text.split("\n")

    def get(n: int) -> str | None:
        return lines[n - 1] if 1 <= n <= len(lines) else None

    return get(pos.line - 1), get(pos.line), get(pos.line + 1)


def code_block(pos: Pos) -> str:
    """Nix 2.8's position block: ``at FILE:L:C:`` and the excerpt (line before, the line, a caret
    under the byte column, line after), indented as in an error message."""
    out = [f"\n\n       at {pos}:"]
    loc = _code_lines(pos)
    if loc is not None:
        before, line, after = loc
        out.append("\n")
        if before is not None:
            out.append(f"\n        {pos.line - 1:5d}| {before}")
        if line is not None:
            out.append(f"\n        {pos.line:5d}| {line}")
            if pos.col > 0:
                out.append("\n             |" + " " * pos.col + "^")
        if after is not None:
            out.append(f"\n        {pos.line + 1:5d}| {after}")
    return "".join(out)


def _filter_escapes(s: str) -> str:
    """Nix's ``filterANSIEscapes`` for a non-terminal: drop escape sequences and carriage
    returns, expand tabs to 8-column stops counted from the start of the message."""
    out: list[str] = []
    w = 0
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "\033":
            i += 1
            if i < n and s[i] == "[":
                i += 1
                while i < n and "\x30" <= s[i] <= "\x3f":
                    i += 1
                while i < n and "\x20" <= s[i] <= "\x2f":
                    i += 1
                if i < n and "\x40" <= s[i] <= "\x7e":
                    i += 1
            elif i < n and "\x40" <= s[i] <= "\x5f":
                i += 1
        elif c == "\t":
            i += 1
            out.append(" ")
            w += 1
            while w % 8:
                out.append(" ")
                w += 1
        elif c == "\r":
            i += 1
        else:
            out.append(c)
            w += 1
            i += 1
    return "".join(out)


def render_message(text: str) -> str:
    """The text Nix 2.8 writes for an error message: every line stripped of trailing whitespace
    (``indent``/``chomp``), then filtered as for a non-terminal."""
    text = "\n".join(line.rstrip(" \t\r\n") for line in text.split("\n"))
    if "\t" in text or "\r" in text or "\033" in text:
        text = _filter_escapes(text)
    return text


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
            text += code_block(self.pos)
        if self.hint:
            text += f"\n\n       hint: {self.hint}"
        return render_message(text)


class UsageError(UserError):
    """A command-line argument is wrong; the message names the argument."""
