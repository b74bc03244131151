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
import pickle
from pathlib import Path as FsPath
from typing import Any, Callable

from .. import errors
from ..errors import Pos
from . import ast
from .lexer import Lexer, NixSyntaxError

__all__ = ["parse_file", "parse_string", "NixSyntaxError"]

GRAMMAR_FILE = FsPath(__file__).resolve().parent.parent.parent / "grammar" / "nix.lark"

# Bison's names for tokens, in Bison's symbol-number order (used for "expecting ..." lists).
_BISON_ORDER = [
    "$END", "ID", "STR", "IND_STR", "INT", "FLOAT", "PATH", "HPATH", "SPATH", "PATH_END", "URI",
    "IF", "THEN", "ELSE", "ASSERT", "WITH", "LET", "IN", "REC", "INHERIT", "EQ", "NEQ", "AND",
    "OR", "IMPL", "OR_KW", "DOLLAR_CURLY", "IND_STRING_OPEN", "IND_STRING_CLOSE", "ELLIPSIS",
    "LT", "GT", "LEQ", "GEQ", "UPDATE", "PLUS", "MINUS", "STAR", "SLASH", "CONCAT", "QMARK",
    "COLON", "LBRACE", "RBRACE", "AT", "SEMI", "BANG", "DOT", "QUOTE", "LPAR", "RPAR", "LBRACK",
    "RBRACK", "ASSIGN", "COMMA",
]
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
    ``~rule`` (reduce, < 0); per state, nonterminal -> state; rules as (lhs, size, callback)."""

    def __init__(self, actions, gotos, rules, start_state, end_state):
        self.actions: list[dict[str, int]] = actions
        self.gotos: list[dict[str, int]] = gotos
        self.rules: list[tuple[str, int, str | None]] = rules
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
    rules: list[tuple[str, int, str | None]] = []
    for rule in lk.rules:
        rule_ids[rule] = len(rules)
        rules.append((str(rule.origin.name), len(rule.expansion), str(rule.alias) if rule.alias else None))
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


def _cache_path(grammar_text: str) -> FsPath:
    import hashlib

    import lark

    key = hashlib.sha256((grammar_text + lark.__version__ + "3").encode()).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return FsPath(base) / "nix2image" / f"nix-grammar-{key}.pickle"


def tables() -> _Tables:
    """The parse tables, built from the grammar once and cached on disk (keyed by its hash)."""
    global _TABLES
    if _TABLES is None:
        try:
            text = _packaged_grammar()
        except (ModuleNotFoundError, FileNotFoundError):
            text = GRAMMAR_FILE.read_text(encoding="utf-8")
        path = _cache_path(text)
        try:
            with open(path, "rb") as fh:
                t = pickle.load(fh)
            _TABLES = _Tables(*t)
        except Exception:  # noqa: BLE001 - any unreadable cache is rebuilt
            _TABLES = _build_tables(text)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                with open(tmp, "wb") as fh:
                    pickle.dump((_TABLES.actions, _TABLES.gotos, _TABLES.rules, _TABLES.start_state,
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


def canon_path(path: str) -> str:
    """Nix's ``canonPath``: absolute, no ``.``/``..``/empty components, no trailing slash."""
    out: list[str] = []
    for part in path.split("/"):
        if part == "" or part == ".":
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return "/" + "/".join(out)


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
    """The reduction callbacks: one method per aliased grammar rule, building AST nodes."""

    def __init__(self, lexer: Lexer, base_dir: str) -> None:
        self.file = lexer.file
        self.base_dir = base_dir
        self.at = lexer.pos  # offset -> Pos
        self.pos = lexer.token_pos  # token -> Pos

    def err(self, message: str, pos: Pos) -> NixSyntaxError:
        return NixSyntaxError(message, pos)

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

    def lambda_simple(self, c):
        return ast.Lambda(self.pos(c[0]), c[0][1], None, c[2])

    def lambda_formals(self, c):
        p = self.pos(c[0])
        return ast.Lambda(p, None, self._formals(c[1], None, p), c[4])

    def lambda_empty(self, c):
        return ast.Lambda(self.pos(c[0]), None, ast.Formals([], False), c[3])

    def lambda_formals_at(self, c):
        p = self.pos(c[0])
        return ast.Lambda(p, c[4][1], self._formals(c[1], c[4][1], p), c[6])

    def lambda_empty_at(self, c):
        return ast.Lambda(self.pos(c[0]), c[3][1], ast.Formals([], False), c[5])

    def lambda_at_formals(self, c):
        p = self.pos(c[0])
        return ast.Lambda(p, c[0][1], self._formals(c[3], c[0][1], p), c[6])

    def lambda_at_empty(self, c):
        return ast.Lambda(self.pos(c[0]), c[0][1], ast.Formals([], False), c[5])

    def formals_more(self, c):
        entries, ellipsis = c[2]
        entries.append(c[0])
        return entries, ellipsis

    def formals_comma(self, c):
        return [c[0]], False

    def formals_one(self, c):
        return [c[0]], False

    def formals_ellipsis(self, c):
        return [], True

    def formal(self, c):
        return ast.Formal(c[0][1], None, self.pos(c[0]))

    def formal_default(self, c):
        return ast.Formal(c[0][1], c[2], self.pos(c[0]))

    # --- keywords ---------------------------------------------------------------------------
    def assert_(self, c):
        return ast.Assert(self.pos(c[0]), c[1], c[3])

    def with_(self, c):
        return ast.With(self.pos(c[0]), c[1], c[3])

    def let_(self, c):
        let_tok = c[0]
        b: _Binds = c[1]
        if b.attrs.dynamic:
            raise self.err("dynamic attributes not allowed in let", self.pos(let_tok))
        self._finish(b, self.at(let_tok[2] + 3), True)
        b.attrs.pos = self.pos(let_tok)
        return ast.Let(self.pos(let_tok), b.attrs, c[3])

    def if_(self, c):
        return ast.If(self.pos(c[0]), c[1], c[3], c[5])

    # --- operators --------------------------------------------------------------------------
    def binop(self, c):
        lhs = c[0]
        return ast.BinOp(lhs.pos, _OP_TEXT[c[1][0]], lhs, c[2])

    def hasattr(self, c):
        return ast.HasAttr(c[0].pos, c[0], c[2][0])

    def negate(self, c):
        p = self.pos(c[0])
        return ast.Call(p, ast.Call(p, ast.Var(p, "__sub"), ast.Int(p, 0)), c[1])

    def not_(self, c):
        return ast.Not(self.pos(c[0]), c[1])

    def call(self, c):
        return ast.Call(c[0].pos, c[0], c[1])

    def select(self, c):
        return ast.Select(c[0].pos, c[0], c[2][0])

    def select_or(self, c):
        return ast.Select(c[0].pos, c[0], c[2][0], c[4])

    def call_or(self, c):
        return ast.Call(c[0].pos, c[0], ast.Var(c[0].pos, "or"))

    # --- atoms ------------------------------------------------------------------------------
    def var(self, c):
        t = c[0]
        if t[1] == "__curPos":
            return ast.CurPos(self.pos(t))
        return ast.Var(self.pos(t), t[1])

    def int_(self, c):
        return ast.Int(self.pos(c[0]), c[0][1])

    def float_(self, c):
        return ast.Float(self.pos(c[0]), c[0][1])

    def string(self, c):
        parts = c[1]
        p = self.pos(c[0])
        if type(parts) is str:
            return ast.Str(p, parts)
        return ast.InterpStr(p, parts)

    def parts_str(self, c):
        return c[0][1]

    def parts_interp(self, c):
        return c[0]

    def parts_empty(self, c):
        return ""

    def sp_add_str(self, c):
        c[0].append(c[1][1])
        return c[0]

    def sp_add_expr(self, c):
        c[0].append(c[2])
        return c[0]

    def sp_first_expr(self, c):
        return [c[1]]

    def sp_str_expr(self, c):
        return [c[0][1], c[2]]

    def ind_string(self, c):
        return strip_indentation(self.pos(c[0]), c[1])

    def isp_add_str(self, c):
        c[0].append(c[1][1])
        return c[0]

    def isp_add_expr(self, c):
        c[0].append(c[2])
        return c[0]

    def isp_empty(self, c):
        return []

    def path_start(self, c):
        raw = c[0][1]
        path = raw if raw[0] == "/" else self.base_dir + "/" + raw
        path = canon_path(path)
        if raw[-1] == "/" and len(raw) > 1:
            path += "/"
        return ast.Path(self.pos(c[0]), path)

    def hpath_start(self, c):
        return ast.Path(self.pos(c[0]), _home() + c[0][1][1:])

    def path(self, c):
        return c[0]

    def interp_path(self, c):
        start: ast.Path = c[0]
        return ast.InterpPath(start.pos, [start.value, *c[1]])

    def spath(self, c):
        return ast.SearchPath(self.pos(c[0]), c[0][1])

    def uri(self, c):
        return ast.Str(self.pos(c[0]), c[0][1])

    def paren(self, c):
        return c[1]

    def legacy_let(self, c):
        b: _Binds = c[2]
        self._finish(b, self.at(c[1][2] + 1), True)
        b.attrs.pos = self.pos(c[1])
        return ast.Select(self.pos(c[0]), b.attrs, ["body"])

    def rec_attrs(self, c):
        b: _Binds = c[2]
        self._finish(b, self.at(c[1][2] + 1), True)
        b.attrs.pos = self.pos(c[0])
        return b.attrs

    def attrs(self, c):
        b: _Binds = c[1]
        self._finish(b, self.at(c[0][2] + 1), False)
        b.attrs.pos = self.pos(c[0])
        return b.attrs

    def empty_attrs(self, c):
        return ast.Attrs(self.pos(c[0]), False, {}, [])

    def list_(self, c):
        return ast.List(self.pos(c[0]), c[1])

    def list_add(self, c):
        c[0].append(c[1])
        return c[0]

    def list_empty(self, c):
        return []

    # --- bindings ---------------------------------------------------------------------------
    @staticmethod
    def _finish(b: _Binds, start: Pos, rec: bool) -> None:
        b.attrs.rec = rec
        for node in b.inherit_nodes:
            node.pos = start

    def binds_empty(self, c):
        return _Binds(None)

    def binds_first_value(self, c):
        b = _Binds(None)
        path, p = c[0]
        self._add_attr(b.attrs, path, c[2], p)
        return b

    def binds_add_value(self, c):
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

    def binds_first_inherit(self, c):
        b = _Binds(None)
        self._add_bind(b, ("inherit", None, c[1], self.at(c[0][2] + 7)))
        return b

    def binds_add_inherit(self, c):
        self._add_bind(c[0], ("inherit", None, c[2], self.at(c[1][2] + 7)))
        return c[0]

    def binds_first_inherit_from(self, c):
        b = _Binds(None)
        self._add_bind(b, ("inherit", c[2], c[4], self.at(c[3][2] + 1)))
        return b

    def binds_add_inherit_from(self, c):
        self._add_bind(c[0], ("inherit", c[3], c[5], self.at(c[4][2] + 1)))
        return c[0]

    def _add_bind(self, b: _Binds, bind) -> None:
        kind = bind[0]
        attrs = b.attrs
        if kind == "value":
            self._add_attr(attrs, bind[1], bind[2], bind[3])
            return
        _, source, names, p = bind
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

    def attrs_add(self, c):
        c[0].append(c[1][0])
        return c[0]

    def attrs_add_string(self, c):
        name, p = c[1]
        if type(name) is not str:
            raise self.err("dynamic attributes not allowed in inherit", p)
        c[0].append(name)
        return c[0]

    def attrs_empty(self, c):
        return []

    def attrpath_add(self, c):
        c[0][0].append(c[2][0])
        return c[0]

    def attrpath_first(self, c):
        return [c[0][0]], c[0][1]

    def attrpath_id(self, c):
        return [c[0][1]], self.pos(c[0])

    def attr_id(self, c):
        return c[0][1], self.pos(c[0])

    def string_attr(self, c):
        p = self.pos(c[0])
        parts = c[1]
        if type(parts) is str:
            return parts, p
        return ast.InterpStr(p, parts), p

    def dynamic_attr(self, c):
        e = c[1]
        if type(e) is ast.Str:
            return e.value, self.pos(c[0])
        return e, self.pos(c[0])


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
        lhs, size, _ = rules[rule]
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
        order = {name: i for i, name in enumerate(_BISON_ORDER)}
        expected.sort(key=lambda s: order.get(s, 999))
        msg += ", expecting " + " or ".join(bison_name(s) for s in expected)
    return NixSyntaxError(msg, lexer.pos(tok[2]))


_UNIT_CHAINS: dict[int, dict] = {}


def _unit_chains(t: _Tables) -> dict:
    """Memo of pass-through reduction chains: (state below, top state, lookahead) -> new top."""
    return _UNIT_CHAINS.setdefault(id(t), {})


def _follow_units(t: _Tables, below: int, top: int, ttype: str) -> int:
    """Apply consecutive one-child pass-through reductions on lookahead ``ttype``; the value on
    the stack stays the same, only the top state changes."""
    while True:
        a = t.actions[top].get(ttype)
        if a is None or a >= 0:
            return top
        lhs, size, alias = t.rules[~a]
        if alias is not None or size != 1:
            return top
        top = t.gotos[below][lhs]


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
    t = tables()
    lexer = Lexer(text, file)
    builder = _Builder(lexer, base_dir)
    callbacks: list[tuple[str, int, Callable | None]] = [
        (lhs, size, getattr(builder, alias) if alias else None) for lhs, size, alias in t.rules
    ]
    actions = t.actions
    gotos = t.gotos
    end_state = t.end_state
    state_stack = [t.start_state]
    value_stack: list = []
    push_state = state_stack.append
    push_value = value_stack.append
    unit = _unit_chains(t)
    for tok in lexer.tokens():
        ttype = tok[0]
        while True:
            top = state_stack[-1]
            a = actions[top].get(ttype)
            if a is None:
                if top == end_state:  # `start` was reduced on the end of input
                    return value_stack[-1]
                raise _syntax_error(t, state_stack, tok, lexer)
            if a >= 0:
                push_state(a)
                push_value(tok)
                break
            lhs, size, fn = callbacks[~a]
            if fn is None:  # pass-through rules (one child): follow the whole chain at once
                key = (state_stack[-2], top, ttype)
                new_top = unit.get(key)
                if new_top is None:
                    new_top = unit[key] = _follow_units(t, state_stack[-2], top, ttype)
                state_stack[-1] = new_top
            elif size:
                value = fn(value_stack[-size:])
                del state_stack[-size:]
                del value_stack[-size:]
                push_state(gotos[state_stack[-1]][lhs])
                push_value(value)
            else:
                push_state(gotos[top][lhs])
                push_value(fn(None))
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


def parse_file(path: str) -> ast.Expr:
    """Parse the Nix file at ``path`` (a directory means its ``default.nix``)."""
    p = os.path.abspath(path)
    if os.path.isdir(p):
        p = os.path.join(p, "default.nix")
    try:
        with open(p, "rb") as fh:
            data = fh.read()
    except OSError as err:
        raise errors.UserError(f"opening file '{p}': {err.strerror or err}") from None
    text = data.decode("utf-8", errors="surrogateescape")
    return _parse(text, p, os.path.dirname(p))
