"""Parser unit tests: the AST shapes, positions and desugarings of translator.nix.parser (no Nix needed)."""

from __future__ import annotations


import pytest

from translator.errors import Pos, UserError
from translator.nix import ast
from translator.nix.ast_dump import to_json_obj, to_nix_parse_format, to_sexpr
from translator.nix.lexer import tokenize
from translator.nix.parser import NixSyntaxError, canon_path, parse_file, parse_string

BASE = "/base/dir"


def p(text: str) -> ast.Expr:
    return parse_string(text, base_dir=BASE)


def nixfmt(text: str) -> str:
    return to_nix_parse_format(p(text))


def at(node) -> tuple[int, int]:
    return node.pos.line, node.pos.col


# --- literals --------------------------------------------------------------------------------

@pytest.mark.parametrize("src,value", [
    ("0", 0), ("42", 42), ("007", 7), ("9223372036854775807", 2**63 - 1),
])
def test_ints(src, value):
    e = p(src)
    assert type(e) is ast.Int and e.value == value


@pytest.mark.parametrize("src,value", [
    ("1.5", 1.5), (".5", 0.5), ("1.", 1.0), ("1.5e-3", 0.0015), ("1.e5", 1e5), (".5e3", 500.0),
    ("2.5E2", 250.0), ("1.5e+30", 1.5e30), ("0.0", 0.0),
])
def test_floats(src, value):
    e = p(src)
    assert type(e) is ast.Float and e.value == value


def test_float_lexing_follows_nix_not_intuition():
    # Nix 2.8's FLOAT needs a dot: `1e5` is the integer 1 applied to the variable e5
    e = p("1e5")
    assert type(e) is ast.Call and e.fn.value == 1 and e.arg.name == "e5"
    # `01.5` is the integer 01 applied to .5; `1.2.3` is 1.2 applied to .3
    assert nixfmt("[01.5 1.2.3]") == "[ (1) (0.5) (1.2) (0.3) ]"


@pytest.mark.parametrize("src,value", [
    (r'"a"', "a"), (r'""', ""), (r'"\n\t\r\\\"\$"', "\n\t\r\\\"$"), (r'"\q\${x}"', "q${x}"),
    (r'"$${x}"', "$${x}"), (r'"$$"', "$$"), (r'"a$"', "a$"), ('"a\r\nb\rc"', "a\nb\nc"),
    ('"é"', "é"), ('"\\\n"', "\n"),
])
def test_string_escapes(src, value):
    e = p(src)
    assert type(e) is ast.Str and e.value == value


def test_interpolation_nested_to_any_depth():
    e = p('x: "${"a${"b${x}"}"}"')
    s = e.body
    assert type(s) is ast.InterpStr and len(s.parts) == 1
    inner = s.parts[0]
    assert type(inner) is ast.InterpStr and inner.parts[0] == "a"
    assert inner.parts[1].parts == ["b", inner.parts[1].parts[1]]
    assert type(inner.parts[1].parts[1]) is ast.Var


def test_interpolated_string_parts():
    e = p('x: "a${x}b${x}"')
    assert [type(q).__name__ if not isinstance(q, str) else q for q in e.body.parts] == ["a", "Var", "b", "Var"]


@pytest.mark.parametrize("src,value", [
    ("''  a\n   b \n''", "a\n b \n"),
    ("''\n  a\n    b\n  ''", "a\n  b\n"),
    ("''\n  a\n  \n    b\n  ''", "a\n\n  b\n"),   # whitespace-only lines do not count
    ("''  \n  a\n  b''", "a\nb"),                # first line dropped when only spaces
    ("''x\n  a\n  b''", "x\n  a\n  b"),
    ("''\n\ta\n\tb''", "\ta\n\tb"),             # tabs are not indentation
    ("'''''$''\\n''\\t''\\r''\\\\ $$ ''\\x ''", "''$\n\t\r\\ $$ x "),
    ("''$''", "$"), ("''''", ""), ("''\n''", ""), ("''\n  ''", ""), ("''a'b''", "a'b"),
    ("''\n  a\n  b\n ''", "a\nb\n"),
])
def test_indented_strings(src, value):
    e = p(src)
    if type(e) is ast.InterpStr:  # escapes stay separate literal parts, as in Nix
        assert all(isinstance(q, str) for q in e.parts)
        assert "".join(e.parts) == value
    else:
        assert type(e) is ast.Str and e.value == value


def test_indented_string_interpolation_counts_as_text():
    e = p("x: ''\n    a ${x}\n  ${x} d\n  ''")
    assert e.body.parts[0] == "  a " and e.body.parts[2] == "\n" and e.body.parts[4] == " d\n"


def test_uri_is_a_string():
    e = p("http://example.org/a?b=c&d=e")
    assert type(e) is ast.Str and e.value == "http://example.org/a?b=c&d=e"
    assert type(p("x:x")) is ast.Str  # a URI, famously


# --- paths -------------------------------------------------------------------------------------

@pytest.mark.parametrize("src,value", [
    ("./a", BASE + "/a"), ("a/b", BASE + "/a/b"), ("../x", "/base/x"), ("./.", BASE),
    ("/abs/./p/../q", "/abs/q"), ("/.", "/"), ("./a/../../..", "/"), ("a-b/c_d/e.f+g", BASE + "/a-b/c_d/e.f+g"),
    ("1/2", BASE + "/1/2"),
])
def test_paths_resolved_at_parse_time(src, value):
    e = p(src)
    assert type(e) is ast.Path and e.value == value


def test_home_path(monkeypatch):
    monkeypatch.setenv("HOME", "/home/someone")
    assert p("~/x/y").value == "/home/someone/x/y"


def test_search_path():
    e = p("<nixpkgs/lib>")
    assert type(e) is ast.SearchPath and e.name == "nixpkgs/lib"
    assert p("<nixpkgs>").name == "nixpkgs"


def test_path_interpolation():
    e = p("x: ./foo/${x}/bar")
    assert type(e.body) is ast.InterpPath
    assert e.body.parts[0] == BASE + "/foo/" and type(e.body.parts[1]) is ast.Var and e.body.parts[2] == "/bar"
    e = p("x: ./${x}")
    assert e.body.parts[0] == BASE + "/"
    e = p("x: ./a${x}")
    assert e.body.parts[0] == BASE + "/a"


def test_division_and_paths():
    assert type(p("a: b: a / b").body.body) is ast.BinOp
    assert type(p("a/b")) is ast.Path
    e = p("a: b: a-b")
    assert e.body.body.name == "a-b"
    sub = p("a: b: a - b").body.body
    assert type(sub) is ast.BinOp and sub.op == "-"


@pytest.mark.parametrize("src,col", [("./a/", 1), ("./a/ ", 5), ("x: ./a/${x}/ ", 13)])
def test_trailing_slash_is_an_error(src, col):
    with pytest.raises(NixSyntaxError) as err:
        p(src)
    assert err.value.message == "path has a trailing slash"
    assert err.value.pos.col == col


# --- operators ---------------------------------------------------------------------------------

@pytest.mark.parametrize("src,shape", [
    ("a: b: c: a + b * c", "(a + (__mul b c))"),
    ("a: b: c: a - b - c", "(__sub (__sub a b) c)"),
    ("a: b: c: a ++ b ++ c", "(a ++ (b ++ c))"),
    ("a: b: c: a // b // c", "(a // (b // c))"),
    ("a: b: c: a -> b -> c", "(a -> (b -> c))"),
    ("a: b: c: a || b && c", "(a || (b && c))"),
    ("a: b: !a == b", "((! a) == b)"),
    ("a: b: !a + b", "(! (a + b))"),
    ("a: b: 1 + !a * b", "(1 + (! (__mul a b)))"),
    ("a: -a ? b", "(((__sub 0 a)) ? b)"),
    ("a: !a ? b", "(! ((a) ? b))"),
    ("a: b: -a * b", "(__mul (__sub 0 a) b)"),
    ("a: b: a < b", "(__lessThan a b)"),
    ("a: b: a >= b", "(! (__lessThan a b))"),
    ("f: a: b: f a.b or b b", "(f (a).b or (b) b)"),
    ("a: a ? b.c", "((a) ? b.c)"),
])
def test_precedence_and_associativity(src, shape):
    e = p(src)
    while type(e) is ast.Lambda:
        e = e.body
    assert to_nix_parse_format(e) == shape


@pytest.mark.parametrize("src", ["a: a == a == a", "a: a < a < a", "a: a != a == a", "a: a <= a > a"])
def test_non_associative_operators(src):
    with pytest.raises(NixSyntaxError):
        p(src)


def test_negation_desugars_to_sub():
    e = p("x: -x").body
    assert type(e) is ast.Call and type(e.fn) is ast.Call
    assert e.fn.fn.name == "__sub" and e.fn.arg.value == 0 and e.arg.name == "x"


def test_binop_position_is_nix_position():
    e = p("a: b:\n  a   -   b").body.body
    assert at(e) == (2, 3) and e.op == "-"


def test_or_as_identifier_and_attribute_name():
    e = p("{ or = 1; }")
    assert list(e.attrs) == ["or"]
    e = p("x: x.or")
    assert e.body.path == ["or"]
    e = p("map: map or [1]")
    assert type(e.body.fn) is ast.Call and e.body.fn.arg.name == "or"
    with pytest.raises(NixSyntaxError):
        p("or")


def test_select_with_default_and_dynamic_names():
    e = p('x: y: x.a.${y}."b c" or 3').body.body
    assert type(e) is ast.Select and e.path[0] == "a" and type(e.path[1]) is ast.Var and e.path[2] == "b c"
    assert e.default.value == 3
    e = p('x: x.${"static"}').body
    assert e.path == ["static"]


# --- sets, let, inherit ------------------------------------------------------------------------

def test_nested_attribute_paths_merge():
    e = p("{ a.b = 1; a.c = 2; d = 3; }")
    assert list(e.attrs) == ["a", "d"]
    inner = e.attrs["a"].expr
    assert type(inner) is ast.Attrs and list(inner.attrs) == ["b", "c"] and not inner.rec


def test_merging_with_an_earlier_set_literal():
    e = p("{ a = rec { x = 1; }; a.y = 2; }")
    inner = e.attrs["a"].expr
    assert inner.rec and list(inner.attrs) == ["x", "y"]
    e = p("{ a = { x = 1; }; a = { y = 2; }; }")
    assert list(e.attrs["a"].expr.attrs) == ["x", "y"]


@pytest.mark.parametrize("src,message,pos", [
    ("{ a = 1; a = 2; }", "attribute 'a' already defined at (string):1:3", (1, 10)),
    ("{ a.b = 1; a.b = 2; }", "attribute 'a.b' already defined at (string):1:3", (1, 12)),
    ("{ a = 1; a.x = 1; }", "attribute 'a.x' already defined at (string):1:3", (1, 10)),
    ("{ a = {x=1;}; a = {x=1;}; }", "attribute 'x' already defined at (string):1:20", (1, 8)),
    ("{ inherit a; inherit a; }", "attribute 'a' already defined at (string):1:10", (1, 21)),
    ("x: { x = 1; inherit x; }", "attribute 'x' already defined at (string):1:6", (1, 20)),
    ("let a = 1; a = 2; in a", "attribute 'a' already defined at (string):1:5", (1, 12)),
])
def test_duplicate_attributes(src, message, pos):
    with pytest.raises(NixSyntaxError) as err:
        p(src)
    assert err.value.message == message and (err.value.pos.line, err.value.pos.col) == pos


def test_duplicate_attribute_in_file_names_the_file(tmp_path):
    f = tmp_path / "d.nix"
    f.write_text("{\n  a = 1;\n  a = 2;\n}\n")
    with pytest.raises(NixSyntaxError) as err:
        parse_file(str(f))
    assert err.value.message == f"attribute 'a' already defined at {f}:2:3"
    assert err.value.pos == Pos(str(f), 3, 3)
    assert f"at {f}:3:3" in str(err.value)


def test_dynamic_attributes():
    e = p('x: { ${x} = 1; "${x}y" = 2; "plain" = 3; ${"s"} = 4; }').body
    assert sorted(e.attrs) == ["plain", "s"]
    assert len(e.dynamic) == 2 and type(e.dynamic[0].name) is ast.Var and type(e.dynamic[1].name) is ast.InterpStr


def test_inherit_forms():
    e = p("x: y: { inherit x; inherit (y) a b; }").body.body
    assert e.attrs["x"].inherited and type(e.attrs["x"].expr) is ast.Var
    a, b = e.attrs["a"], e.attrs["b"]
    assert a.inherited and type(a.expr) is ast.Select and a.expr.path == ["a"]
    assert a.expr.expr is b.expr.expr  # the source expression is shared
    assert at(a) == (1, 31)  # Nix puts inherited names just after the `)`


def test_let_and_legacy_let():
    e = p("let a = 1; f = x: x; in f a")
    assert type(e) is ast.Let and e.attrs.rec and list(e.attrs.attrs) == ["a", "f"]
    assert e.attrs.attrs["f"].expr.name == "f"
    e = p("let { body = 1; a = 2; }")
    assert type(e) is ast.Select and e.path == ["body"] and e.expr.rec


def test_dynamic_attributes_not_allowed_in_let():
    with pytest.raises(NixSyntaxError) as err:
        p("x: let ${x} = 1; in 2")
    assert err.value.message == "dynamic attributes not allowed in let" and err.value.pos.col == 4


def test_dynamic_attributes_not_allowed_in_inherit():
    with pytest.raises(NixSyntaxError) as err:
        p('x: { inherit "${x}"; }')
    assert err.value.message == "dynamic attributes not allowed in inherit"


def test_rec_and_empty_sets():
    assert p("rec { a = 1; }").rec
    e = p("{ }")
    assert type(e) is ast.Attrs and not e.attrs and not e.rec


# --- lambdas -----------------------------------------------------------------------------------

def test_lambda_forms():
    e = p("x: x")
    assert e.param == "x" and e.formals is None
    e = p("{ a, b ? 2, ... }: a")
    assert e.param is None and [f.name for f in e.formals.entries] == ["a", "b"]
    assert e.formals.entries[1].default.value == 2 and e.formals.ellipsis
    for src in ("args@{ a }: a", "{ a }@args: a", "args @ { a } : a"):
        e = p(src)
        assert e.param == "args" and [f.name for f in e.formals.entries] == ["a"]
    e = p("{ }: 1")
    assert e.formals.entries == [] and not e.formals.ellipsis
    e = p("{ a, }: a")
    assert [f.name for f in e.formals.entries] == ["a"]


def test_lambda_names():
    e = p("{ f = x: x; g.h = y: y; i = (z: z); }")
    assert e.attrs["f"].expr.name == "f"
    assert e.attrs["g"].expr.attrs["h"].expr.name == "h"
    assert e.attrs["i"].expr.name == "i"
    assert p("x: x").name is None


@pytest.mark.parametrize("src,name,col", [
    ("{ x, x }: x", "x", 6), ("{ a, b, a, b }: 1", "a", 9), ("x@{ x }: x", "x", 1), ("{ x }@x: x", "x", 1),
])
def test_duplicate_formals(src, name, col):
    with pytest.raises(NixSyntaxError) as err:
        p(src)
    assert err.value.message == f"duplicate formal function argument '{name}'" and err.value.pos.col == col


# --- positions ---------------------------------------------------------------------------------

def test_positions_are_one_based_lines_and_columns():
    e = p("let\n  a = 1;\nin\n  a")
    assert at(e) == (1, 1)
    assert at(e.attrs.attrs["a"]) == (2, 3) and at(e.attrs.attrs["a"].expr) == (2, 7)
    assert at(e.body) == (4, 3)


def test_columns_count_bytes_like_nix():
    e = p('[ "é" x ]')
    assert at(e.items[1]) == (1, 8)


def test_cr_and_crlf_are_line_breaks():
    e = p("[\r\n1\r2\n3 ]")
    assert [at(i) for i in e.items] == [(2, 1), (3, 1), (4, 1)]


def test_cur_pos():
    e = p("{ a =\n   __curPos; }")
    cp = e.attrs["a"].expr
    assert type(cp) is ast.CurPos and at(cp) == (2, 4)


def test_comments():
    e = p("# a comment\n/* block\n * comment */ [ 1 /* x */ 2 ] # end")
    assert [i.value for i in e.items] == [1, 2]


# --- syntax errors -----------------------------------------------------------------------------

def test_syntax_error_message_and_caret():
    with pytest.raises(NixSyntaxError) as err:
        parse_string("{ a = 1 }", "«string»")
    text = str(err.value)
    assert text.startswith("error: syntax error, unexpected '}', expecting ';'")
    assert "at «string»:1:9" in text and "{ a = 1 }" in text and "^" in text
    assert isinstance(err.value, UserError)


def test_unexpected_end_of_file_position():
    with pytest.raises(NixSyntaxError) as err:
        p("(1 \n  ")
    assert err.value.message == "syntax error, unexpected end of file, expecting ')'"
    assert (err.value.pos.line, err.value.pos.col) == (1, 3)


@pytest.mark.parametrize("src,message", [
    ("9223372036854775808", "invalid integer '9223372036854775808'"),
    ("1.0e400", "invalid float '1.0e400'"),
    ("1 & 2", "syntax error, unexpected invalid token, expecting end of file"),
])
def test_lexical_errors(src, message):
    with pytest.raises(NixSyntaxError) as err:
        p(src)
    assert err.value.message == message


# --- files and API -----------------------------------------------------------------------------

def test_parse_file_resolves_paths_against_its_directory(tmp_path):
    (tmp_path / "sub").mkdir()
    f = tmp_path / "sub" / "default.nix"
    f.write_text("{ p = ./x; q = ../y; }")
    e = parse_file(str(f))
    assert e.attrs["p"].expr.value == str(tmp_path / "sub" / "x")
    assert e.attrs["q"].expr.value == str(tmp_path / "y")
    assert e.pos.file == str(f)
    assert parse_file(str(tmp_path / "sub")).attrs["p"].expr.value == str(tmp_path / "sub" / "x")


def test_parse_file_missing_is_a_user_error(tmp_path):
    with pytest.raises(UserError):
        parse_file(str(tmp_path / "nope.nix"))


def test_parse_string_default_base_dir_is_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert parse_string("./a").value == str(tmp_path / "a")


def test_canon_path():
    assert canon_path("//a//b/./c/..//") == "/a/b"
    assert canon_path("/..") == "/"


def test_lexer_tracks_interpolation_stack():
    types = [t[0] for t in tokenize('{ a = "${ { b = 1; }.b }"; }')]
    assert types == ["LBRACE", "ID", "ASSIGN", "QUOTE", "DOLLAR_CURLY", "LBRACE", "ID", "ASSIGN", "INT",
                     "SEMI", "RBRACE", "DOT", "ID", "RBRACE", "QUOTE", "SEMI", "RBRACE", "$END"]


def test_dumps():
    e = p('{ f = { a ? 1 }: a + 1; s = "x${"y"}"; }')
    j = to_json_obj(e)
    assert j["type"] == "Attrs" and j["pos"] == {"file": "«string»", "line": 1, "col": 1}
    assert j["attrs"]["f"]["expr"]["type"] == "Lambda" and j["attrs"]["f"]["expr"]["name"] == "f"
    text = to_sexpr(e)
    assert text.startswith("(Attrs@1:1") and "(Lambda@1:7 name=\"f\"" in text and text.count("(") == text.count(")")


def test_large_input_is_not_recursive():
    n = 20000
    e = p("[" + " ".join(str(i) for i in range(n)) + "]")
    assert len(e.items) == n
    e = p("x: " + " + ".join(["x"] * 5000))
    assert type(e.body) is ast.BinOp


def test_dumps_of_deep_trees():
    from translator.nix.ast_dump import to_json

    e = p("x: " + " + ".join(["x"] * 5000))
    assert to_nix_parse_format(e).startswith("(x: " + "(" * 100)
    deep = p("[" * 3000 + "]" * 3000)
    assert to_json(deep, indent=None).count('"List"') == 3000
    assert to_sexpr(deep).count("(List@") == 3000


def test_grammar_is_a_package_resource():
    # shipped in the wheel as translator.grammar (translator/grammar links to grammar/)
    from importlib.resources import files

    assert "expr_function" in files("translator.grammar").joinpath("nix.lark").read_text(encoding="utf-8")
