"""derivationStrict / toFile / placeholder computed in Python, compared with Nix 2.8.

Each case is written once as Python data; the harness renders it both as a Nix expression (for
``nix-instantiate --eval --strict --json``) and as evaluator values passed straight to the builtin,
so these tests do not depend on the parser or evaluator. The evaluator-level tests are in
``test_derivation_eval.py``.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from translator.nix.builtins import store_builtins as sb
from translator.nix.values import EvalError, NixAttrs, NixList, NixPath, NixString
from translator.store import derivation as D


# --- the little case language --------------------------------------------------------------------

@dataclass
class Drv:
    """``derivation { attrs }``; ``key`` names it in the generated ``let``."""
    key: str
    attrs: dict[str, Any]
    strict: bool = False  # built with builtins.derivationStrict (no wrapper) in the Nix expression


@dataclass
class Out:
    drv: Drv
    output: str = "out"


@dataclass
class DrvPath:
    drv: Drv


@dataclass
class Src:
    path: Path


@dataclass
class ToFile:
    name: str
    parts: list[Any]


@dataclass
class Placeholder:
    output: str


@dataclass
class Interp:
    """A string with interpolations: parts are str or values."""
    parts: list[Any] = field(default_factory=list)


def nix_str(s: str) -> str:
    out = []
    for c in s:
        out.append({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "$": "\\$"}.get(c, c))
    return '"' + "".join(out) + '"'


def to_nix(v: Any) -> str:
    if isinstance(v, str):
        return nix_str(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[ " + " ".join(f"({to_nix(x)})" for x in v) + " ]"
    if isinstance(v, dict):
        return "{ " + "".join(f"{nix_str(k)} = {to_nix(x)}; " for k, x in v.items()) + "}"
    if isinstance(v, Drv):
        return v.key
    if isinstance(v, Out):
        return f"{v.drv.key}.{v.output}"
    if isinstance(v, DrvPath):
        return f"{v.drv.key}.drvPath"
    if isinstance(v, Src):
        return str(v.path)
    if isinstance(v, ToFile):
        return f"builtins.toFile {nix_str(v.name)} {to_nix(Interp(v.parts))}"
    if isinstance(v, Placeholder):
        return f"builtins.placeholder {nix_str(v.output)}"
    if isinstance(v, Interp):
        return '"' + "".join(nix_str(p)[1:-1] if isinstance(p, str) else "${" + to_nix(p) + "}" for p in v.parts) + '"'
    raise TypeError(v)


class PyEval:
    """Turns case data into evaluator values by calling the store builtins directly."""

    def __init__(self) -> None:
        self.results: dict[str, NixAttrs] = {}

    def drv(self, d: Drv) -> NixAttrs:
        if d.key not in self.results:
            attrs = NixAttrs({k: self.value(v) for k, v in d.attrs.items()})
            self.results[d.key] = sb.prim_derivation_strict([attrs], None)
        return self.results[d.key]

    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            return NixString(v)
        if v is None or isinstance(v, (bool, int, float)):
            return v
        if isinstance(v, list):
            return NixList([self.value(x) for x in v])
        if isinstance(v, dict):
            return NixAttrs({k: self.value(x) for k, x in v.items()})
        if isinstance(v, Drv):  # a derivation value coerces through its outPath
            first = outputs_of(v)[0]  # `derivation` gives the first listed output
            return NixAttrs({"outPath": self.drv(v).d[first], "type": NixString("derivation")})
        if isinstance(v, Out):
            return self.drv(v.drv).d[v.output]
        if isinstance(v, DrvPath):
            return self.drv(v.drv).d["drvPath"]
        if isinstance(v, Src):
            return NixPath(str(v.path))
        if isinstance(v, ToFile):
            return sb.prim_to_file([NixString(v.name), self.value(Interp(v.parts))], None)
        if isinstance(v, Placeholder):
            return sb.prim_placeholder([NixString(v.output)], None)
        if isinstance(v, Interp):
            from translator.nix import operations as ops
            text, ctx = [], set()
            for p in v.parts:
                s = NixString(p) if isinstance(p, str) else ops.coerce_to_string(self.value(p), None)
                text.append(s.s)
                ctx |= s.ctx
            return NixString("".join(text), frozenset(ctx))
        raise TypeError(v)


def nix_eval_json(expr: str, env, local_store: bool = False) -> Any:
    """Evaluate with Nix; ``local_store`` writes .drv files to the real store (needed by ``=`` contexts,
    which Nix resolves by reading the store even when evaluating)."""
    store = ["--read-write-mode"] if local_store else ["--store", "dummy://"]
    proc = subprocess.run(["nix-instantiate", *store, "--eval", "--strict", "--json", "-E", expr],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def nix_error(expr: str, env) -> str:
    proc = subprocess.run(["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", "-E", expr],
                          env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    return proc.stderr


def let_expr(drvs: list[Drv], body: str) -> str:
    binds = "".join(f"{d.key} = {'builtins.derivationStrict' if d.strict else 'derivation'} {to_nix(d.attrs)}; "
                    for d in drvs)
    return f"let {binds}in {body}"


def outputs_of(d: Drv) -> list[str]:
    outs = d.attrs.get("outputs", ["out"])
    return outs if isinstance(outs, list) else outs.split()


def check_drvs(drvs: list[Drv], env, local_store: bool = False) -> None:
    """Every derivation's drvPath and every output path equal Nix's, with the right contexts."""
    names = [(d, o) for d in drvs for o in ["drvPath", *outputs_of(d)]]
    body = "[ " + " ".join(f"{d.key}.{o}" for d, o in names) + " ]"
    expected = nix_eval_json(let_expr(drvs, body), env, local_store)
    py = PyEval()
    got = []
    for d, o in names:
        s = py.drv(d).d[o]
        got.append(s.s)
        drv_path = py.drv(d).d["drvPath"].s
        assert s.ctx == frozenset({"=" + drv_path if o == "drvPath" else f"!{o}!{drv_path}"})
    assert got == expected


# --- cases ----------------------------------------------------------------------------------------

BASE = {"builder": "/bin/sh", "system": "x86_64-linux"}


def base(key, name, **extra) -> Drv:
    return Drv(key, {"name": name, **BASE, **extra})


def test_plain(nix):
    check_drvs([base("a", "hello")], nix)


def test_multiple_outputs(nix):
    check_drvs([base("a", "multi", outputs=["out", "dev", "lib", "man"])], nix)


def test_outputs_order_is_irrelevant_to_paths(nix):
    check_drvs([base("a", "m", outputs=["lib", "out", "bin"])], nix)


def test_outputs_as_space_separated_string(nix):
    check_drvs([Drv("a", {"name": "m", **BASE, "outputs": "out  bin\tdev"}, strict=True)], nix)


def test_escaping_in_args_and_env(nix):
    odd = 'quote " backslash \\ newline \n tab \t cr \r dollar $ brace ${} unicode ü €'
    check_drvs([base("a", "odd", args=["-c", odd, ""], weird=odd, **{"attr with space": "v", "ünï": odd})], nix)


def test_coercions(nix):
    check_drvs([base("a", "coerce", t=True, f=False, n=None, i=-42, fl=1.5,
                     l=["a", 1, True, None, ["x", []], [], "z"], args=[1, True, None, 2.25, ["p", "q"]])], nix)


def test_depends_on_another_derivation(nix):
    a = base("a", "dep", outputs=["out", "dev"])
    b = base("b", "user", src=Out(a), headers=Interp(["-I", Out(a, "dev"), "/include"]), args=["-c", Interp(["cp ", a, " $out"])])
    check_drvs([a, b], nix)


def test_chain_and_diamond(nix):
    a = base("a", "root")
    b = base("b", "left", dep=a)
    c = base("c", "right", dep=a, outputs=["out", "doc"])
    d = base("d", "top", deps=[b, Out(c, "doc"), c])
    check_drvs([a, b, c, d], nix)


def test_drv_path_context_takes_whole_closure(nix, tmp_path):
    (tmp_path / "f.txt").write_text("source")
    a = base("a", "root", src=Src(tmp_path / "f.txt"))
    b = base("b", "mid", dep=a, outputs=["out", "bin"])
    c = base("c", "top", drv=DrvPath(b))
    d = base("d", "top2", both=[DrvPath(b), Out(a)])
    check_drvs([a, b, c, d], nix, local_store=True)


def test_sources_and_to_file(nix, tmp_path):
    (tmp_path / "script.sh").write_text("echo hi\n")
    os_dir = tmp_path / "dir"
    (os_dir / "x").mkdir(parents=True)
    (os_dir / "x" / "y").write_text("y")
    tf = ToFile("conf", ["path=", Src(tmp_path / "script.sh"), "\n"])
    check_drvs([base("a", "srcs", script=Src(tmp_path / "script.sh"), d=Interp([Src(os_dir), "/x/y"]), conf=tf,
                     args=[Src(tmp_path / "script.sh")])], nix)


def test_builder_is_a_source(nix, tmp_path):
    (tmp_path / "builder.sh").write_text("#!/bin/sh\n")
    check_drvs([Drv("a", {"name": "b", "system": "x86_64-linux", "builder": Src(tmp_path / "builder.sh")})], nix)


def test_placeholder(nix):
    check_drvs([base("a", "ph", outputs=["out", "bin"], configureFlags=Interp(["--bindir=", Placeholder("bin"), "/bin"]))], nix)
    assert nix_eval_json('builtins.placeholder "out"', nix) == D.placeholder("out")


@pytest.mark.parametrize("hash_attrs", [
    {"outputHash": "sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s"},
    {"outputHash": "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s", "outputHashAlgo": "sha256"},
    {"outputHash": "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s", "outputHashAlgo": "sha256",
     "outputHashMode": "recursive"},
    {"outputHash": "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "outputHashMode": "recursive"},
    {"outputHash": "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "outputHashMode": "flat"},
    {"outputHash": "a9993e364706816aba3e25717850c26c9cd0d89d", "outputHashAlgo": "sha1"},
    {"outputHash": "a9993e364706816aba3e25717850c26c9cd0d89d", "outputHashAlgo": "sha1", "outputHashMode": "recursive"},
    {"outputHash": "sha512-" + "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
     "outputHashMode": "recursive"},
    {"outputHash": "md5:900150983cd24fb0d6963f7d28e17f72"},
    {"outputHash": "", "outputHashAlgo": "sha256"},
])
def test_fixed_output(nix, hash_attrs):
    fod = base("a", "fetched", **hash_attrs)
    user = base("b", "user", src=fod, outputs=["out", "dev"])
    check_drvs([fod, user], nix)


def test_fixed_output_hash_does_not_depend_on_builder(nix):
    h = {"outputHash": "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "outputHashMode": "recursive"}
    f1 = base("a", "src", **h, url="https://one")
    f2 = base("b", "src", **h, url="https://two")
    u1 = base("c", "user", src=f1)
    u2 = base("d", "user", src=f2)
    check_drvs([f1, f2, u1, u2], nix)
    py = PyEval()
    assert py.drv(u1).d["out"].s == py.drv(u2).d["out"].s
    assert py.drv(u1).d["drvPath"].s != py.drv(u2).d["drvPath"].s


def test_ignore_nulls(nix):
    check_drvs([base("a", "nulls", __ignoreNulls=True, gone=None, kept="x", alsoFalse=False)], nix)


def test_special_names_in_env(nix):
    check_drvs([base("a", "sp", __structuredAttrs=False, __contentAddressed=False, __impure=False,
                     out="overridden?", drvPath="x", passAsFile=["a"], a="text")], nix)


def test_names(nix):
    check_drvs([base("a", ".dotted"), base("b", "a+b=c?d_e.f-g"), base("c", "x" * 200)], nix)


def test_to_file_with_references(nix, tmp_path):
    (tmp_path / "s").write_text("s")
    inner = ToFile("inner", ["data"])
    outer = ToFile("outer", ["uses ", inner, " and ", Src(tmp_path / "s")])
    expected = nix_eval_json(to_nix([inner, outer]), nix)
    py = PyEval()
    got = [py.value(inner), py.value(outer)]
    assert [g.s for g in got] == expected
    assert got[1].ctx == frozenset({expected[1]})


def test_deep_chain_has_no_recursion_limit():
    """Each derivation is instantiated in turn (as a lazy evaluator would); hashing the top one must
    not recurse through the whole chain."""
    from translator.store.derivation import _MODULO

    py = PyEval()
    prev = None
    for i in range(3000):
        attrs = {"name": f"n{i}", **BASE}
        if prev is not None:
            attrs["dep"] = prev
        prev = Drv(f"d{i}", attrs)
        py.drv(prev)
    # forget the memoised hashes: the chain is hashed again from the bottom, iteratively
    top = py.drv(prev).d["drvPath"].s
    _MODULO.clear()
    assert D._path_modulo(top)["out"]
    assert py.value(Out(prev)).s.endswith("-n2999")


# --- errors ---------------------------------------------------------------------------------------

ERRORS = [
    ({"builder": "b", "system": "s"}, "attribute 'name' missing for call to 'derivationStrict'"),
    ({"name": "a"}, "required attribute 'builder' missing"),
    ({"name": "a", "builder": "b"}, "required attribute 'system' missing"),
    ({"name": "a", "builder": "", "system": "s"}, "required attribute 'builder' missing"),
    ({"name": "a.drv", **BASE}, "derivation names are not allowed to end in '.drv'"),
    ({"name": "a", **BASE, "outputs": []}, "derivation cannot have an empty set of outputs"),
    ({"name": "a", **BASE, "outputs": ["a", "a"]}, "duplicate derivation output 'a'"),
    ({"name": "a", **BASE, "outputs": ["drv"]}, "invalid derivation output name 'drv'"),
    ({"name": "a", **BASE, "outputHashMode": "x"}, "invalid value 'x' for 'outputHashMode' attribute"),
    ({"name": "a", **BASE, "outputs": ["out", "dev"], "outputHash": "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="},
     "multiple outputs are not supported in fixed-output derivations"),
    ({"name": "a", **BASE, "outputHash": "abc"},
     "hash 'abc' does not include a type, nor is the type otherwise known from context"),
    ({"name": "a", **BASE, "outputHash": ""}, "empty hash requires explicit hash type"),
    ({"name": "a", **BASE, "outputHash": "abc", "outputHashAlgo": "sha256"},
     "hash 'abc' has wrong length for hash type 'sha256'"),
    ({"name": "a", **BASE, "x": {}}, "cannot coerce a set to a string"),
    ({"name": "a", **BASE, "args": 1}, "value is an integer while a list was expected"),
    ({"name": 1, **BASE}, "value is an integer while a string was expected"),
    ({"name": "a b", **BASE}, "contains illegal character ' '"),
    ({"name": "", **BASE}, "has an empty name"),
    ({"name": "a", **BASE, "__contentAddressed": True}, "experimental Nix feature 'ca-derivations' is disabled"),
]


@pytest.mark.parametrize("attrs,message", ERRORS, ids=[m[:40] for _, m in ERRORS])
def test_errors_match_nix(nix, attrs, message):
    stderr = nix_error(f"(builtins.derivationStrict {to_nix(attrs)}).drvPath", nix)
    assert message in stderr
    with pytest.raises(EvalError) as e:
        PyEval().drv(Drv("x", attrs))
    assert message in e.value.message
    if "store path '" in stderr:  # the same hash appears in the message
        assert e.value.message in stderr


@pytest.mark.parametrize("kind,ctx_value", [("output", lambda d: Out(d)), ("drv", lambda d: DrvPath(d))])
def test_to_file_rejects_derivation_references(nix, kind, ctx_value):
    d = base("d", "a")
    expr = let_expr([d], f"builtins.toFile \"f\" {to_nix(Interp([ctx_value(d)]))}")
    stderr = nix_error(expr, nix)
    with pytest.raises(EvalError) as e:
        PyEval().value(ToFile("f", [ctx_value(d)]))
    assert e.value.message in stderr
    assert "in 'toFile': the file named 'f' must not contain a reference to a derivation" in e.value.message


# --- ATerm ----------------------------------------------------------------------------------------

def test_aterm_roundtrip_and_show_derivation(nix, tmp_path):
    """Our ATerm equals the .drv Nix writes (nix-instantiate into the local store)."""
    a = base("a", "rt-dep", outputs=["out", "dev"], x="a\"b\\c\nd")
    b = base("b", "rt", dep=Out(a, "dev"), args=["-c", "echo \"$out\"\t"])
    expr = let_expr([a, b], "b")
    f = tmp_path / "d.nix"
    f.write_text(expr)
    drv_path = subprocess.run(["nix-instantiate", str(f)], env=nix, capture_output=True, text=True,
                              check=True).stdout.strip().split("!")[0]
    py = PyEval()
    assert py.drv(b).d["drvPath"].s == drv_path
    ours = D.DERIVATIONS[drv_path].unparse()
    assert Path(drv_path).read_text() == ours
    parsed = D.parse_aterm(ours, "rt")
    assert parsed.unparse() == ours


def test_structured_attrs(nix, tmp_path):
    (tmp_path / "s.txt").write_text("s")
    a = base("a", "dep", outputs=["out", "dev"])
    b = base("b", "structured", __structuredAttrs=True, outputs=["out", "bin"],
             nested={"z": [1, 2.5, True, None, "str\n\"q\""], "a": {"deep": Out(a, "dev")}},
             dep=a, src=Src(tmp_path / "s.txt"), args=["-e", "x"], empty={}, n=None,
             **{"key with \"quotes\"": "v"})
    check_drvs([a, b], nix)
    env = D.DERIVATIONS[PyEval().drv(b).d["drvPath"].s].env
    assert set(env) == {"__json", "out", "bin"}
    assert '"dep":"/nix/store/' in env["__json"]


def test_structured_attrs_with_ignore_nulls(nix):
    check_drvs([base("a", "s2", __structuredAttrs=True, __ignoreNulls=True, gone=None, kept=[None])], nix)


def _random_text(rng) -> str:
    alphabet = ["a", "Z", "0", " ", '"', "\\", "\n", "\t", "\r", "$", "{", "}", "\x01", "\x7f", "é", "€", "𝄞", "'", "!", "="]
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def test_random_derivation_graphs(nix):
    """A seeded random graph of derivations (odd strings, several outputs, fixed outputs, all kinds of
    dependencies) evaluated by Nix in one call and by us: every path equal."""
    import random

    rng = random.Random(20261127)
    drvs: list[Drv] = []
    for i in range(40):
        attrs: dict[str, Any] = {"name": f"r{i}-{rng.choice(['x', 'lib', '1.0', 'a+b'])}", **BASE}
        if rng.random() < 0.15:
            attrs["outputHash"] = hash_string_sri(rng)
            attrs["outputHashMode"] = rng.choice(["flat", "recursive"])
        elif rng.random() < 0.5:
            attrs["outputs"] = rng.sample(["out", "dev", "lib", "bin", "man"], rng.randint(1, 4))
            if "out" not in attrs["outputs"] and rng.random() < 0.5:
                attrs["outputs"].insert(0, "out")
        for j in range(rng.randint(0, 4)):
            attrs[f"e{j}{_random_text(rng).replace(chr(0), '')}"] = _random_text(rng)
        if drvs:
            for j in range(rng.randint(0, 3)):
                dep = rng.choice(drvs)
                out = rng.choice(outputs_of(dep))
                attrs[f"dep{j}"] = rng.choice([Out(dep, out), Interp(["pre-", Out(dep, out), "/bin"]), dep])
        attrs["args"] = [_random_text(rng) for _ in range(rng.randint(0, 3))]
        drvs.append(Drv(f"d{i}", attrs))
    check_drvs(drvs, nix)


def hash_string_sri(rng) -> str:
    import hashlib
    import base64

    return "sha256-" + base64.b64encode(hashlib.sha256(str(rng.random()).encode()).digest()).decode()


def test_drv_path_closure_includes_to_file_references(nix, tmp_path):
    (tmp_path / "data").write_text(f"data {tmp_path}")
    inner = ToFile("inner", ["x ", Src(tmp_path / "data")])
    outer = ToFile("outer", ["uses ", inner])
    a = base("a", "root", conf=outer)
    b = base("b", "top", drv=DrvPath(a))
    check_drvs([a, b], nix, local_store=True)
    drv = D.DERIVATIONS[PyEval().drv(b).d["drvPath"].s]
    assert len(drv.input_srcs) == 4  # a.drv, outer, inner, data


def test_aterm_escaping_agrees_with_a_character_by_character_escape():
    import random

    table = str.maketrans({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
    rnd = random.Random(7)
    for _ in range(20000):
        s = "".join(rnd.choice('ab"\\\n\r\t$é\x00/') for _ in range(rnd.randint(0, 12)))
        assert D.escape_string(s) == '"' + s.translate(table) + '"', s
