"""Nix files as the evaluator reads them: each parsed once per process, and once per content
across runs (through :mod:`.parse_cache`, which finds an unchanged file's entry by the file's
identity without reading it).

Kept apart from :mod:`.parser` so that a run whose files all come from the parse cache never
imports the lexer and the parser (their regular expressions and tables cost a few milliseconds
of every start-up); they are imported on the first file that must really be parsed.
"""

from __future__ import annotations

import os
from stat import S_ISDIR

from .. import errors
from ..store.fsstate import last_change, settled
from . import ast


def parse_file_text(text: str, path: str) -> ast.Expr:
    """Parse ``text`` as the content of the file at the absolute, canonical ``path`` (relative
    paths resolve in its directory), through the on-disk cache of parsed files."""
    from .parse_cache import parse_cached

    return parse_cached(path, text, lambda: _parse_text(text, path))


def parse_text(text: str, file: str, base_dir: str) -> ast.Expr:
    """Parse Nix text that is not a file of its own (``-E``, ``--arg``, stdin, a builtin's
    source): named ``file`` in positions, relative paths resolved against ``base_dir``, through
    the on-disk cache keyed by the three, so that ``eval -E`` on cached files imports neither
    the lexer nor the parser. A syntax error is raised by the parse, never cached."""
    if file.startswith("«") or not os.path.exists(file):
        errors.register_source(file, text)  # error carets and __curPos show the text
    from .parse_cache import parse_cached
    from .paths import canon_path

    base = canon_path(os.path.abspath(base_dir))

    def parse() -> ast.Expr:
        from .parser import parse_text_at

        return parse_text_at(text, file, base)
    return parse_cached(f"{file}\0{base}", text, parse)


def _parse_text(text: str, path: str) -> ast.Expr:
    from .parser import parse_text_at

    return parse_text_at(text, path, os.path.dirname(path))


#: Parsed files by (path, identity of the file's state): the AST is immutable, so a long-lived
#: process (or children forked from a warmed one) parses each unchanged file once.
_file_cache: dict[str, tuple[tuple, ast.Expr]] = {}


def parse_file(path: str, as_path: str | None = None) -> ast.Expr:
    """Parse the Nix file at ``path`` (a directory means its ``default.nix``); ``as_path``: the
    absolute, canonical name it has in positions and relative paths when that is another (a file
    under a computed store path, read from its local source)."""
    p = os.path.abspath(path)
    try:
        st = os.stat(p)
        if S_ISDIR(st.st_mode):
            p = os.path.join(p, "default.nix")
            st = os.stat(p)
    except OSError as err:
        raise errors.UserError(f"opening file '{p}': {err.strerror or err}") from None
    name = as_path or p
    key = (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns, p)
    hit = _file_cache.get(name)
    if hit is not None and hit[0] == key:
        return hit[1]

    def read() -> str:  # (only when the parse cache has no entry for the file as it is)
        try:
            with open(p, "rb") as fh:
                return fh.read().decode("utf-8", errors="surrogateescape")
        except OSError as err:
            raise errors.UserError(f"opening file '{p}': {err.strerror or err}") from None

    from .parse_cache import parse_cached_file

    tree = parse_cached_file(name, st, read, lambda text: _parse_text(text, name))
    if settled(last_change(st)):  # a file changed just now may change again unseen
        _file_cache[name] = (key, tree)
    return tree
