"""Differential tests of the builtins against Nix 2.8.

Every case of :mod:`test_builtins_cases` is evaluated by nix2image (in process, through the same
function ``nix2image eval`` uses) and by ``nix-instantiate --store dummy:// --eval --strict
--json``. Successful cases must print the same JSON; error cases must fail in both with the same
``error: ...`` message line. A final test runs a batch of cases through the installed command.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import need_tool, nix_env, run_cli
from test_builtins_cases import ERR, ERR_ANY_MESSAGE, OK, make_data_dir

#: Builtins registered by the store module; their global visibility is checked there.
STORE_OWNED = {"derivation", "derivationStrict", "toFile", "path", "filterSource", "placeholder", "storeDir",
               "storePath"}

ENV_VAR = ("NIX2IMAGE_TEST_VAR", "value from the environment")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return make_data_dir(tmp_path_factory.mktemp("builtins"))


def _expr(text: str, data_dir) -> str:
    return text.replace("@D@", str(data_dir))


def _nix_env() -> dict[str, str]:
    env = nix_env()
    env[ENV_VAR[0]] = ENV_VAR[1]
    env.pop("NIX_PATH", None)
    return env


def run_nix(expr: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", "-E", expr],
                          capture_output=True, text=True, env=_nix_env(), cwd=cwd, timeout=300)


def run_ours(expr: str, cwd) -> tuple[str | None, str | None]:
    """(json text, None) or (None, first error line), evaluated in this process."""
    from translator.commands.nix_cmds import evaluate_for_cli
    from translator.nix.evaluator import run_deep, to_user_error
    from translator.nix.values import EvalError
    from translator.errors import UserError

    old_cwd = os.getcwd()
    os.environ[ENV_VAR[0]] = ENV_VAR[1]
    os.chdir(cwd)
    try:
        text = run_deep(lambda: evaluate_for_cli(file=None, expr=expr, attr_paths=(), args=(), argstrs=(),
                                                 include=(), strict=True, as_json=True, system=None))
        return text, None
    except EvalError as err:
        return None, str(to_user_error(err, False)).splitlines()[0]
    except UserError as err:
        return None, str(err).splitlines()[0]
    finally:
        os.chdir(old_cwd)


def _first_error_line(stderr: str) -> str:
    for line in stderr.splitlines():
        if line.startswith("error:"):
            return line
    return stderr.strip().splitlines()[0] if stderr.strip() else ""


@pytest.fixture(scope="module")
def nix_ok_results(data_dir):
    """All OK cases evaluated by Nix in one run (one attribute per case)."""
    need_tool("nix-instantiate")
    batch = {n: e for n, e in OK.items() if "Pos" not in n}  # positions need the case alone
    body = " ".join(f'"{name}" = ({_expr(e, data_dir)});' for name, e in batch.items())
    proc = run_nix("{ " + body + " }", data_dir)
    results = json.loads(proc.stdout) if proc.returncode == 0 else {}
    for name, e in OK.items():  # the rest (or, if the batch failed, every case) one by one
        if name in results:
            continue
        p = run_nix(_expr(e, data_dir), data_dir)
        results[name] = json.loads(p.stdout) if p.returncode == 0 else ("NIX FAILED", p.stderr)
    return results


@pytest.mark.parametrize("name", list(OK))
def test_builtin_value_matches_nix(name, nix_ok_results, data_dir):
    expected = nix_ok_results[name]
    assert not (isinstance(expected, tuple) and expected[0] == "NIX FAILED"), f"Nix itself failed: {expected}"
    text, err = run_ours(_expr(OK[name], data_dir), data_dir)
    assert err is None, f"nix2image failed: {err}"
    assert json.loads(text) == expected


@pytest.mark.parametrize("name", list(ERR))
def test_builtin_error_matches_nix(name, data_dir):
    need_tool("nix-instantiate")
    expr = _expr(ERR[name], data_dir)
    proc = run_nix(expr, data_dir)
    assert proc.returncode != 0, f"Nix did not fail: {proc.stdout}"
    text, err = run_ours(expr, data_dir)
    assert err is not None, f"nix2image did not fail but gave {text}"
    if name not in ERR_ANY_MESSAGE:
        assert err == _first_error_line(proc.stderr)


def test_float_output_byte_exact(data_dir):
    """toJSON/toString of floats: compare the exact strings, not parsed numbers."""
    need_tool("nix-instantiate")
    expr = OK["toJSON-floats"]
    proc = run_nix(expr, data_dir)
    text, err = run_ours(expr, data_dir)
    assert err is None
    assert text.strip() == proc.stdout.strip()


def test_cli_batch_matches_nix(data_dir):
    """A batch of cases through the installed ``nix2image eval`` command."""
    need_tool("nix-instantiate")
    names = [n for n in OK if n not in ("trace", "builtin-names")][:60]
    expr = "{ " + " ".join(f'"{n}" = ({_expr(OK[n], data_dir)});' for n in names) + " }"
    env = _nix_env()
    proc = run_cli("eval", "--strict", "--json", "-E", expr, cwd=data_dir, env=env)
    assert proc.returncode == 0, proc.stderr
    nix = run_nix(expr, data_dir)
    assert nix.returncode == 0, nix.stderr
    assert json.loads(proc.stdout) == json.loads(nix.stdout)


TRACE_EXPRS = [
    'builtins.trace { a = 1; } (builtins.trace "text" 2)',
    'builtins.trace { a = 1 + 1; b = [ (1+1) ]; c = x: x; d = builtins.add; } 1',
    'builtins.trace [ "s" null 1.5 true ] 1',
    'builtins.trace (let x = { y = x; }; in x) 1',
    'builtins.trace "multi\\nline" 1',
    'builtins.trace (derivation { name = "a"; system = "x"; builder = "/b"; }) 1',
]


@pytest.mark.parametrize("expr", TRACE_EXPRS)
def test_trace_goes_to_stderr(expr, data_dir):
    need_tool("nix-instantiate")
    ours = run_cli("eval", "--strict", "-E", expr, cwd=data_dir, env=_nix_env())
    nix = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "-E", expr],
                         capture_output=True, text=True, env=_nix_env(), cwd=data_dir)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == nix.stdout
    assert ours.stderr.replace("\n", "|").split("trace: ")[1:] == nix.stderr.replace("\n", "|").split("trace: ")[1:]


def test_every_builtin_reachable_like_nix(data_dir):
    """Each name of ``builtins`` is in scope as ``name`` or ``__name`` exactly where Nix has it."""
    need_tool("nix-instantiate")
    names = json.loads(run_nix("builtins.attrNames builtins", data_dir).stdout)
    text, err = run_ours("builtins.attrNames builtins", data_dir)
    assert err is None and json.loads(text) == names
    for name in names:
        if name == "foldl'":
            continue  # `foldl'` alone is not an identifier
        if name in STORE_OWNED:
            continue  # scope of these is the store module's (store_builtins.py) business
        for expr in (f"builtins.typeOf {name}", f"builtins.typeOf __{name}"):
            nix_ok = run_nix(expr, data_dir).returncode == 0
            ours_text, _ = run_ours(expr, data_dir)
            assert (ours_text is not None) == nix_ok, f"{expr}: Nix {'accepts' if nix_ok else 'rejects'} it"


def _batch_compare(exprs: list[str], data_dir) -> None:
    """Evaluate ``exprs`` as one Nix list in both implementations and compare element-wise."""
    need_tool("nix-instantiate")
    batch = data_dir / "batch.nix"
    batch.write_text("[\n" + "\n".join(f"({e})" for e in exprs) + "\n]\n")
    expr = f"import {batch}"
    nix = run_nix(expr, data_dir)
    assert nix.returncode == 0, nix.stderr
    text, err = run_ours(expr, data_dir)
    assert err is None, err
    ours, theirs = json.loads(text), json.loads(nix.stdout)
    for e, a, b in zip(exprs, ours, theirs):
        assert a == b, f"{e}: nix2image {a!r}, Nix {b!r}"


def test_sort_replays_stable_sort_randomised(data_dir):
    """Random lists sorted with strict and non-strict comparators give Nix's exact order."""
    import random

    rnd = random.Random(2028)
    exprs = []
    for n in list(range(0, 40)) + [63, 64, 65, 100, 129, 250]:
        keys = [rnd.randint(0, max(1, n // 3)) for _ in range(n)]
        lst = "[ " + " ".join(f"{{ k = {k}; i = {i}; }}" for i, k in enumerate(keys)) + " ]"
        for cmp in ("a.k < b.k", "a.k <= b.k", "a.k > b.k", "a.k >= b.k", "a.i < b.i"):
            exprs.append(f"map (x: x.i) (builtins.sort (a: b: {cmp}) {lst})")
    _batch_compare(exprs, data_dir)


def test_regex_randomised(data_dir):
    """Random POSIX patterns and subjects: ``match`` and ``split`` agree with Nix's std::regex."""
    import random

    rnd = random.Random(7)
    atoms = ["a", "b", "c", ".", "[ab]", "[^a]", "[[:digit:]]", "x", "-", "\\\\.", "(a)", "(b|c)", "(a|ab)", "()"]
    quants = ["", "", "", "*", "+", "?", "{2}", "{1,2}", "{0,}"]

    def pattern(depth: int = 0) -> str:
        parts = []
        for _ in range(rnd.randint(1, 4)):
            if depth < 2 and rnd.random() < 0.2:
                atom = "(" + pattern(depth + 1) + ")"
            else:
                atom = rnd.choice(atoms)
            parts.append(atom + rnd.choice(quants))
        p = "".join(parts)
        if rnd.random() < 0.2:
            p += "|" + pattern(depth + 1)
        return p

    exprs = []
    for _ in range(150):
        pat = pattern()
        subj = "".join(rnd.choice("abcx1.-") for _ in range(rnd.randint(0, 12)))
        exprs.append(f'builtins.match "{pat}" "{subj}"')
        exprs.append(f'builtins.split "{pat}" "{subj}"')
    _batch_compare(exprs, data_dir)


def test_printed_format_matches_nix(data_dir):
    """All value cases at once, printed in Nix's own format (``eval --strict`` without --json)."""
    need_tool("nix-instantiate")
    names = [n for n in OK if n != "trace" and "Pos" not in n]
    batch = data_dir / "printed.nix"
    batch.write_text("{\n" + "\n".join(f'"{n}" = ({_expr(OK[n], data_dir)});' for n in names) + "\n}\n")
    nix = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", str(batch)],
                         capture_output=True, text=True, env=_nix_env(), cwd=data_dir)
    assert nix.returncode == 0, nix.stderr
    ours = run_cli("eval", "--strict", str(batch), cwd=data_dir, env=_nix_env())
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == nix.stdout


ATTR_POS_FILE = '''let
  f = { a,
        b ? 1 }: a;
  s = { x = 1;
    y = 2; };
in [
  (builtins.unsafeGetAttrPos "b" (builtins.functionArgs f))
  (builtins.unsafeGetAttrPos "y" (builtins.mapAttrs (n: v: v) s))
  (builtins.unsafeGetAttrPos "y" (builtins.intersectAttrs { y = 0; } s))
  (builtins.unsafeGetAttrPos "y" (removeAttrs s [ "x" ]))
  (builtins.unsafeGetAttrPos "q" (builtins.listToAttrs [ { name = "q";
     value = 1; } ]))
  (builtins.unsafeGetAttrPos "y" (s // { }))
  (builtins.unsafeGetAttrPos "y" (builtins.zipAttrsWith (n: v: v) [ s ]))
  (builtins.toXML (builtins.unsafeGetAttrPos "x" s))
  (builtins.unsafeGetAttrPos "nope" s)
]
'''


def test_attribute_positions_through_builtins(data_dir):
    """Which builtins keep attribute positions (for unsafeGetAttrPos) and which drop them."""
    need_tool("nix-instantiate")
    f = data_dir / "attrpos.nix"
    f.write_text(ATTR_POS_FILE)
    nix = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", str(f)],
                         capture_output=True, text=True, env=_nix_env(), cwd=data_dir)
    assert nix.returncode == 0, nix.stderr
    ours = run_cli("eval", "--strict", str(f), cwd=data_dir, env=_nix_env())
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == nix.stdout


#: What each builtin forces: every entry is true when it evaluates fully despite the `throw`s.
STRICTNESS_FILE = '''let t = throw "x"; in with builtins; map (e: (tryEval (deepSeq e e)).success) [
  (elem 1 [ 1 t ])
  (length (partition (x: true) [ t ]).right)
  (length (sort (a: b: true) [ t 1 ]))
  (length (filter (x: true) [ t ]))
  (attrNames (groupBy (x: "a") [ t ]))
  (length (catAttrs "a" [ { a = t; } ]))
  (all (x: true) [ t ])
  (length (concatMap (x: [ x ]) [ t ]))
  (foldl' (a: b: a) 0 [ t ])
  (zipAttrsWith (n: v: length v) [ { a = t; } ])
  (any (x: x) [ true t ])
  (replaceStrings [ "a" ] [ t ] "b")
  (listToAttrs [ { name = "a"; value = 1; } { name = "a"; value = t; } ])
  (listToAttrs [ { name = "a"; value = 1; } t ])
  (attrNames (mapAttrs (n: v: t) { a = 1; }))
  (length (genericClosure { startSet = [ { key = 1; v = t; } ]; operator = x: []; }))
  (concatStringsSep t [])
  (functionArgs (x: t))
  (length (split "a" t))
  (compareVersions "1" "1")
  (seq t 1)
  (isAttrs t)
  (length (tail [ t 1 ]))
  (intersectAttrs { a = t; } { b = 1; })
  (hasAttr "a" { a = t; })
  (length (attrValues { a = t; }))
  (getAttr "a" { a = 1; b = t; })
  (tryEval t)
  (length (genList (x: t) 3))
  (substring 0 0 t)
  (sort lessThan [])
  (sort t [])
  (genList t 0)
  (map t [])
  (filter t [])
  (foldl' t 0 [])
  (concatMap t [])
  (all t [])
  (partition t [])
  (groupBy t [])
]
'''


def test_what_each_builtin_forces(data_dir):
    need_tool("nix-instantiate")
    f = data_dir / "strictness.nix"
    f.write_text(STRICTNESS_FILE)
    nix = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", str(f)],
                         capture_output=True, text=True, env=_nix_env(), cwd=data_dir)
    assert nix.returncode == 0, nix.stderr
    ours = run_cli("eval", "--strict", str(f), cwd=data_dir, env=_nix_env())
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == nix.stdout


def test_float_formatting_randomised(data_dir):
    """toJSON (``%g``-like) and toString (``%f``) of many floats, byte for byte as Nix."""
    import random

    rnd = random.Random(99)
    exprs = []
    for _ in range(120):
        a = rnd.randint(-10**9, 10**9)
        b = rnd.randint(1, 10**6)
        scale = rnd.choice(["1.0", "1.0e-10", "1.0e10", "1.0e-300", "1.0e300", "0.001", "1000.0"])
        x = f"({a} * {scale} / {b})"
        exprs.append(f"builtins.toJSON {x}")
        exprs.append(f"toString {x}")
    _batch_compare(exprs, data_dir)


#: Regular expression syntax corners of libstdc++'s POSIX extended mode (valid or not).
REGEX_SYNTAX = [
    "{", "a|*b", "()*", "(*)", "a+?", "^*", "$*", "x{0}", "[a-z-9]+", "[--z]+", "[[.-.]]", "[[=a=]]",
    "[\\\\d]+", "\\\\1", "(a)\\\\1", "a{1,2}{3}", "[[:alpha:][:digit:]]+", "[^[:space:]]+", "a||b", "|a", "a|",
    "(|)", ".{3}", "[.]", "[*]", "\\\\{", "\\\\}", "}", "\\\\]", "a{01}", "a{1,02}", "[]]", "[]", "[^]", "[a", "]]",
    "[a-z-]", "[%--]", "[a-]", "[-a]", "[a-c-e]", "[[.a.]]", "[[.a.]-c]", "[a-[.c.]]", "[[:alpha:]-z]",
    "[a-[:alpha:]]", "[^-a]", "[]-a]", "[!--]", "[a-a]", "[[=a=]-c]", "[[.hyphen.]]", "[[.space.]]",
    "[[:alpha:]-]", "[[=hyphen=]]", "[[.tab.]]", "[a-[=c=]]", "[[.hyphen.]-z]", "[[:alpha:]", "[a\\\\]", "[[]",
    "[[a]", "[a[]", "[[:]", "[[.]", "[=]",
]


@pytest.mark.parametrize("pattern", REGEX_SYNTAX)
def test_regex_syntax_corner(pattern, data_dir):
    need_tool("nix-instantiate")
    expr = f'builtins.split "{pattern}" "ab-9.c[d ]-%{{}}*\\\\d1 aa"'
    nix = run_nix(expr, data_dir)
    text, err = run_ours(expr, data_dir)
    if nix.returncode == 0:
        assert err is None, err
        assert json.loads(text) == json.loads(nix.stdout)
    else:
        assert err == _first_error_line(nix.stderr)
