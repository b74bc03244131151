"""Store builtins: derivationStrict and derivation, toFile, placeholder, storeDir, storePath,
path and filterSource.

They compute the store paths Nix 2.8 computes in read-only evaluation (``nix-instantiate --eval``):
nothing is written to a store. ``derivationStrict`` follows Nix's attribute processing exactly
(order, coercion, special attributes, error messages); ``derivation`` is the Nix-level wrapper that
turns its result into a derivation value with one attribute set per output.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Any

from ...store import add as store_add
from ...store import derivation as D
from ...store.hashing import BadHash, HASH_SIZES, parse_hash_allow_empty
from ...store.nar import NarError
from ...store.storepath import (
    BadStorePath,
    DRV_EXTENSION,
    is_in_store,
    is_store_path,
    store_dir,
    to_store_path,
)
from .. import operations as ops
from ..values import EvalError, Lambda, NixAttrs, NixString, PrimOp, force, hooks, show_type
from . import builtin, constant, nix_builtin


def _pos_of(attrs: NixAttrs, name: str, default: Any) -> Any:
    if attrs.pos:
        p = attrs.pos.get(name)
        if p is not None:
            return p
    return default


def _store_error(err: Exception, pos: Any) -> EvalError:
    """A store-layer error (bad name, bad hash, unknown derivation) as an evaluation error."""
    return EvalError(str(err), pos)


# --- derivationStrict -----------------------------------------------------------------------------

def _decode_output_context(c: str) -> tuple[str, str]:
    """``!out!/nix/store/x.drv`` -> (drv path, output name)."""
    out, _, path = c[1:].partition("!")
    return path, out


def _references_of(path: str) -> frozenset[str]:
    if path.endswith(DRV_EXTENSION):
        try:
            return D.read_derivation(path).references()
        except D.DerivationError:
            return frozenset()
    return store_add.KNOWN_REFERENCES.get(path, frozenset())


def _closure(path: str) -> set[str]:
    """The store paths ``path`` refers to, transitively, itself included (computeFSClosure)."""
    seen = {path}
    todo = [path]
    while todo:
        for ref in _references_of(todo.pop()):
            if ref not in seen:
                seen.add(ref)
                todo.append(ref)
    return seen


def _add_context(drv: D.Derivation, context: set[str], pos: Any) -> None:
    """Turn the string context of the attributes into the derivation's inputs, as Nix does."""
    for c in sorted(context):
        if c.startswith("="):
            for p in _closure(c[1:]):
                drv.input_srcs.add(p)
                if p.endswith(DRV_EXTENSION):
                    try:
                        outs = frozenset(D.read_derivation(p).outputs)
                    except D.DerivationError as err:
                        raise _store_error(err, pos) from None
                    drv.input_drvs[p] = outs
        elif c.startswith("!"):
            path, out = _decode_output_context(c)
            drv.input_drvs[path] = drv.input_drvs.get(path, frozenset()) | {out}
        else:
            drv.input_srcs.add(c)


def _tokenize(s: str) -> list[str]:
    """Nix's ``tokenizeString`` with the default separators (space, tab, newline, CR)."""
    out, cur = [], []
    for c in s:
        if c in " \t\n\r":
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(c)
    if cur:
        out.append("".join(cur))
    return out


def _check_outputs(names: list[str], pos: Any) -> list[str]:
    seen: list[str] = []
    for n in names:
        if n in seen:
            raise EvalError(f"duplicate derivation output '{n}'", pos)
        if n == "drv":
            raise EvalError("invalid derivation output name 'drv'", pos)
        seen.append(n)
    if not seen:
        raise EvalError("derivation cannot have an empty set of outputs", pos)
    return seen


def _json_of(v: Any, pos: Any, context: set[str]) -> str:
    """``printValueAsJSON`` (strict, copying paths to the store) for ``__structuredAttrs``."""
    from ..printer import to_json

    text, ctx = to_json(v, pos, copy_to_store=True)
    context |= ctx
    return text


@builtin("derivationStrict", 1, glob=True)
def prim_derivation_strict(args, pos):
    attrs = ops.force_attrs(args[0], pos)
    d = attrs.d
    if "name" not in d:
        # Nix points at the attribute set; values carry only attribute positions, so point at the
        # set's first attribute (in the user's file) when there is one.
        where = pos
        if attrs.pos:
            known = [p for p in attrs.pos.values() if p is not None and hasattr(p, "line")]
            if known:
                where = min(known, key=lambda p: (str(p.file), p.line, p.col))
        raise EvalError("attribute 'name' missing for call to 'derivationStrict'", where)
    pos_name = _pos_of(attrs, "name", pos)
    try:
        drv_name = ops.force_string_no_context(d["name"], pos)
    except EvalError as err:
        raise err.add_trace("while evaluating the derivation attribute 'name'", pos_name)

    structured = "__structuredAttrs" in d and ops.force_bool(d["__structuredAttrs"], pos)
    ignore_nulls = "__ignoreNulls" in d and ops.force_bool(d["__ignoreNulls"], pos)

    drv = D.Derivation(drv_name)
    context: set[str] = set()
    json_parts: list[str] = []
    output_hash: str | None = None
    output_hash_algo = ""
    hash_mode: str | None = None
    outputs = ["out"]

    def hash_mode_of(s: str) -> str:
        if s not in ("recursive", "flat"):
            raise EvalError(f"invalid value '{s}' for 'outputHashMode' attribute", pos_name)
        return s

    for key in sorted(d):
        if key == "__ignoreNulls":
            continue
        value = d[key]
        try:
            if ignore_nulls and force(value) is None:
                continue
            if key in ("__contentAddressed", "__impure"):
                if ops.force_bool(value, pos):
                    feature = "ca-derivations" if key == "__contentAddressed" else "impure-derivations"
                    raise EvalError(f"experimental Nix feature '{feature}' is disabled; "
                                    f"use '--extra-experimental-features {feature}' to override", pos)
            elif key == "args":
                for item in ops.force_list(value, pos).items:
                    s = ops.coerce_to_string(item, pos_name, coerce_more=True, copy_to_store=True)
                    context |= s.ctx
                    drv.args.append(s.s)
            elif structured:
                if key == "__structuredAttrs":
                    continue
                json_parts.append(f"{_json_string(key)}:{_json_of(value, pos, context)}")
                if key == "builder":
                    s = ops.force_string(value, pos_name)
                    context |= s.ctx
                    drv.builder = s.s
                elif key == "system":
                    drv.platform = ops.force_string_no_context(value, pos_name)
                elif key == "outputHash":
                    output_hash = ops.force_string_no_context(value, pos_name)
                elif key == "outputHashAlgo":
                    output_hash_algo = ops.force_string_no_context(value, pos_name)
                elif key == "outputHashMode":
                    hash_mode = hash_mode_of(ops.force_string_no_context(value, pos_name))
                elif key == "outputs":
                    items = ops.force_list(value, pos_name).items
                    outputs = _check_outputs([ops.force_string_no_context(i, pos_name) for i in items], pos_name)
            else:
                s = ops.coerce_to_string(value, _pos_of(attrs, key, pos), coerce_more=True, copy_to_store=True)
                context |= s.ctx
                text = s.s
                drv.env.setdefault(key, text)
                if key == "builder":
                    drv.builder = text
                elif key == "system":
                    drv.platform = text
                elif key == "outputHash":
                    output_hash = text
                elif key == "outputHashAlgo":
                    output_hash_algo = text
                elif key == "outputHashMode":
                    hash_mode = hash_mode_of(text)
                elif key == "outputs":
                    outputs = _check_outputs(_tokenize(text), pos_name)
        except EvalError as err:
            raise err.add_trace(f"while evaluating the attribute '{key}' of the derivation '{drv_name}'", pos_name)

    if structured:
        drv.env["__json"] = "{" + ",".join(json_parts) + "}"

    _add_context(drv, context, pos_name)

    if not drv.builder:
        raise EvalError("required attribute 'builder' missing", pos_name)
    if not drv.platform:
        raise EvalError("required attribute 'system' missing", pos_name)
    if drv_name.endswith(DRV_EXTENSION):
        raise EvalError(f"derivation names are not allowed to end in '{DRV_EXTENSION}'", pos_name)

    try:
        fixed = None
        if output_hash is not None:
            if outputs != ["out"]:
                raise EvalError("multiple outputs are not supported in fixed-output derivations", pos_name)
            if output_hash == "" and output_hash_algo in HASH_SIZES:
                h = parse_hash_allow_empty("", output_hash_algo)
                print(f"warning: found empty hash, assuming '{h.sri()}'", file=sys.stderr)
            fixed = D.fixed_output(drv_name, output_hash, output_hash_algo, hash_mode or "flat")
        drv_path = D.instantiate(drv, outputs, fixed)
    except (BadHash, BadStorePath, D.DerivationError) as err:
        raise _store_error(err, None) from None

    res: dict[str, Any] = {"drvPath": NixString(drv_path, frozenset(("=" + drv_path,)))}
    for name, out in sorted(drv.outputs.items()):
        res[name] = NixString(out.path, frozenset((f"!{name}!{drv_path}",)))
    return NixAttrs(res)


def _json_string(s: str) -> str:
    """A JSON string literal as Nix's JSON writer prints it."""
    from ..printer import json_string

    return json_string(s)


# The user-facing ``derivation``: calls derivationStrict lazily and presents every output as a
# derivation value sharing the input attributes (``drvAttrs``), the list of all outputs (``all``),
# and the ``outPath``/``drvPath``/``outputName``/``type`` of that output.
_DERIVATION_NIX = """
drvAttrs @ { outputs ? [ "out" ], ... }:
let
  strict = builtins.derivationStrict drvAttrs;
  perOutput = map (outputName: {
    name = outputName;
    value = shared // {
      outPath = builtins.getAttr outputName strict;
      drvPath = strict.drvPath;
      type = "derivation";
      inherit outputName;
    };
  }) outputs;
  shared = drvAttrs // builtins.listToAttrs perOutput // {
    all = map (o: o.value) perOutput;
    inherit drvAttrs;
  };
in (builtins.head perOutput).value
"""

nix_builtin("derivation", _DERIVATION_NIX, glob=True)


# --- toFile, placeholder, storeDir, storePath -----------------------------------------------------

@builtin("toFile", 2)
def prim_to_file(args, pos):
    name = ops.force_string_no_context(args[0], pos)
    contents = ops.force_string(args[1], pos)
    for c in sorted(contents.ctx):
        if not c.startswith("/"):
            raise EvalError(f"in 'toFile': the file named '{name}' must not contain a reference to a derivation "
                            f"but contains ({c})", pos)
    try:
        path = store_add.text_to_store_path(name, contents.s, contents.ctx)
    except BadStorePath as err:
        raise _store_error(err, None) from None
    return NixString(path, frozenset((path,)))


@builtin("placeholder", 1, glob=True)
def prim_placeholder(args, pos):
    return NixString(D.placeholder(ops.force_string_no_context(args[0], pos)))


constant("storeDir", lambda: NixString(store_dir()))


def _canon_resolving(path: str, pos: Any) -> str:
    """Nix's ``canonPath(path, true)``: ``.``/``..`` removed and symlinks resolved component by
    component; a missing component is Nix's ``getting status of`` error."""
    parts = [p for p in path.split("/") if p and p != "."]
    cur = ""
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            cur = cur.rsplit("/", 1)[0]
            continue
        nxt = f"{cur}/{part}"
        try:
            is_link = os.path.islink(nxt) if os.path.lexists(nxt) else None
        except OSError:
            is_link = None
        if is_link is None:
            raise EvalError(f"getting status of '{nxt}': No such file or directory", pos)
        if is_link:
            hops += 1
            if hops > 1024:
                raise EvalError(f"infinite symlink recursion in path '{path}'", pos)
            target = os.readlink(nxt)
            parts = [p for p in target.split("/") if p and p != "."] + parts
            if target.startswith("/"):
                cur = ""
            continue
        cur = nxt
    return cur or "/"


@builtin("storePath", 1)
def prim_store_path(args, pos):
    from .. import limits

    if limits.SETTINGS.pure_eval:
        raise EvalError("'builtins.storePath' is not allowed in pure evaluation mode", pos)
    path = limits.check_path(ops.coerce_to_path(args[0], pos))
    if not is_store_path(path):
        path = _canon_resolving(path, pos)
    if not is_in_store(path):
        raise EvalError(f"path '{path}' is not in the Nix store", pos)
    sp, _ = to_store_path(path)
    return NixString(path, frozenset((sp,)))


# --- path, filterSource ---------------------------------------------------------------------------

on_disk = store_add.local_source


def _nix_filter(fn: Any, pos: Any, read_from: str, shown_as: str):
    """The Nix filter as a NAR filter. Paths read from ``read_from`` (a local source standing in for
    a store path) are shown to the filter as Nix shows them: below ``shown_as``."""
    cut = len(read_from)

    def filt(path: str, kind: str) -> bool:
        if cut and path.startswith(read_from):
            path = shown_as + path[cut:]
        r = hooks.call(hooks.call(fn, NixString(path), pos), NixString(kind), pos)
        return ops.force_bool(r, pos)

    return filt


def _add_path(pos: Any, name: str, path: str, filter_fn: Any, recursive: bool, expected: Any) -> NixString:
    from .. import limits

    limits.check_path(path)
    source = on_disk(path)
    nix_filter = None
    if filter_fn is not None:
        nix_filter = _nix_filter(filter_fn, pos, source if source != path else "", path)
    try:
        store_path = store_add.path_to_store_path(
            source, name, recursive=recursive, filter=nix_filter, expected_sha256=expected)
    except (BadStorePath, BadHash, store_add.StorePathMismatch) as err:
        raise _store_error(err, None).add_trace(f"while adding path '{path}'", pos) from None
    except NarError as err:  # unsupported file type, file changed while reading
        raise EvalError(str(err), pos).add_trace(f"while adding path '{path}'", pos) from None
    except IsADirectoryError as err:  # flat hashing reads the path as a file
        raise EvalError(f"reading from file: {err.strerror}", pos).add_trace(
            f"while adding path '{path}'", pos) from None
    except OSError as err:
        if isinstance(err, FileNotFoundError):
            for hook in ops.MISSING_PATH_HOOKS:  # the universe layer's stand-ins (--placeholders)
                found = hook(path)
                if found is not None:
                    return NixString(found, frozenset((found,)))
        raise EvalError(f"getting status of '{path}': {err.strerror or err}", pos).add_trace(
            f"while adding path '{path}'", pos) from None
    except EvalError as err:
        raise err.add_trace(f"while adding path '{path}'", pos)
    limits.allow(store_path)
    return NixString(store_path, frozenset((store_path,)))


@builtin("path", 1)
def prim_path(args, pos):
    attrs = ops.force_attrs(args[0], pos)
    path = ""
    name = ""
    filter_fn = None
    recursive = True
    expected = None
    for key, value in attrs.d.items():
        apos = _pos_of(attrs, key, pos)
        if key == "path":
            path = ops.coerce_to_path(value, apos)
        elif key == "name":
            name = ops.force_string_no_context(value, apos)
        elif key == "filter":
            filter_fn = force(value)
        elif key == "recursive":
            recursive = ops.force_bool(value, apos)
        elif key == "sha256":
            try:
                text = ops.force_string_no_context(value, apos)
                expected = parse_hash_allow_empty(text, "sha256")
                if not text:
                    print(f"warning: found empty hash, assuming '{expected.sri()}'", file=sys.stderr)
            except BadHash as err:
                raise _store_error(err, apos) from None
        else:
            raise EvalError(f"unsupported argument '{key}' to 'addPath'", apos)
    if not path:
        raise EvalError("'path' required", pos)
    if not name:
        name = store_add.base_name(path)
    return _add_path(pos, name, path, filter_fn, recursive, expected)


@builtin("filterSource", 2)
def prim_filter_source(args, pos):
    path = ops.coerce_to_path(args[1], pos)
    fn = force(args[0])
    if not isinstance(fn, (Lambda, PrimOp)):
        raise EvalError(f"first argument in call to 'filterSource' is not a function but {show_type(fn)}", pos)
    return _add_path(pos, store_add.base_name(path), path, fn, True, None)
