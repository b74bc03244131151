"""How evaluation errors look: Nix 2.8's ``error: ...`` block with ``at FILE:L:C:``, the source
lines around the position with a caret, and the trace (``… while evaluating ...``).

Nix renders expressions in messages (``assertion '...' failed``) with ``Expr::show``, the same
code that ``nix-instantiate --parse`` prints with: that rendering is
:func:`.ast_dump.to_nix_parse_format`, tested text-for-text against Nix.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from ..errors import Pos, UserError, code_block, render_message
from .values import EvalError


_INDENT = "\n       "  # the width of ``error: ``


def _resolve(pos: Any) -> Any:
    return pos.resolve() if hasattr(pos, "resolve") else pos


def format_error(err: EvalError, *, show_trace: bool = True) -> str:
    """The full text Nix 2.8 prints for ``err`` (with ``--show-trace`` when ``show_trace``)."""
    msg = err.message.replace("\n", _INDENT)  # Nix indents every line of the message block
    parts = [msg if msg.startswith("error:") else f"error: {msg}"]
    pos = _resolve(err.pos)
    if isinstance(pos, Pos):
        parts.append(code_block(pos))
    hint = getattr(err, "suggestion", None)
    if hint:
        parts.append(f"\n       {hint}")
    if show_trace:
        for text, pos in err.trace:
            parts.append(f"\n\n       … {text.replace(chr(10), _INDENT)}")
            pos = _resolve(pos)
            if isinstance(pos, Pos):
                parts.append(code_block(pos))
    elif err.trace:
        parts.append("\n(use '--show-trace' to show detailed location information)")
    return render_message("".join(parts))


class NixEvalError(UserError):
    """An evaluation error as the user sees it (already formatted like Nix)."""

    def __init__(self, err: EvalError, show_trace: bool = True) -> None:
        pos = _resolve(err.pos)
        super().__init__(err.message, pos if isinstance(pos, Pos) else None)
        self.eval_error = err
        self.text = format_error(err, show_trace=show_trace)

    def __str__(self) -> str:
        return self.text


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggestion_text(query: str, names) -> str | None:
    """Nix's ``Did you mean ...?`` line: up to 5 names within edit distance 2."""
    ranked = sorted((levenshtein(query, n), n) for n in names)
    best = [n for d, n in ranked if d <= 2][:5]
    if not best:
        return None
    if len(best) == 1:
        return f"Did you mean {best[0]}?"
    return f"Did you mean one of {', '.join(best[:-1])} or {best[-1]}?"


# --- Nix's Expr::show (used by ``assertion '...' failed``) -------------------------------------
