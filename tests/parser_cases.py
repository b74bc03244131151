"""Nix expressions shared by the parser tests: accepted ones (compared with ``nix-instantiate
--parse`` text) and a deterministic generator of operator soups for precedence checks."""

from __future__ import annotations

import random

# Free variables are made legal by `with {}; ...` (Nix 2.8 resolves variables while parsing).
W = "with {}; "

ACCEPTED = [
    # numbers
    "1", "0", "007", "9223372036854775807", "[1.5 .5 1. 1.0 0.1 123456789.0 1.e-5 1.5e-3 1.5e+30]",
    "[0.000001 100000.0 1000000.0 1.5e300 00.5 01.5 1.2.3 0.0 1.23456789012 2.5E2 1.e5]",
    W + "[1e5 1E5 2e-3]", "[.5e3 0.5e-2 5.e1]",
    # strings
    '"a"', '""', '"\\n\\t\\r\\\\\\"\\$"', '"\\${x} $${x} $$ \\q \\\n"', '"$"', '"a$"', '"$$"', '"\\\\$"',
    W + '"a${b}c"', W + '"${a}${b}"', W + '"${"${x}"}"', W + '"${"a${"b${x}"}"}"', '"${"a"}"',
    '"\\u00e9 é ü 日本"', '"tab\there"', '"multi\nline\n"', '"\r\n"', '"a\rb"', '"${1}"',
    # indented strings
    "''  a\n   b \n''", "''\n  a\n    b\n\t c\n  ''", "''\n  a\n  \n    b\n  ''", "''  \n  a\n  b''",
    "''x\n  a\n  b''", "'''''$''\\n''\\t''\\r''\\\\ $$ $${a} ''\\x ''", "''$''", "''${1}''", "'' a''",
    "'''' ", "''''", "''\n''", "''\n\n''", "''\n  ''", "''   ''", "''\n  a\n''", "''\n    a\n  b\n''",
    W + "''\n    a ${b}\n  ${c} d\n  ''", W + "''\n  ${a}\n   b\n''", W + "''${a}''", W + "''  ${a}  ''",
    "''\n\ta\n\tb''", "''\n  a''\\n  b\n  ''", "''\n  a\r\n  b''", "''a'b''", "''a'''b''",
    "''\n  ''\\\n  x\n''", W + "''\n  x ${a}\n  y\n  ${b}''", "''\n   \n  a\n''", "''\n  a $ b\n''",
    # URIs and paths
    "http://x.org/a?b=c", "https://a.b/c#d", "x:x", "a+b.c-d:e", "[ ./a/b ]", "[ ./a/../b/./c ]",
    "[ ./. ]", "[ /. ]", "[ ../x ]", "[ ~/. ]", "[ ~/a/b ]", "[ a/b ]", "[ a-b/c_d/e.f+g ]", "[ /a/b/c ]",
    "[ 1/2 ]", "[ .5/x ]", "[ ./a//b ]" if False else "[ ./a ]", "<nixpkgs>", "<nixpkgs/lib>", "<a.b-c/d_e>",
    W + "./a/${b}/c", W + "~/a/${b}/c", W + "a/${b}", W + "./${a}", W + "/${a}", W + "./a${b}",
    W + "./a/${b}${c}/d", W + "/x/${a}.nix", W + "<nixpkgs> { }", W + "f <n> x",
    # attribute sets
    W + "{ z = 1; a = 2; m.x = 3; inherit b; inherit (c) d; ${e} = f; \"g\" = 1; \"${h}i\" = 2; y.${k} = 1;}",
    "rec { b = 1; }", "{ }", "rec { }", "{ a.b = 1; a = { c = 1; }; }", "{ a = { c = 1; }; a.b = 1; }",
    "{ a = {x=1;}; a = {y=1;}; }", "{ a = {x=1;}; a = {${\"y\"}=1;}; }", "{ a.b.c = 1; a.b.d = 2; a.e = 3; }",
    '{ "" = 1; "a b" = 2; ${"x"} = 3; }', '{ "if" = 1; "or" = 2; "a.b" = 3; "1a" = 4; "a-b" = 5; "_x" = 6; }',
    "{ or = 1; }", "{ a.or = 1; }", "{ a = {}; a.b = x: x; }", "{ a = rec { x = 1; }; a.y = 2; }",
    W + "{ a.${b}.c = 1; a.${b}.d = 2; }", W + "{ x = { inherit \"a b\"; }; }", W + "{ inherit \"a b\" c; }",
    W + '{ a."${"b"}" = 1; }', W + "{ inherit (a) b c; inherit (d) e; }", "{ a = 1; b = 2; }.a",
    "rec { a = 1; }.a", '{ "a${"b"}" = 1; }' if False else '{ "ab" = 1; }', "{ ${''x''} = 1; }",
    # let
    "let a = 1; b = a: a; in a", "let { body = 1; }", "let { body = 1; a = 2; }", "let in 1",
    "let inherit ({}) a; b = 1; in 1", "let z = 1; a = 2; in 1", "let a.b = 1; a.c = 2; in a",
    W + "let inherit a; in a", W + "let inherit (a) b c; in b", 'let "a b" = 1; "if" = 2; in 1',
    "let f = x: x; in f", "let or = 1; in 1",
    # lambdas
    W + "x: y", "{ b, a ? 1, ... }: a", "x@{ b, a }: a", "{ b, a }@x: a", "{ }: 1", "{ ... }: 1",
    "x@{ ... }: 1", "{ a, }: a", "{ a, ... }: a", "{ a ? 1, b ? a }: b", "{ a ? x: x }: a", "{}@x: x",
    "x@{}: x", "a: b: c: a", "{ a, b }: { c }: a", "x: { a = 1; }", "x: x.a", "x: -x", "x-1: x-1",
    W + "map (x: x) l", "({ a }: a) { a = 1; }",
    # operators
    "1 + 2 * 3 - 4 / 5", W + "(-x)", W + "a < b", W + "a <= b", W + "a > b", W + "a >= b",
    W + "a == b", W + "a != b", W + "a && b || c -> d", W + "a // b ++ c", W + "!a", W + "a ? b.c",
    W + "a.b.c or d", W + 'a.${b}."c${d}".e', W + "f x y", W + "map or [1]", W + "a ? b ? c",
    "1 + ! true", W + "- ! x + 1", W + "x - y -1", W + "(f x) y", "(1 < 2) 1", W + "a -> b -> c",
    W + "a // b // c", W + "a ++ b ++ c", W + "a || b && c", W + "!a == b", W + "-a ? b", W + "!a ? b",
    W + "- - a", W + "! ! a", W + "a * -b", W + "a - -b", W + "a ++ !b ++ c", W + "a * !b + c",
    W + "a + !b == c", W + "a.b or c.d or e", W + "a.b or c d", W + "x.or", W + "a.${b} or c",
    W + "a ? ${b}", W + 'a ? "b c"', W + "a ? or", W + "f a.b c.d", W + "-f x", W + "!f x",
    W + "a == b -> c", W + "a < b == c < d", W + "a // b < c", W + "(a == b) == c", W + "a != (b == c)",
    W + "a-b", W + "a - b", W + "a -b", W + "a* b", W + "a/ b", W + "a /b" if False else W + "a / b",
    # keywords
    W + "if a then b else c", W + "with a; assert b; c", W + "assert a; b", W + "with a; with b; c",
    W + "if a then if b then c else d else e", W + "if a then b else if c then d else e",
    # lists
    "[1 2 (3)]", "[ ]", "[[1] [2 [3]]]", W + "[ a.b c.d or e (f x) (-1) ]", W + "[ f x ]",
    # misc
    "__curPos", W + "__curPos.line", "{ a = __curPos; }", W + "a.__curPos", "true", "null",
    W + "/* c */ a # c\n", "# only\n1", "1 /* a */ /* b */", "/**/ 1", "/***/ 1", "/* * / */ 1",
]


def operator_soup(seed: int, count: int) -> list[str]:
    """Random expressions mixing every operator, prefix '-' and '!', '?', selection and calls
    (no parentheses), to check precedence and associativity against Nix's Bison grammar."""
    rnd = random.Random(seed)
    atoms = ["a", "b", "c", "1", "2.5", '"s"', "[ a ]", "{ x = 1; }", "(a)", "a.b", "a.b or c", "f x", "d.e.f"]
    binops = ["->", "||", "&&", "==", "!=", "<", "<=", ">", ">=", "//", "+", "-", "*", "/", "++"]
    out = []
    seen = set()
    while len(out) < count:
        parts = []
        n = rnd.randint(2, 6)
        for i in range(n):
            prefix = "".join(rnd.choice(["", "", "", "-", "!"]) for _ in range(rnd.randint(0, 2)))
            atom = rnd.choice(atoms)
            if rnd.random() < 0.2:
                atom += " ? " + rnd.choice(["x", "x.y", "or", '"z"'])
            parts.append(prefix + atom)
            if i < n - 1:
                op = rnd.choice(binops)
                parts.append(op)
        text = " ".join(parts)
        if text in seen:
            continue
        seen.add(text)
        out.append(W + text)
    return out

# Malformed inputs: Nix 2.8 and nix2image must both reject them at the same line and column.
REJECTED = [
    "(1", "(1 ", "(1 \n  ", "(1 # c", "(1 /* x */", "(1 /* x ", '"abc', "''abc", "(./a ", "./a/",
    "./a/ ", "(./a/${x})/ ", "{ a = 1 }", "{ a = 1; ;", ")", "a b )", '"é" )', '"é" ./a )', "./a )",
    "./a/${x} )", "{ ... , a}: 1", "let a = 1; in", "1 +", "if 1 then 2", "__curPos )", "or",
    "let or = 1; in or", "{}.a or", "a == b != c", "1 < 2 < 3", "1 & 2", "1 % 2", "é", "", " ",
    "\n\n  ", "9223372036854775808", "[1.0e-400]", "[1.0e400]", "[0.1e-310]", "{ a = 1; a = 2; }",
    "{ a = { c = 1; }; a.c = 1; }", "{ x, x }: x", "x@{ x }: x", "{ x }@x: x", "{ a, b, a }: 1",
    "{ a, b, a, b }: 1", "{ a, b ? 1, a ? 2 }: 1", "{ inherit a; inherit a; }", "{ a = 1; inherit a; }",
    "{   inherit  a b; a = 1; }", "{ a = {x=1;}; a = {x=1;}; }", "{ a.x = 1; a = {x=1;}; }",
    "{ a = 1; a.x = 1; }", "{ a.b.c = 1; a.b.c = 1; }", "{ inherit ({}) a; a.b = 1; }",
    "let a = 1; a = 2; in a", "with {}; let a = 1; ${b} = 2; in a", "with {}; { inherit ${a}; }",
    'with {}; { inherit "${a}"; }', "{ a = 1; } }", "[ 1 2", "[ 1 2 }", "f (", "x: ", "x:", "{ a ? }: a",
    "{ a b }: a", "{ a, b c }: a", "{ a @ b }: a", "a @ b", "let a = 1 in a", "rec",
    "rec { a = 1", "if", "if a", "if a then", "if a then b else", "assert", "assert a", "with a", "with a;",
    "a.", "a.b.", "a ? ", "a ?", "!", "1 -", "a ++", "a //", "1 2 3 +", "\"${\"", "\"${1\"", "\"${1}",
    "''${1", "''\n  a\n", "'''", "x.\"", "x.${", "{ a.${ = 1; }", "{ = 1; }", "{ ; }", "{ a; }",
    "{ a = ; }", "{ inherit; }" if False else "{ inherit = 1; }", "{ a, ... , }: 1", "{ ..., ... }: 1",
    "[ let ]", "[ if ]", "(let a = 1;)", "1 ) 2", "1\n2\n)", "a\n  .\n  ", "{\n  a = 1;\n  b = 2\n}",
    "let\n  x = 1;\n  y = x +\nin y", "/* unterminated", "# c\n)", "a:\n\n  {", "\"a\"b\"", "x.y or",
    "x.y or or", "or or", "{ or }: 1", "or: 1", "<nixpkgs", "<>", "~", "~/", "~/a/", "./a/ b",
    "a/b/ ", "./a/${b}/", "{ a.b = 1; a.b.c = 2; }", "{ a = x: x; a.b = 1; }",
    "\r\n(\r\n )", W + "{ a = 1; a.${x}.c = 2; }", W + '{ a = 1; a."b c" = 2; }', "{ a.b = 1; a.b.c = 2; }",
    "{ a = { b = {}; }; a = { b = {}; }; }", "let a.b = 1; a.b = 2; in a", "{ inherit a; a.b = 1; }",
    "{ a = {}; a = 1; }", '{ ${"a"} = 1; a = 2; }', '{ inherit "a" "a"; }', "''$'' ''", W + "[ a.b c.d or e (f x) -1 ]", "\r(\r)", "(\r\n 1 2 \r\n ]",
]


_TOKEN_VOCAB = [
    "a", "b", "or", "1", "2.5", '"s"', '"${', "}", "{", "}", "(", ")", "[", "]", ";", ":", "=", ".", "?", "@",
    ",", "...", "+", "-", "*", "/", "//", "++", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "->", "!",
    "let", "in", "rec", "inherit", "if", "then", "else", "with", "assert", "''", "''x ${", "./p", "./p/${",
    "<n>", "http://x", "\n", " ", "#c\n", '"x"', "${", "x:", "{ a = 1; }", "a.b", "~/h",
]
_CHAR_VOCAB = [
    "a", '"', '"a', "${", "}", "{", "\\", "\\n", "$", "$$", "''", "'", "'''", "''$", "''\\n", "\n", "  ", "\t",
    "./p", "/", "a/b", "./a/", "~/", "<x>", "x:y", "1.", ".5", "1e3", "0x", "-", "#", "/*", "*/", "\r", ";",
    "=", "or", ".", "é", "\r\n", '"${x}"', "''\n  a\n",
]


def random_inputs(seed: int, count: int) -> list[str]:
    """Random token strings (space-separated) and random character soups (glued), most of them
    malformed: both Nix and we must accept/reject them alike, with the same message and position."""
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        vocab, sep = (_TOKEN_VOCAB, " ") if i % 2 == 0 else (_CHAR_VOCAB, "")
        out.append(W + sep.join(rnd.choice(vocab) for _ in range(rnd.randint(1, 8))))
    return out
