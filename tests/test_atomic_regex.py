"""Possessive quantifiers compiled as atomic groups (translator/nix/atomic_regex.py), and the lexer
giving the same tokens under every Python 3.11 on the machine: Debian 12's ``python3`` (3.11.2)
matches possessive quantifiers over backtracking subpatterns wrongly (python/cpython#106052) and
found no block comment at all before."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from translator.nix import lexer
from translator.nix.atomic_regex import atomic

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT.parent / "shared" / "nixpkgs-core" / "tree"


@pytest.mark.parametrize("pattern, expected", [
    (r"a*+", r"(?>a*)"),
    (r"a++b?+", r"(?>a+)(?>b?)"),
    (r"a{2,3}+x{4}", r"(?>a{2,3})x{4}"),
    (r"\*+\+++", r"\*+(?>\++)"),  # an escaped star and plus are atoms, not quantifiers
    (r"[*+]++[]a]*", r"(?>[*+]+)[]a]*"),  # a class holding * and + (and a leading ])
    (r"[^\]x]*+", r"(?>[^\]x]*)"),
    (r"(?:ab?c)*+", r"(?>(?:ab?c)*)"),
    (r"(?:x++|y)*+z", r"(?>(?:(?>x+)|y)*)z"),
    (r"(?P<N>a)++(?P=N)", r"(?>(?P<N>a)+)(?P=N)"),
    (r"a*?b+?c??", r"a*?b+?c??"),  # lazy quantifiers are left alone
    (r"(?<=a)b(?<!c)(?=d)(?!e)\{", r"(?<=a)b(?<!c)(?=d)(?!e)\{"),
])
def test_conversions(pattern, expected):
    assert atomic(pattern) == expected
    assert re.compile(atomic(pattern)).groups == re.compile(pattern).groups  # (?> does not capture


def test_the_bug_case_is_right_in_atomic_form():
    """python/cpython#106052's example: R*+ must not match where R* does not."""
    assert re.fullmatch(atomic("(?:ab?c)*+"), "a") is None
    assert re.fullmatch(atomic(r"/\*(?:[^*]|\*+[^*/])*+\*+/"), "/* a\n  b. */")


def test_unbalanced_pattern_is_refused():
    with pytest.raises(ValueError):
        atomic("(?:a")


def test_lexer_patterns_hold_no_possessive_quantifier():
    for rx in (lexer._DEFAULT, lexer._SKIP_RX):
        assert atomic(rx.pattern) == rx.pattern  # converting again changes nothing


def test_block_comments_lex():
    toks = list(lexer.Lexer("/* a\n   b. */ 1 /* c */", "t.nix").tokens())
    assert [t[0] for t in toks] == ["INT", "$END"]


_LEX_ALL = r"""
import hashlib, os, sys
sys.path.insert(0, sys.argv[1])
from translator.nix.lexer import Lexer
h = hashlib.sha256()
n = 0
for root in sys.argv[2:]:
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".nix"):
                p = os.path.join(d, f)
                text = open(p, "rb").read().decode("utf-8", "surrogateescape")
                try:
                    out = repr(list(Lexer(text, p).scan()))
                except Exception as e:
                    out = f"{type(e).__name__}: {e}"
                h.update(p.encode("utf-8", "surrogateescape") + out.encode("utf-8", "surrogateescape"))
                n += 1
print(n, h.hexdigest())
"""


def test_every_python_on_the_machine_lexes_alike():
    """The lexer over a real nixpkgs (and Nix's lang tests when present) under this Python and
    under the system's ``python3`` (Debian 12: 3.11.2), token for token."""
    system = shutil.which("python3", path="/usr/bin:/bin")
    if system is None:
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/python3 is missing in CI")
        pytest.skip("no system python3")
    version = subprocess.run([system, "-c", "import sys; print(sys.version_info >= (3, 11))"],
                             capture_output=True, text=True).stdout.strip()
    if version != "True":
        pytest.skip(f"{system} is older than 3.11 (nix2image needs 3.11)")
    roots = [str(TREE)]
    if os.environ.get("NIX_LANG_TESTS"):
        roots.append(os.environ["NIX_LANG_TESTS"])
    answers = {py: subprocess.run([py, "-c", _LEX_ALL, str(ROOT), *roots], capture_output=True, text=True,
                                  check=True).stdout for py in (sys.executable, system)}
    mine, theirs = answers.values()
    assert int(mine.split()[0]) > 1000
    assert mine == theirs, answers
