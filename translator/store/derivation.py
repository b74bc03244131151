"""Store derivations: the ATerm text of a ``.drv``, ``hashDerivationModulo``, drvPath and outPaths.

A derivation is named by the sha256 of its ATerm serialisation (a ``text`` store path whose
references are its input sources and input derivations). Its input-addressed outputs are named by
``hashDerivationModulo``: the hash of the ATerm with output paths blanked ("masked") and every
input derivation replaced by *its* modulo hash, so that a fixed-output input (e.g. a fetch) can
change how it is fetched without changing anything downstream. Fixed-output derivations hash to
``fixed:out:<method+algo>:<hex>:<outPath>`` instead.

Everything is computed, nothing is written. Derivations this process creates are kept in a
registry (:data:`DERIVATIONS`) so that later derivations depending on them can be hashed; unknown
``.drv`` paths are read from the store directory on disk when they exist there.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Iterable, Mapping

from .value_class import SlotValue
from .errors import StoreError
from .hashing import Hash, hash_string, parse_hash_allow_empty
from .storepath import (
    DRV_EXTENSION,
    make_fixed_output_path,
    make_output_path,
    make_text_path,
    output_path_name,
)


class DerivationError(StoreError):
    """A derivation that cannot be built or hashed; the message reads like Nix's."""


class DerivationOutput(SlotValue):
    """One output as the ATerm lists it: ``path`` is empty while masked/deferred; ``hash_algo`` is
    ``[r:]algo`` and ``hash`` the hex digest for a fixed-output derivation, else both empty."""

    __slots__ = ("path", "hash_algo", "hash")

    path: str
    hash_algo: str
    hash: str

    def __init__(self, path: str = "", hash_algo: str = "", hash: str = "") -> None:
        self.path = path
        self.hash_algo = hash_algo
        self.hash = hash

    @property
    def is_fixed(self) -> bool:
        return bool(self.hash)


class Derivation(SlotValue):
    """A store derivation (``Derive(...)``). Containers are plain; serialisation sorts them.
    Compared by its fields; mutable, so not hashable."""

    __slots__ = ("name", "outputs", "input_drvs", "input_srcs", "platform", "builder", "args", "env")

    def __init__(self, name: str, outputs: dict[str, DerivationOutput] | None = None,
                 input_drvs: dict[str, frozenset[str]] | None = None, input_srcs: set[str] | None = None,
                 platform: str = "", builder: str = "", args: list[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        self.outputs: dict[str, DerivationOutput] = {} if outputs is None else outputs
        self.input_drvs: dict[str, frozenset[str]] = {} if input_drvs is None else input_drvs
        self.input_srcs: set[str] = set() if input_srcs is None else input_srcs
        self.platform = platform
        self.builder = builder
        self.args: list[str] = [] if args is None else args
        self.env: dict[str, str] = {} if env is None else env

    __hash__ = None  # type: ignore[assignment]

    @property
    def is_fixed_output(self) -> bool:
        return len(self.outputs) == 1 and "out" in self.outputs and self.outputs["out"].is_fixed

    def references(self) -> frozenset[str]:
        """What the ``.drv`` file refers to: input sources and input derivations."""
        return frozenset(self.input_srcs) | frozenset(self.input_drvs)

    def unparse(self, mask_outputs: bool = False, actual_inputs: Mapping[str, Iterable[str]] | None = None) -> str:
        """The ATerm text, byte-for-byte as Nix writes it (``Derivation::unparse``).

        ``mask_outputs`` blanks output paths (in ``outputs`` and in ``env``); ``actual_inputs``
        replaces ``input_drvs`` (hashDerivationModulo passes input hashes there).
        """
        q = escape_string
        parts = ["Derive(["]
        parts.append(",".join(
            f"({q(name)},{q('' if mask_outputs else o.path)},{q(o.hash_algo)},{q(o.hash)})"
            for name, o in sorted(self.outputs.items())))
        parts.append("],[")
        inputs = self.input_drvs if actual_inputs is None else actual_inputs
        parts.append(",".join(
            f"({q(path)},[{','.join(q(o) for o in sorted(outs))}])" for path, outs in sorted(inputs.items())))
        parts.append("],[")
        parts.append(",".join(f'"{p}"' for p in sorted(self.input_srcs)))
        parts.append("],")
        parts.append(q(self.platform))
        parts.append(",")
        parts.append(q(self.builder))
        parts.append(",[")
        parts.append(",".join(q(a) for a in self.args))
        parts.append("],[")
        outputs = self.outputs
        parts.append(",".join(
            f"({q(k)},{q('' if mask_outputs and k in outputs else v)})" for k, v in sorted(self.env.items())))
        parts.append("])")
        return "".join(parts)

    def drv_path(self) -> str:
        """The store path of this derivation's ``.drv`` file (a text path)."""
        return make_text_path(self.name + DRV_EXTENSION, hash_string("sha256", self.unparse()), self.references())

    def output_paths(self) -> dict[str, str]:
        return {name: o.path for name, o in self.outputs.items()}


def escape_string(s: str) -> str:
    """An ATerm string literal: quotes, backslash, newline, CR and tab escaped, all else raw.

    Most strings (store paths, names, flags) have nothing to escape: five scans for the special
    characters cost a tenth of ``str.translate``, which maps character by character (2 us for
    a store path; 36,000 strings are written behind coreutils.drvPath). Escaping by chained
    ``replace`` (the backslash first) is several times faster than ``translate`` too."""
    if '"' in s or "\\" in s or "\n" in s or "\r" in s or "\t" in s:
        s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return '"' + s + '"'


# --- the registry of known derivations and their modulo hashes -----------------------------------

#: Derivations created (or read) by this process, by ``.drv`` path.
DERIVATIONS: dict[str, Derivation] = {}
#: Memoised ``hashDerivationModulo(drv, mask_outputs=False)`` per ``.drv`` path: output -> hash.
_MODULO: dict[str, dict[str, Hash]] = {}


def register(drv_path: str, drv: Derivation) -> None:
    """Remember ``drv`` as the derivation stored at ``drv_path``."""
    DERIVATIONS[drv_path] = drv


def read_derivation(drv_path: str) -> Derivation:
    """The derivation at ``drv_path``: from the registry, else parsed from the ``.drv`` on disk."""
    drv = DERIVATIONS.get(drv_path)
    if drv is not None:
        return drv
    try:
        with open(drv_path, "r", encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError:
        raise DerivationError(
            f"derivation '{drv_path}' is unknown: it was not created by this evaluation and is not in the store") from None
    name = os.path.basename(drv_path)[33:]
    if name.endswith(DRV_EXTENSION):
        name = name[: -len(DRV_EXTENSION)]
    drv = parse_aterm(text, name)
    DERIVATIONS[drv_path] = drv
    return drv


def hash_derivation_modulo(drv: Derivation, mask_outputs: bool) -> dict[str, Hash]:
    """Nix's ``hashDerivationModulo``: output name -> the hash that names input-addressed outputs."""
    if drv.is_fixed_output:
        o = drv.outputs["out"]
        return {"out": hash_string("sha256", f"fixed:out:{o.hash_algo}:{o.hash}:{o.path}")}
    inputs: dict[str, set[str]] = {}
    for path, wanted in drv.input_drvs.items():
        hashes = _path_modulo(path)
        for out in wanted:
            if out not in hashes:
                raise DerivationError(f"derivation '{path}' does not have an output named '{out}'")
            inputs.setdefault(hashes[out].base16(), set()).add(out)
    h = hash_string("sha256", drv.unparse(mask_outputs, inputs))
    return {name: h for name in drv.outputs}


def _path_modulo(drv_path: str) -> dict[str, Hash]:
    """Memoised modulo hash of a known ``.drv``; deep chains are hashed bottom-up without recursion."""
    hit = _MODULO.get(drv_path)
    if hit is not None:
        return hit
    stack = [(drv_path, False)]
    while stack:
        p, inputs_done = stack.pop()
        if p in _MODULO:
            continue
        if inputs_done:
            _MODULO[p] = hash_derivation_modulo(read_derivation(p), False)
        else:
            stack.append((p, True))
            stack.extend((i, False) for i in read_derivation(p).input_drvs if i not in _MODULO)
    return _MODULO[drv_path]


# --- building a derivation from its attributes ----------------------------------------------------

def fixed_output(name: str, output_hash: str, hash_algo: str, mode: str) -> DerivationOutput:
    """The ``out`` of a fixed-output derivation from ``outputHash``/``outputHashAlgo``/``outputHashMode``.

    ``hash_algo`` may be empty when ``output_hash`` carries the algorithm (SRI or ``algo:``).
    """
    from .hashing import HASH_SIZES

    algo = hash_algo if hash_algo in HASH_SIZES else None
    h = parse_hash_allow_empty(output_hash, algo)
    recursive = mode == "recursive"
    path = make_fixed_output_path(name, h, recursive=recursive)
    return DerivationOutput(path, ("r:" if recursive else "") + h.algo, h.base16())


def instantiate(drv: Derivation, output_names: Iterable[str], fixed: DerivationOutput | None = None) -> str:
    """Fill in the outputs of ``drv`` (paths and the env variables naming them), register it, and
    return its ``.drv`` path. ``fixed`` makes it a fixed-output derivation (output ``out`` only).

    This is what ``derivationStrict`` does after collecting the attributes.
    """
    if fixed is not None:
        drv.env["out"] = fixed.path
        drv.outputs = {"out": fixed}
    else:
        names = sorted(set(output_names))
        for name in names:
            drv.env[name] = ""
        drv.outputs = {name: DerivationOutput() for name in names}
        hashes = hash_derivation_modulo(drv, True)
        for name in names:
            path = make_output_path(name, hashes[name], drv.name)
            drv.env[name] = path
            drv.outputs[name] = DerivationOutput(path)
    drv_path = drv.drv_path()
    register(drv_path, drv)  # its own modulo hash is computed when a dependent needs it
    return drv_path


def placeholder(output: str) -> str:
    """``builtins.placeholder``: ``/`` + base32 sha256 of ``nix-output:<output>``."""
    return "/" + hash_string("sha256", "nix-output:" + output).base32()


# --- reading ATerm ---------------------------------------------------------------------------------

class _Reader:
    __slots__ = ("s", "i")

    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0

    def expect(self, lit: str) -> None:
        if not self.s.startswith(lit, self.i):
            raise DerivationError(f"expected string '{lit}' at offset {self.i} of derivation")
        self.i += len(lit)

    def peek(self, c: str) -> bool:
        return self.s.startswith(c, self.i)

    def string(self) -> str:
        self.expect('"')
        out = []
        s = self.s
        i = self.i
        while True:
            c = s[i]
            if c == '"':
                break
            if c == "\\":
                i += 1
                c = s[i]
                out.append({"n": "\n", "r": "\r", "t": "\t"}.get(c, c))
            else:
                out.append(c)
            i += 1
        self.i = i + 1
        return "".join(out)

    def strings(self) -> list[str]:
        self.expect("[")
        res = []
        while not self.peek("]"):
            if res:
                self.expect(",")
            res.append(self.string())
        self.expect("]")
        return res

    def tuples(self, item) -> list:
        self.expect("[")
        res = []
        while not self.peek("]"):
            if res:
                self.expect(",")
            self.expect("(")
            res.append(item())
            self.expect(")")
        self.expect("]")
        return res


def parse_aterm(text: str, name: str) -> Derivation:
    """Parse the ATerm text of a ``.drv`` file (the inverse of :meth:`Derivation.unparse`)."""
    r = _Reader(text)
    try:
        r.expect("Derive(")

        def output():
            n = r.string(); r.expect(","); p = r.string(); r.expect(","); a = r.string(); r.expect(",")
            return n, DerivationOutput(p, a, r.string())

        def input_drv():
            p = r.string(); r.expect(",")
            return p, frozenset(r.strings())

        def env_pair():
            k = r.string(); r.expect(",")
            return k, r.string()

        outputs = dict(r.tuples(output)); r.expect(",")
        input_drvs = dict(r.tuples(input_drv)); r.expect(",")
        input_srcs = set(r.strings()); r.expect(",")
        platform = r.string(); r.expect(",")
        builder = r.string(); r.expect(",")
        args = r.strings(); r.expect(",")
        env = dict(r.tuples(env_pair))
        r.expect(")")
    except IndexError:
        raise DerivationError("unexpected end of derivation text") from None
    return Derivation(name, outputs, input_drvs, input_srcs, platform, builder, args, env)


__all__ = ["Derivation", "DerivationOutput", "DerivationError", "DERIVATIONS", "escape_string",
           "fixed_output", "hash_derivation_modulo", "instantiate", "output_path_name", "parse_aterm",
           "placeholder", "read_derivation", "register"]
