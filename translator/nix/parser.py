"""The Nix 2.8 parser: tokens from :mod:`.lexer`, lark's LALR(1) tables for ``grammar/nix.lark``,
AST nodes (:mod:`.ast`) built directly in the reduction callbacks (no parse tree in between).

Public API: :func:`parse_file`, :func:`parse_string`, :class:`NixSyntaxError`.

Lark computes the LALR tables from the grammar; the shift/reduce loop here is a small driver over
those tables because it works on the lexer's plain tuples (faster than lark's Token objects) and
because, on a syntax error, it must say what Nix 2.8's Bison parser says: the unexpected token by
its Bison name and, like Bison, at most four expected tokens after the default reductions.

Parse-time desugaring and checks follow Nix's parser.y: nested attribute paths are merged into
nested sets (duplicates are errors, as is merging into a non-set), ``-e`` becomes ``__sub 0 e``,
paths are made absolute, ``let`` may not have dynamic attributes, formals may not repeat.
"""

from __future__ import annotations

import gc
import os
import marshal

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any, Callable

from .. import errors
from ..errors import Pos
from . import ast
from .paths import canon_path
from .lexer import T_QUOTE, T_SIMPLE_STR, TERMINALS, TID, Lexer, NixSyntaxError
from ..cachedir import cache_home

__all__ = ["parse_file", "parse_string", "NixSyntaxError"]

# (os.path, not pathlib: pathlib is 2.4 ms of the start-up of every evaluation of -E text)
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
GRAMMAR_FILE = os.path.join(os.path.dirname(_PACKAGE_DIR), "grammar", "nix.lark")
PACKAGED_GRAMMAR_FILE = os.path.join(_PACKAGE_DIR, "grammar", "nix.lark")

_CHAR_NAMES = {
    "COLON": ":", "LBRACE": "{", "RBRACE": "}", "AT": "@", "SEMI": ";", "BANG": "!", "DOT": ".",
    "QUOTE": '"', "LPAR": "(", "RPAR": ")", "LBRACK": "[", "RBRACK": "]", "ASSIGN": "=",
    "COMMA": ",", "QMARK": "?", "LT": "<", "GT": ">", "PLUS": "+", "MINUS": "-", "STAR": "*",
    "SLASH": "/",
}


def bison_name(token_type: str) -> str:
    """How Bison names a token in ``unexpected X`` / ``expecting X``."""
    if token_type == "$END":
        return "end of file"
    if token_type == "INVALID":
        return "invalid token"
    if token_type in _CHAR_NAMES:
        return f"'{_CHAR_NAMES[token_type]}'"
    return token_type


# --------------------------------------------------------------------------------------------
# Tables


class _Tables:
    """LALR(1) tables in a compact form: per state, token -> ``state`` (shift, >= 0) or
    ``~rule`` (reduce, < 0); per state, nonterminal -> state; rules as (lhs, size, callback,
    right-hand side symbols)."""

    def __init__(self, actions, gotos, rules, start_state, end_state):
        self.actions: list[dict[str, int]] = actions
        self.gotos: list[dict[str, int]] = gotos
        self.rules: list[tuple[str, int, str | None, tuple[str, ...]]] = rules
        self.start_state: int = start_state
        self.end_state: int = end_state


def _build_tables(grammar_text: str) -> _Tables:
    import lark
    from lark.lexer import Lexer as LarkLexer
    from lark.parsers.lalr_analysis import Shift

    class _NoLexer(LarkLexer):  # tokens come from translator.nix.lexer
        def __init__(self, conf):
            pass

        def lex(self, *args):  # pragma: no cover - never used
            raise NotImplementedError

    lk = lark.Lark(grammar_text, parser="lalr", lexer=_NoLexer, start="start")
    table = lk.parser.parser.parser.parse_table
    rule_ids: dict[Any, int] = {}
    rules: list[tuple[str, int, str | None, tuple[str, ...]]] = []
    for rule in lk.rules:
        rule_ids[rule] = len(rules)
        rules.append((str(rule.origin.name), len(rule.expansion), str(rule.alias) if rule.alias else None,
                      tuple(str(sym.name) for sym in rule.expansion)))
    states = sorted(table.states)
    index = {s: i for i, s in enumerate(states)}
    actions: list[dict[str, int]] = []
    gotos: list[dict[str, int]] = []
    for s in states:
        act: dict[str, int] = {}
        got: dict[str, int] = {}
        for sym, (action, arg) in table.states[s].items():
            sym = str(sym)
            if action is Shift:
                (act if sym.isupper() or sym.startswith("$") else got)[sym] = index[arg]
            else:
                act[sym] = ~rule_ids[arg]
        actions.append(act)
        gotos.append(got)
    return _Tables(actions, gotos, rules, index[table.start_states["start"]], index[table.end_states["start"]])


_TABLES: _Tables | None = None


def _cache_path(grammar_text: str) -> str:
    import hashlib

    key = hashlib.sha256((grammar_text + _lark_version() + f"5:{marshal.version}").encode()).hexdigest()[:16]
    return cache_home(f"nix-grammar-{key}.marshal")


def _lark_version() -> str:
    """lark's version, read from its ``__init__.py`` without importing it (importing lark costs
    more than the rest of a small evaluation; it is needed only to build the tables)."""
    import importlib.util
    import re

    spec = importlib.util.find_spec("lark")
    try:
        with open(spec.origin, encoding="utf-8") as fh:  # type: ignore[union-attr, arg-type]
            m = re.search(r"""^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", fh.read(), re.M)
    except (AttributeError, TypeError, OSError):
        m = None
    if m is None:
        import lark

        return lark.__version__
    return m.group(1)


def tables() -> _Tables:
    """The parse tables, built from the grammar once and cached on disk (keyed by its hash)."""
    global _TABLES
    if _TABLES is None:
        text = None
        # a source checkout has the grammar beside the package, an install inside it (as
        # translator.grammar); importlib.resources, the last resort, costs 30 ms to import
        for candidate in (GRAMMAR_FILE, PACKAGED_GRAMMAR_FILE):
            try:
                with open(candidate, encoding="utf-8") as fh:
                    text = fh.read()
                break
            except OSError:
                continue
        if text is None:
            text = _packaged_grammar()
        path = _cache_path(text)
        try:
            with open(path, "rb") as fh:  # plain lists, dicts and tuples: marshal, built in
                t = marshal.loads(fh.read())  # (pickle cost 3 ms of start-up to import)
            _TABLES = _Tables(*t)
        except Exception:  # noqa: BLE001 - any unreadable cache is rebuilt
            _TABLES = _build_tables(text)
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                from .. import scratch

                tmp = scratch.temp_name(os.path.dirname(path), os.path.basename(path))
                with open(tmp, "wb") as fh:
                    marshal.dump((_TABLES.actions, _TABLES.gotos, _TABLES.rules, _TABLES.start_state,
                                  _TABLES.end_state), fh)
                os.replace(tmp, path)
            except OSError:
                pass
    return _TABLES


def _packaged_grammar() -> str:
    from importlib.resources import files

    return files("translator.grammar").joinpath("nix.lark").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Paths




def _home() -> str:
    return os.environ.get("HOME") or os.path.expanduser("~")


# --------------------------------------------------------------------------------------------
# Indented strings


def strip_indentation(pos: Pos, parts: list) -> ast.Expr:
    """Nix 2.8's ``stripIndentation`` over ``(text, has_indentation)`` tuples and expressions.

    The minimum indentation is taken over lines that have a non-space character (an
    interpolation or an escape counts as one); whitespace-only lines do not count; the final
    line is dropped when it holds only spaces.
    """
    if not parts:
        return ast.Str(pos, "")
    at_start = True
    min_indent = 1000000
    cur = 0
    for p in parts:
        if type(p) is not tuple or not p[1]:
            if at_start:
                at_start = False
                if cur < min_indent:
                    min_indent = cur
            continue
        for ch in p[0]:
            if at_start:
                if ch == " ":
                    cur += 1
                elif ch == "\n":
                    cur = 0
                else:
                    at_start = False
                    if cur < min_indent:
                        min_indent = cur
            elif ch == "\n":
                at_start = True
                cur = 0
    out: list = []
    at_start = True
    dropped = 0
    n = len(parts)
    for idx, p in enumerate(parts):
        if type(p) is not tuple:
            at_start = False
            dropped = 0
            out.append(p)
            continue
        buf = []
        for ch in p[0]:
            if at_start:
                if ch == " ":
                    if dropped >= min_indent:
                        buf.append(ch)
                    dropped += 1
                elif ch == "\n":
                    dropped = 0
                    buf.append(ch)
                else:
                    at_start = False
                    dropped = 0
                    buf.append(ch)
            else:
                buf.append(ch)
                if ch == "\n":
                    at_start = True
        s = "".join(buf)
        if idx == n - 1:
            cut = s.rfind("\n")
            if cut != -1 and s[cut + 1:].strip(" ") == "":
                s = s[:cut + 1]
        out.append(s)
    if len(out) == 1 and type(out[0]) is str:
        return ast.Str(pos, out[0])
    return ast.InterpStr(pos, out)


# --------------------------------------------------------------------------------------------
# Attribute sets under construction


class _Binds:
    """An ``Attrs`` being filled by ``addAttr`` (Nix's merging rules); ``inherit_nodes`` get the
    position Nix gives them (just after the token that opens the bindings) once it is known."""

    __slots__ = ("attrs", "inherit_nodes")

    def __init__(self, pos: Pos) -> None:
        self.attrs = ast.Attrs(pos, False, {}, [])
        self.inherit_nodes: list[ast.Expr] = []


def _show_path(path: list) -> str:
    from .ast_dump import nix_identifier

    return ".".join(nix_identifier(p) if isinstance(p, str) else "\"${" + _show_expr(p) + "}\"" for p in path)


def _show_expr(e: ast.Expr) -> str:
    from .ast_dump import to_nix_parse_format

    return to_nix_parse_format(e)


def _pos_text(pos: Pos) -> str:
    """How Nix 2.8 prints a position inside a message (``(string)`` for text sources)."""
    f = pos.file
    if f.startswith("«"):
        f = "(string)"
    return f"{f}:{pos.line}:{pos.col}"


_OP_TEXT = {
    "EQ": "==", "NEQ": "!=", "LT": "<", "LEQ": "<=", "GT": ">", "GEQ": ">=", "AND": "&&", "OR": "||",
    "IMPL": "->", "UPDATE": "//", "CONCAT": "++", "PLUS": "+", "MINUS": "-", "STAR": "*", "SLASH": "/",
}


class _Builder:
    """The reduction callbacks: one method per aliased grammar rule, building AST nodes.

    Calling convention (what the driver passes): nothing for an empty rule, the child's value
    for a one-symbol rule, the list of the children's values otherwise. Token values are those
    of :meth:`Lexer.scan`: ``(word, offset)`` for identifiers and keywords, ``(value, offset)``
    for literals, the text for STR, the offset for punctuation.
    """

    def __init__(self, lexer: Lexer, base_dir: str) -> None:
        self.file = lexer.file
        self.base_dir = base_dir
        self.at = lexer.pos  # offset -> Pos

    def err(self, message: str, pos: Pos) -> NixSyntaxError:
        return NixSyntaxError(message, pos)

    def callbacks(self, rules) -> list[Callable | None]:
        """The callback of each rule (None for pass-through rules); ``binop`` rules get one
        callback per operator."""
        out: list[Callable | None] = []
        for _lhs, _size, alias, rhs in rules:
            if alias == "binop":
                out.append(self._binop(_OP_TEXT[rhs[1]]))
            else:
                out.append(getattr(self, alias) if alias else None)
        return out

    # --- lambdas --------------------------------------------------------------------------
    def _formals(self, fs, arg: str | None, lam_pos: Pos) -> ast.Formals:
        entries, ellipsis = fs
        entries = entries[::-1]
        by_name = sorted(entries, key=lambda f: (f.name, f.pos.line, f.pos.col))
        dup = None
        for a, b in zip(by_name, by_name[1:]):
            if a.name == b.name:
                cand = (b.name, b.pos.line, b.pos.col, b.pos)
                if dup is None or cand[:3] < dup[:3]:
                    dup = cand
        if dup is not None:
            raise self.err(f"duplicate formal function argument '{dup[0]}'", dup[3])
        if arg is not None and any(f.name == arg for f in entries):
            raise self.err(f"duplicate formal function argument '{arg}'", lam_pos)
        return ast.Formals(entries, ellipsis)

    def lambda_simple(self, c):  # ID COLON body
        word, off = c[0]
        return ast.Lambda(self.at(off), word, None, c[2])

    def lambda_formals(self, c):  # LBRACE formals RBRACE COLON body
        p = self.at(c[0])
        return ast.Lambda(p, None, self._formals(c[1], None, p), c[4])

    def lambda_empty(self, c):  # LBRACE RBRACE COLON body
        return ast.Lambda(self.at(c[0]), None, ast.Formals([], False), c[3])

    def lambda_formals_at(self, c):  # LBRACE formals RBRACE AT ID COLON body
        p = self.at(c[0])
        name = c[4][0]
        return ast.Lambda(p, name, self._formals(c[1], name, p), c[6])

    def lambda_empty_at(self, c):  # LBRACE RBRACE AT ID COLON body
        return ast.Lambda(self.at(c[0]), c[3][0], ast.Formals([], False), c[5])

    def lambda_at_formals(self, c):  # ID AT LBRACE formals RBRACE COLON body
        name, off = c[0]
        p = self.at(off)
        return ast.Lambda(p, name, self._formals(c[3], name, p), c[6])

    def lambda_at_empty(self, c):  # ID AT LBRACE RBRACE COLON body
        name, off = c[0]
        return ast.Lambda(self.at(off), name, ast.Formals([], False), c[5])

    def formals_more(self, c):  # formal COMMA formals
        entries, ellipsis = c[2]
        entries.append(c[0])
        return entries, ellipsis

    def formals_comma(self, c):  # formal COMMA
        return [c[0]], False

    def formals_one(self, formal):
        return [formal], False

    def formals_ellipsis(self, _offset):
        return [], True

    def formal(self, tok):
        return ast.Formal(tok[0], None, self.at(tok[1]))

    def formal_default(self, c):  # ID QMARK expr
        word, off = c[0]
        return ast.Formal(word, c[2], self.at(off))

    # --- keywords ---------------------------------------------------------------------------
    def assert_(self, c):
        return ast.Assert(self.at(c[0][1]), c[1], c[3])

    def with_(self, c):
        return ast.With(self.at(c[0][1]), c[1], c[3])

    def let_(self, c):  # LET binds IN body
        let_at = c[0][1]
        b: _Binds = c[1]
        if b.attrs.dynamic:
            raise self.err("dynamic attributes not allowed in let", self.at(let_at))
        self._finish(b, let_at + 3, True)
        b.attrs.pos = self.at(let_at)
        return ast.Let(self.at(let_at), b.attrs, c[3])

    def if_(self, c):
        return ast.If(self.at(c[0][1]), c[1], c[3], c[5])

    # --- operators --------------------------------------------------------------------------
    @staticmethod
    def _binop(op: str) -> Callable:
        binop = ast.BinOp

        def build(c):
            lhs = c[0]
            return binop(lhs.pos, op, lhs, c[2])
        return build

    def hasattr(self, c):
        return ast.HasAttr(c[0].pos, c[0], c[2][0])

    def negate(self, c):  # MINUS e
        p = self.at(c[0])
        return ast.Call(p, ast.Call(p, ast.Var(p, "__sub"), ast.Int(p, 0)), c[1])

    def not_(self, c):  # BANG e
        return ast.Not(self.at(c[0]), c[1])

    def call(self, c):
        fn = c[0]
        return ast.Call(fn.pos, fn, c[1])

    def select(self, c):  # e DOT attrpath
        return ast.Select(c[0].pos, c[0], c[2][0])

    def select_or(self, c):  # e DOT attrpath OR_KW default
        return ast.Select(c[0].pos, c[0], c[2][0], c[4])

    def call_or(self, c):  # e OR_KW
        return ast.Call(c[0].pos, c[0], ast.Var(c[0].pos, "or"))

    # --- atoms ------------------------------------------------------------------------------
    def var(self, tok):
        word = tok[0]
        if word == "__curPos":
            return ast.CurPos(self.at(tok[1]))
        return ast.Var(self.at(tok[1]), word)

    def int_(self, tok):
        return ast.Int(self.at(tok[1]), tok[0])

    def float_(self, tok):
        return ast.Float(self.at(tok[1]), tok[0])

    def string(self, c):  # QUOTE string_parts QUOTE
        parts = c[1]
        if type(parts) is str:
            return ast.Str(self.at(c[0]), parts)
        return ast.InterpStr(self.at(c[0]), parts)

    def parts_str(self, text):  # not called: the driver passes the text through
        return text

    def parts_interp(self, parts):  # not called: the driver passes the list through
        return parts

    def parts_empty(self):
        return ""

    def sp_add_str(self, c):
        c[0].append(c[1])
        return c[0]

    def sp_add_expr(self, c):
        c[0].append(c[2])
        return c[0]

    def sp_first_expr(self, c):
        return [c[1]]

    def sp_str_expr(self, c):
        return [c[0], c[2]]

    def ind_string(self, c):
        return strip_indentation(self.at(c[0]), c[1])

    def isp_add_str(self, c):
        c[0].append(c[1])
        return c[0]

    def isp_add_expr(self, c):
        c[0].append(c[2])
        return c[0]

    def isp_empty(self):
        return []

    def path_start(self, tok):
        raw = tok[0]
        path = raw if raw[0] == "/" else self.base_dir + "/" + raw
        path = canon_path(path)
        if raw[-1] == "/" and len(raw) > 1:
            path += "/"
        return ast.Path(self.at(tok[1]), path)

    def hpath_start(self, tok):
        return ast.Path(self.at(tok[1]), _home() + tok[0][1:])

    def path(self, c):
        return c[0]

    def interp_path(self, c):
        start: ast.Path = c[0]
        return ast.InterpPath(start.pos, [start.value, *c[1]])

    def spath(self, tok):
        return ast.SearchPath(self.at(tok[1]), tok[0])

    def uri(self, tok):
        return ast.Str(self.at(tok[1]), tok[0])

    def paren(self, c):
        return c[1]

    def legacy_let(self, c):  # LET LBRACE binds RBRACE
        b: _Binds = c[2]
        self._finish(b, c[1] + 1, True)
        b.attrs.pos = self.at(c[1])
        return ast.Select(self.at(c[0][1]), b.attrs, ["body"])

    def rec_attrs(self, c):  # REC LBRACE binds RBRACE
        b: _Binds = c[2]
        self._finish(b, c[1] + 1, True)
        b.attrs.pos = self.at(c[0][1])
        return b.attrs

    def attrs(self, c):  # LBRACE binds1 RBRACE
        b: _Binds = c[1]
        if b.inherit_nodes:
            self._finish(b, c[0] + 1, False)
        attrs = b.attrs
        attrs.pos = self.at(c[0])
        return attrs

    def empty_attrs(self, c):
        return ast.Attrs(self.at(c[0]), False, {}, [])

    def list_(self, c):  # LBRACK items RBRACK
        return ast.List(self.at(c[0]), c[1])

    def list_add(self, c):
        items = c[0]
        items.append(c[1])
        return items

    def list_empty(self):
        return []

    # --- bindings ---------------------------------------------------------------------------
    def _finish(self, b: _Binds, start: int, rec: bool) -> None:
        """Set ``rec`` and give the ``inherit`` nodes their position (``start``: an offset)."""
        b.attrs.rec = rec
        if b.inherit_nodes:
            p = self.at(start)
            for node in b.inherit_nodes:
                node.pos = p

    def binds_empty(self):
        return _Binds(None)

    def binds_first_value(self, c):  # attrpath ASSIGN expr SEMI
        b = _Binds(None)
        path, p = c[0]
        self._add_attr(b.attrs, path, c[2], p)
        return b

    def binds_add_value(self, c):  # binds1 attrpath ASSIGN expr SEMI
        b = c[0]
        path, p = c[1]
        e = c[3]
        defs = b.attrs.attrs
        if len(path) == 1:
            name = path[0]
            if type(name) is str and name not in defs:  # the common case, as _add_attr would
                defs[name] = ast.AttrDef(e, p)
                if type(e) is ast.Lambda:
                    e.name = name
                return b
        self._add_attr(b.attrs, path, e, p)
        return b

    def binds_first_inherit(self, c):  # INHERIT attrs SEMI
        b = _Binds(None)
        self._add_inherit(b, None, c[1], self.at(c[0][1] + 7))
        return b

    def binds_add_inherit(self, c):  # binds1 INHERIT attrs SEMI
        self._add_inherit(c[0], None, c[2], self.at(c[1][1] + 7))
        return c[0]

    def binds_first_inherit_from(self, c):  # INHERIT LPAR expr RPAR attrs SEMI
        b = _Binds(None)
        self._add_inherit(b, c[2], c[4], self.at(c[3] + 1))
        return b

    def binds_add_inherit_from(self, c):  # binds1 INHERIT LPAR expr RPAR attrs SEMI
        self._add_inherit(c[0], c[3], c[5], self.at(c[4] + 1))
        return c[0]

    def _add_inherit(self, b: _Binds, source: ast.Expr | None, names: list[str], p: Pos) -> None:
        attrs = b.attrs
        for name in names:
            old = attrs.attrs.get(name)
            if old is not None:
                raise self.err(f"attribute '{name}' already defined at {_pos_text(old.pos)}", p)
            if source is None:
                node = ast.Var(p, name)
            else:
                node = ast.Select(p, source, [name])
            b.inherit_nodes.append(node)
            attrs.attrs[name] = ast.AttrDef(node, p, True)
    def _add_attr(self, attrs: ast.Attrs, path: list, e: ast.Expr, p: Pos) -> None:
        """Nix 2.8's ``addAttr``: walk/create the nested sets of ``a.b.c = e``."""
        for name in path[:-1]:
            if type(name) is str:
                old = attrs.attrs.get(name)
                if old is not None:
                    if old.inherited or type(old.expr) is not ast.Attrs:
                        raise self.err(f"attribute '{_show_path(path)}' already defined at {_pos_text(old.pos)}", p)
                    attrs = old.expr
                else:
                    nested = ast.Attrs(p, False, {}, [])
                    attrs.attrs[name] = ast.AttrDef(nested, p)
                    attrs = nested
            else:
                nested = ast.Attrs(p, False, {}, [])
                attrs.dynamic.append(ast.DynamicAttrDef(name, nested, p))
                attrs = nested
        last = path[-1]
        if type(last) is str:
            old = attrs.attrs.get(last)
            if old is not None:
                if type(e) is ast.Attrs and not old.inherited and type(old.expr) is ast.Attrs:
                    target = old.expr.attrs
                    for name, ad in e.attrs.items():
                        prev = target.get(name)
                        if prev is not None:
                            # Nix reports this one at the earlier definition
                            raise self.err(f"attribute '{name}' already defined at {_pos_text(ad.pos)}", prev.pos)
                        target[name] = ad
                else:
                    raise self.err(f"attribute '{_show_path(path)}' already defined at {_pos_text(old.pos)}", p)
            else:
                attrs.attrs[last] = ast.AttrDef(e, p)
                if type(e) is ast.Lambda:
                    e.name = last
        else:
            attrs.dynamic.append(ast.DynamicAttrDef(last, e, p))

    def attrs_add(self, c):  # attrs attr
        c[0].append(c[1][0])
        return c[0]

    def attrs_add_string(self, c):  # attrs string_attr
        name, p = c[1]
        if type(name) is not str:
            raise self.err("dynamic attributes not allowed in inherit", p)
        c[0].append(name)
        return c[0]

    def attrs_empty(self):
        return []

    def attrpath_add(self, c):  # attrpath DOT attr
        c[0][0].append(c[2][0])
        return c[0]

    def attrpath_first(self, attr):
        return [attr[0]], attr[1]

    def attrpath_id(self, tok):
        return [tok[0]], self.at(tok[1])

    def attr_id(self, tok):
        return tok[0], self.at(tok[1])

    def string_attr(self, c):  # QUOTE string_parts QUOTE
        p = self.at(c[0])
        parts = c[1]
        if type(parts) is str:
            return parts, p
        return ast.InterpStr(p, parts), p

    def dynamic_attr(self, c):  # DOLLAR_CURLY expr RBRACE
        e = c[1]
        if type(e) is ast.Str:
            return e.value, self.at(c[0])
        return e, self.at(c[0])


# --------------------------------------------------------------------------------------------
# The driver


_NONASSOC = {"EQ": "op_eq", "NEQ": "op_eq", "LT": "op_cmp", "GT": "op_cmp", "LEQ": "op_cmp", "GEQ": "op_cmp"}


def _syntax_error(t: _Tables, state_stack: list[int], tok, lexer: Lexer) -> NixSyntaxError:
    """``syntax error, unexpected X[, expecting A or B]`` as Bison words it."""
    stack = list(state_stack)
    actions, gotos, rules = t.actions, t.gotos, t.rules
    msg = f"syntax error, unexpected {bison_name(tok[0])}"
    group = _NONASSOC.get(tok[0])
    if group is not None and any(a < 0 and rules[~a][0] == group and rules[~a][1] == 3
                                 for a in actions[stack[-1]].values()):
        # `a == b == c`: Bison's %nonassoc puts an explicit error here, listing nothing
        return NixSyntaxError(msg, lexer.pos(tok[2]))
    extra: list[str] = []
    for _ in range(10000):  # Bison's default reductions, done before it detects the error
        acts = actions[stack[-1]]
        counts: dict[int, int] = {}
        for a in acts.values():
            if a < 0:
                counts[~a] = counts.get(~a, 0) + 1
        if not counts:
            break
        rule = max(counts, key=lambda r: (counts[r], -r))
        lhs, size = rules[rule][:2]
        if lhs == "binds":  # Bison has one left-recursive `binds`: its state also continues it
            extra.extend(sym for sym, a in acts.items() if a >= 0)
        if size:
            del stack[-size:]
        target = gotos[stack[-1]].get(lhs) if stack else None
        if target is None:  # cannot happen with LALR tables; never let it hide the real error
            stack = list(state_stack)
            extra = []
            break
        stack.append(target)
    if stack[-1] == t.end_state:
        expected = ["$END"]
    else:
        expected = [sym for sym, a in actions[stack[-1]].items() if a >= 0]
    expected = list(dict.fromkeys(extra + expected))
    if 0 < len(expected) <= 4:
        order = {name: i for i, name in enumerate(TERMINALS)}  # Bison's symbol order
        expected.sort(key=lambda s: order.get(s, 999))
        msg += ", expecting " + " or ".join(bison_name(s) for s in expected)
    return NixSyntaxError(msg, lexer.pos(tok[2]))


# What the driver does for an action code (see _Machine)
_UNIT, _ONE, _MANY, _EMPTY, _STRING, _STOP = range(6)
#: one-symbol rules whose callback returns its child unchanged: handled as pass-through rules
_IDENTITY_RULES = frozenset({"parts_str", "parts_interp"})


class _Machine:
    """The tables as the driver reads them, indexed by ints.

    ``act[state][terminal id]`` is the next state for a shift (>= 0) or ``~i`` for step ``i``
    (< 0); ``gotos[state][nonterminal id]``; ``steps[i]`` is ``(kind, lhs id, size, data)``:
    the grammar's rules first, pass-through rules before the others (so that ``a >= -nunits``
    says "pass-through" without looking the step up; ``data`` is the rule's index), then one
    step that stops (accept or syntax error), then one step per state in which a
    ``SIMPLE_STR`` token shifts its three tokens ``QUOTE STR QUOTE`` at once (``data``: the
    three states it pushes). ``units`` memoises chains of pass-through reductions:
    (state below, top, lookahead) -> new top state (the value on the stack stays the same).
    """

    def __init__(self, t: _Tables) -> None:
        nonterminals = sorted({rule[0] for rule in t.rules} | {sym for g in t.gotos for sym in g})
        nt_id = {name: i for i, name in enumerate(nonterminals)}
        self.nrules = len(t.rules)
        units: list[tuple] = []
        others: list[tuple] = []
        for index, (lhs, size, alias, _rhs) in enumerate(t.rules):
            if size == 1 and (alias is None or alias in _IDENTITY_RULES):
                units.append((_UNIT, nt_id[lhs], size, index))
            else:
                kind = _EMPTY if size == 0 else _ONE if size == 1 else _MANY
                others.append((kind, nt_id[lhs], size, index))
        self.nunits = len(units)
        steps: list[tuple] = units + others
        step_of_rule = {step[3]: i for i, step in enumerate(steps)}
        stop = ~len(steps)
        steps.append((_STOP, 0, 0, None))
        self.gotos = [[-1] * len(nonterminals) for _ in t.gotos]
        for row, got in zip(self.gotos, t.gotos):
            for sym, target in got.items():
                row[nt_id[sym]] = target
        self.act: list[list[int]] = []
        string_steps: dict[int, int] = {}
        for named in t.actions:
            row = [stop] * len(TERMINALS)
            for sym, a in named.items():
                row[TID[sym]] = a if a >= 0 else ~step_of_rule[~a]
            quote = row[T_QUOTE]
            if quote < 0:  # the same reductions before it (or the same error)
                row[T_SIMPLE_STR] = quote
            elif quote not in string_steps:
                # an opening QUOTE: SIMPLE_STR shifts all three tokens. (The lexer never makes a
                # SIMPLE_STR where a closing QUOTE shifts: it is then in its STRING state.)
                states = self._simple_string_states(t, quote)
                string_steps[quote] = stop if states is None else ~len(steps)
                if states is not None:
                    steps.append((_STRING, states[2], 3, states))
            if quote >= 0:
                row[T_SIMPLE_STR] = string_steps[quote]
            self.act.append(row)
        self.steps = steps
        self.start_state = t.start_state
        self.end_state = t.end_state
        self.units: dict[tuple[int, int, int], int] = {}

    @staticmethod
    def _simple_string_states(t: _Tables, after_quote: int) -> tuple[int, int, int] | None:
        """The states after ``QUOTE``, ``QUOTE string_parts`` and ``QUOTE string_parts QUOTE``
        for a string without interpolation, the same with and without ``STR``; None when
        ``after_quote`` is not the state after an opening quote."""
        after_str = t.actions[after_quote].get("STR", -1)
        with_str = t.actions[after_str].get("QUOTE", 0) if after_str >= 0 else 0
        empty = t.actions[after_quote].get("QUOTE", 0)
        parts = t.gotos[after_quote].get("string_parts", -1)
        closed = t.actions[parts].get("QUOTE", -1) if parts >= 0 else -1
        if (with_str >= 0 or t.rules[~with_str][2] != "parts_str" or empty >= 0
                or t.rules[~empty][2] != "parts_empty" or closed < 0):
            return None
        return (after_quote, parts, closed)

    def follow_units(self, below: int, top: int, tid: int) -> int:
        """Apply consecutive pass-through reductions on lookahead ``tid``."""
        act, steps, gotos = self.act, self.steps, self.gotos
        while True:
            a = act[top][tid]
            if a >= 0:
                return top
            kind, lhs = steps[~a][:2]
            if kind != _UNIT:
                return top
            top = gotos[below][lhs]


_MACHINE: _Machine | None = None


def _machine() -> _Machine:
    global _MACHINE
    if _MACHINE is None:
        _MACHINE = _Machine(tables())
    return _MACHINE


def _parse(text: str, file: str, base_dir: str) -> ast.Expr:
    # The AST has no reference cycles; the cyclic GC would only rescan the growing tree over and
    # over (20-30% of the time on large files), so it is paused while parsing.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_tokens(text, file, base_dir)
    finally:
        if gc_was_enabled:
            gc.enable()


def _parse_tokens(text: str, file: str, base_dir: str) -> ast.Expr:
    """The shift/reduce loop (the hot path of parsing: kept flat, locals only)."""
    m = _machine()
    lexer = Lexer(text, file)
    fns = _Builder(lexer, base_dir).callbacks(tables().rules)
    steps = [(kind, lhs, size, fns[rule]) for kind, lhs, size, rule in m.steps[:m.nrules]]
    steps += m.steps[m.nrules:]
    act = m.act
    gotos = m.gotos
    units = m.units
    follow_units = m.follow_units
    last_unit = -m.nunits  # action codes -1 .. last_unit reduce pass-through rules
    top = m.start_state
    ss = [top]  # states
    vs: list = []  # values (one fewer: nothing for the start state)
    push_state = ss.append
    push_value = vs.append
    for tid, value, offset in lexer.scan():
        while True:
            a = act[top][tid]
            if a >= 0:
                push_state(a)
                push_value(value)
                top = a
                break
            if a >= last_unit:  # pass-through rules: follow the whole chain at once
                key = (ss[-2], top, tid)
                target = units.get(key)
                if target is None:
                    target = units[key] = follow_units(ss[-2], top, tid)
                ss[-1] = top = target
                continue
            kind, lhs, size, fn = steps[~a]
            if kind == _ONE:
                vs[-1] = fn(vs[-1])
                ss[-1] = top = gotos[ss[-2]][lhs]
            elif kind == _MANY:
                result = fn(vs[-size:])
                del vs[1 - size:]
                vs[-1] = result
                del ss[1 - size:]
                ss[-1] = top = gotos[ss[-2]][lhs]
            elif kind == _EMPTY:
                push_value(fn())
                top = gotos[top][lhs]
                push_state(top)
            elif kind == _STRING:  # QUOTE STR QUOTE shifted at once
                ss += fn
                vs += value
                top = lhs
                break
            else:
                if top == m.end_state:  # `start` was reduced on the end of input
                    return vs[-1]
                name = "QUOTE" if tid == T_SIMPLE_STR else TERMINALS[tid]
                raise _syntax_error(tables(), ss, (name, None, offset), lexer)
    raise AssertionError("parser ended without accepting")  # pragma: no cover


# --------------------------------------------------------------------------------------------
# Public API


def parse_string(text: str, file: str = "«string»", base_dir: str | None = None) -> ast.Expr:
    """Parse Nix source ``text``; ``file`` names it in positions, relative paths resolve against
    ``base_dir`` (default: the current directory). Non-file sources are registered with
    :func:`translator.errors.register_source` so that error carets can show their lines."""
    if not os.path.exists(file) or file.startswith("«"):
        errors.register_source(file, text)
    if base_dir is None:
        base_dir = os.getcwd()
    return _parse(text, file, canon_path(os.path.abspath(base_dir)))


def parse_text_at(text: str, path: str, base_dir: str) -> ast.Expr:
    """Parse ``text`` as the file ``path`` whose relative paths resolve against ``base_dir``,
    without the caches (see :mod:`.source_files`)."""
    return _parse(text, path, base_dir)


# (files, through the caches: re-exported for the callers that parse and read alike)
from .source_files import parse_file, parse_file_text  # noqa: E402
