"""The one entry point from a Nix file to image specs: file/attr/args/binds/catalogs/placeholders
-> ``(ImageSpec(s), ContentSource)``.

Steps: build the session (catalog = embedded + ``--catalog`` files; ``--bind`` imports resolved),
evaluate the file with ``<nixpkgs>`` pointing at the modelled nixpkgs (a flake's ``outputs`` with
modelled inputs; a top-level function called as ``callPackage`` would), select the image
(``-A``/``#attr``, or the only image the file defines), turn it into an :class:`ImageSpec` and
compute its closure through a :class:`~.resolve.Universe`, which is also the content source.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError, UserError
from ..nix.attrpath import split_attr_path
from ..spec import ImageSpec
from . import primops  # noqa: F401 - registers the primops before any evaluator is built
from .flake import evaluate_flake, flake_file
from .real_nixpkgs import SourceSettings, search_nixpkgs, top_level_root, wrap_top_level
from .resolve import Universe
from .session import Bound, Session, activate
from .spec_extract import Extractor, is_image

log = logging.getLogger("nix2image.nixpkgs")
NIXPKGS_DIR = os.path.join(os.path.dirname(__file__), "nixpkgs")
DEFAULT_SYSTEM = "x86_64-linux"
#: ``<name>`` search path entries that are nixpkgs (channels and common pins).
NIXPKGS_CHANNELS = ("nixpkgs", "nixpkgs-unstable", "nixos-unstable", "unstable", "nixos-stable", "nixpkgs-stable")
#: Attribute names never searched for images (package sets, flake plumbing).
SKIP_NAMES = {"pkgs", "lib", "nixpkgs", "inputs", "self", "outputs", "sourceInfo",
              "callPackage", "override", "overrideDerivation", "overrideAttrs", "passthru", "meta", "devShells",
              "devShell", "formatter", "nixosModules", "nixosConfigurations", "darwinConfigurations",
              "homeConfigurations", "templates", "apps", "defaultApp", "flakeModules", "flakeModule",
              "homeManagerModules", "darwinModules"}
#: attribute names that are systems (``armv5tel-linux``, ``x86_64-freebsd``, ...)
SYSTEM_NAME = re.compile(r"^[a-z0-9_]+-(linux|darwin|freebsd|netbsd|openbsd|windows|cygwin|none|wasi|redox|genode|solaris|uefi)$")
SYSTEMS = {"x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin", "i686-linux", "armv6l-linux",
           "armv7l-linux", "riscv64-linux", "powerpc64le-linux"}


@dataclass(slots=True)
class LoadOptions:
    attr: str | None = None
    args: dict[str, str] = field(default_factory=dict)
    argstrs: dict[str, str] = field(default_factory=dict)
    binds: list[str] = field(default_factory=list)
    catalogs: list[str] = field(default_factory=list)
    placeholders: bool = False
    full_size: bool = False
    search_path: list[str] = field(default_factory=list)
    system: str | None = None
    pull_cache: str | None = None
    store: str | None = None
    binary_caches: Any = None  # translator.binary_cache.settings.CacheSettings (substituters)
    nixpkgs: str | None = None  # --nixpkgs PATH: a real nixpkgs tree for <nixpkgs> and nixpkgs inputs
    override_inputs: dict[str, str] = field(default_factory=dict)  # --override-input NAME PATH
    allow_fetch: bool = False  # --allow-fetch: download pinned sources missing offline


@dataclass(slots=True)
class Evaluation:
    """An evaluated file: its root value (function already called), the evaluator and session."""

    file: str
    root: Any
    ev: Any
    session: Session
    bindings: list
    db: Any
    is_flake: bool
    opts: LoadOptions
    errors: list = field(default_factory=list)


# --- options --------------------------------------------------------------------------------------

def split_file(file: str, attr: str | None) -> tuple[str, str | None]:
    """``flake.nix#attr`` / ``dir#attr`` -> (file, attr); ``-A`` and ``#`` together is an error."""
    if "#" in file and not os.path.exists(file):
        file, _, frag = file.partition("#")
        file = file or "."
        if attr and frag and attr != frag:
            raise UsageError(f"both {file}#{frag} and -A {attr} name an attribute; give one")
        attr = attr or frag or None
    return file, attr


def _catalog(paths: list[str]):
    from .catalog import load_catalog, load_default

    cat = load_default()
    for p in paths:
        cat = cat.merged(load_catalog(p, base=cat))
    return cat


def _db(store: str | None):
    from .nixdb import DEFAULT_DB, NixDb, empty_store_root

    if store is None and not os.path.isfile(DEFAULT_DB):
        return None
    if store is not None and empty_store_root(store) is not None:
        return None  # an empty or missing --store DIR: no local store at all
    try:
        return NixDb.open(store=store)
    except UserError:
        if store is not None:
            raise
        return None


# --- evaluation -----------------------------------------------------------------------------------

def _make_evaluator(opts: LoadOptions, session: Session, main_dir: str):
    from ..nix.evaluator import Evaluator
    from ..nix.values import EvalError

    class UniverseEvaluator(Evaluator):
        """Imports of bound files give the bound package; missing local imports get a stand-in
        under --placeholders."""

        def _prim_import(self, args: list, pos: Any) -> Any:
            from .fetches import import_override

            path = self._import_path(args[0], pos)
            fetched = import_override(path)
            if fetched is not None:
                return fetched
            bound = _bound_import(session, path, main_dir)
            if bound is not None:
                bound.used = True
                return _bound_value(bound, callable_=True)
            target = os.path.join(path, "default.nix") if os.path.isdir(path) else path
            if not os.path.exists(target) and session.placeholders and not path.startswith(("/nix/store/", "/__corepkgs__/")):
                session.warn(f"warning: --placeholders: the missing import {path} is replaced by a stand-in package")
                return _missing_import_value(self, path)
            try:
                value = super()._prim_import(args, pos)
                root = top_level_root(path)
                return wrap_top_level(self, value, root) if root is not None else value
            except EvalError as err:
                if err.message.startswith("getting status of") and not os.path.exists(path):
                    rel = os.path.relpath(path, main_dir)
                    name = f"./{rel}" if not rel.startswith("..") else path
                    err.message += (f"\n\n       hint: provide it with --bind {name}=PATH (a build output), or use "
                                    "--placeholders to stand in for missing imports")
                raise

        def _build_globals(self) -> None:
            super()._build_globals()
            from .fetches import install

            install(self, session, main_dir)

    # --nixpkgs, -I and NIX_PATH first (a real nixpkgs the user names); then the channels people
    # name in <...> all stand for the modelled nixpkgs
    first, origin, real = search_nixpkgs(opts.nixpkgs, list(opts.search_path), os.environ.get("NIX_PATH", ""))
    log.debug("nixpkgs: <nixpkgs> is %s", origin)
    search = first + [f"{name}={NIXPKGS_DIR}" for name in NIXPKGS_CHANNELS]
    ev = UniverseEvaluator(search, system=session.system, nix_path_env=False)
    ev.real_nixpkgs = real
    return ev


def _is_attr_path_bind(name: str) -> bool:
    """``self.packages.x86_64-linux.default`` / ``packages.x86_64-linux.app`` name flake outputs;
    ``./app.nix`` is an import and ``myapp-1.0`` a package name (a version after a dash)."""
    if name.startswith(("./", "../", "/")) or "." not in name:
        return False
    if name.startswith("self."):
        return True
    return re.search(r"-\d", name) is None


def _bound_import(session: Session, path: str, main_dir: str) -> Bound | None:
    for name, b in session.binds.items():
        if name.startswith(("./", "../", "/")):
            target = os.path.normpath(os.path.join(main_dir, name))
            if target == path or (os.path.join(target, "default.nix") == path) or target == os.path.dirname(path) and path.endswith("/default.nix"):
                return b
    return None


_DRV_NAME = re.compile(r"^(.*?)-(\d.*)$")


def _bound_value(b: Bound, callable_: bool = False) -> Any:
    from ..nix.values import NixAttrs, NixList, NixString, PrimOp

    name = b.store_path.split("-", 1)[1] if "-" in os.path.basename(b.store_path) else b.name
    m = _DRV_NAME.match(name)
    pname, version = (m.group(1), m.group(2)) if m else (name, "")
    d: dict[str, Any] = {
        "type": NixString("derivation"),
        "name": NixString(name),
        "pname": NixString(pname),
        "outPath": NixString(b.store_path, frozenset((b.store_path,))),
        "outputs": NixList([NixString("out")]),
        "outputName": NixString("out"),
        "meta": NixAttrs({"mainProgram": NixString(_main_program(b, pname))}),
        "__nix2image": NixAttrs({"kind": NixString("bound"), "bind": NixString(b.name)}),
    }
    if version:  # like mkDerivation given only a name: no `version` when the name has none
        d["version"] = NixString(version)
    v = NixAttrs(d)
    d["out"] = v
    if callable_:
        d["__functor"] = PrimOp("boundFunctor", 2, lambda args, pos: v)
        d["__functionArgs"] = NixAttrs({})
    return v


def _main_program(b: Bound, pname: str) -> str:
    """What ``lib.getExe`` runs for a bound package: its only program in ``bin/`` when it has
    exactly one, else its pname (nixpkgs' fallback)."""
    loc = b.location
    if loc and os.path.isdir(os.path.join(loc, "bin")):
        try:
            entries = sorted(os.listdir(os.path.join(loc, "bin")))
        except OSError:
            entries = []
        if len(entries) == 1:
            return entries[0]
    return pname


def _missing_import_value(ev: Any, path: str) -> Any:
    from ..nix.values import NixAttrs, PrimOp, force

    stem = os.path.basename(path[:-4] if path.endswith(".nix") else path) or "import"
    if stem == "default":
        stem = os.path.basename(os.path.dirname(path)) or "import"
    safe = re.sub(r"[^A-Za-z0-9+._?=-]", "-", stem)
    text = (f'import {NIXPKGS_DIR}/pkgs/opaque-package.nix {{ lib = import {NIXPKGS_DIR}/lib; }} '
            f'{{ builder = "missing import {path}"; name = "{safe}"; }}')
    from .standin import opened

    pkg = force(ev.eval_string(text, "«nix2image:missing-import»", "/"))
    v = opened(dict(pkg.d), f"missing import '{safe}'")
    v.d["__functor"] = PrimOp("missingImport", 2, lambda args, pos: v)
    v.d["__functionArgs"] = NixAttrs({})
    return v


from ..nix.evaluator import _MISSING as _NOT_OPEN  # noqa: E402 - what the open world returns for a closed set


def _call_like_callpackage(ev: Any, fn: Any, opts: LoadOptions, session: Session, file: str) -> Any:
    """Call a top-level function as ``callPackage`` would: formals from the package set, then
    ``--arg``/``--argstr``/``--bind`` values; a formal with no value is an error (or a stand-in)."""
    from ..nix.evaluator import call
    from ..nix.values import Lambda, NixAttrs, NixString, force

    fn = force(fn)
    if type(fn) is NixAttrs and "__functor" in fn.d:
        return fn
    if type(fn) is not Lambda:
        return fn
    explicit = _explicit_args(ev, opts)
    if fn.node.formals is None:
        return fn  # a plain `x: ...` function: nothing to fill
    pkgs = None
    given: dict[str, Any] = {}
    for f in fn.node.formals.entries:
        name = f.name
        if name in explicit:
            given[name] = explicit[name]
            continue
        if name in session.binds:
            session.binds[name].used = True
            given[name] = _bound_value(session.binds[name])
            continue
        if pkgs is None:
            if getattr(ev, "real_nixpkgs", None):  # <nixpkgs> is a real tree: its packages, as Nix would
                pkgs = force(ev.eval_string(f'import <nixpkgs> {{ system = "{session.system}"; }}',
                                            "«nix2image:callPackage»", "/"))
            else:
                pkgs = force(call(ev.eval_file(NIXPKGS_DIR), NixAttrs({"system": NixString(session.system)}), None))
        if name in pkgs.d:
            given[name] = pkgs.d[name]
        elif f.default is None:
            # the open world's stand-in, listed with the other missing packages (one warning
            # under --placeholders, else one error naming them all)
            from .openworld import missing_attribute

            v = missing_attribute(pkgs, name, getattr(f, "pos", None))
            if v is _NOT_OPEN:
                raise UserError(
                    f"argument '{name}' of {file} has no value: it is not a package nix2image knows",
                    pos=getattr(f, "pos", None),
                    hint=f"pass the package with --bind {name}=PATH (e.g. ./result), a value with --arg {name} EXPR, "
                         f"add it with --catalog FILE, or use --placeholders")
            given[name] = v
    if fn.node.formals.ellipsis:
        for k, v in explicit.items():
            given.setdefault(k, v)
    return call(fn, NixAttrs(dict(sorted(given.items()))), None)


def _explicit_args(ev: Any, opts: LoadOptions) -> dict[str, Any]:
    from ..nix.values import Lazy, NixString

    out: dict[str, Any] = {}
    for name, expr in opts.args.items():
        out[name] = Lazy(lambda expr=expr, name=name: ev.eval_string(expr, f"«--arg {name}»", os.getcwd()))
    for name, s in opts.argstrs.items():
        out[name] = NixString(s)
    return out


def evaluate(file: str, opts: LoadOptions) -> Evaluation:
    """Evaluate ``file`` (already split from any ``#attr``) to its root value."""
    from .bind import resolve_binds

    if not os.path.exists(file):
        raise UsageError(f"{file}: no such file or directory")
    ffile = flake_file(file)
    if ffile is None and os.path.isdir(file):
        cand = os.path.join(file, "default.nix")
        if not os.path.isfile(cand):
            raise UsageError(f"{file}: a directory without flake.nix or default.nix")
        file = cand
    path = os.path.abspath(ffile or file)
    catalog = _catalog(opts.catalogs)
    session = Session(catalog=catalog, system=opts.system or DEFAULT_SYSTEM, placeholders=opts.placeholders)
    session.sources = SourceSettings(opts.nixpkgs, tuple(sorted(opts.override_inputs.items())),
                                     opts.allow_fetch, opts.store)
    db = _db(opts.store)
    store_root = _store_root(db, opts.store)
    bindings = resolve_binds(opts.binds, known={**catalog.paths}, db=db, store_root=store_root)
    for b in bindings:
        session.binds[b.name] = Bound(b.name, b.store_path, b.source_path, list(b.closure))
    activate(session)
    ev = _make_evaluator(opts, session, os.path.dirname(path))
    if ffile is not None:
        attr_binds = {}
        for name, b in session.binds.items():
            if _is_attr_path_bind(name):
                key = name[5:] if name.startswith("self.") else name
                attr_binds[key] = _bound_value(b)
                b.used = True
        root = evaluate_flake(ev, path, session, opts.placeholders, attr_binds)
        return Evaluation(path, root, ev, session, bindings, db, True, opts)
    root = ev.eval_file(path)
    root = _call_like_callpackage(ev, root, opts, session, path)
    return Evaluation(path, root, ev, session, bindings, db, False, opts)


# --- selecting images -----------------------------------------------------------------------------

def _attr_tokens(attr: str) -> list[str]:
    out = split_attr_path(attr)
    if attr.count('"') % 2 or any(t == "" for t in out):
        raise UsageError(f"-A {attr}: not a valid attribute path")
    return out


def _step(evl: Evaluation, v: Any, name: str | None) -> Any:
    """One step down an attribute path as ``images`` walks it: a function is called as
    ``callPackage`` would (defaults, the package set, placeholders); an overlay (a function of
    ``final``/``prev`` under ``overlay``/``overlays``) is applied to the modelled nixpkgs and
    gives the attributes it defines."""
    from ..nix.values import Lambda, force

    v = force(v)
    if type(v) is Lambda:
        if v.node.formals is None:
            return _apply_overlay(evl, v) if name == "overlays" else v
        return force(_call_like_callpackage(evl.ev, v, evl.opts, evl.session, evl.file))
    return v


def _role(walked: list[str]) -> str | None:
    """What the value at ``walked`` is to :func:`_step`: ``"overlays"`` for ``overlay`` and
    ``overlays.<name>``, else the last attribute name."""
    if walked and (walked[-1] == "overlay" or (len(walked) >= 2 and walked[-2] == "overlays")):
        return "overlays"
    return walked[-1] if walked else None


def _apply_overlay(evl: Evaluation, overlay: Any) -> Any:
    """The attributes ``overlay`` defines, taken from the modelled nixpkgs with it applied."""
    from ..nix.evaluator import call
    from ..nix.values import NixAttrs, NixList, NixString, force

    pkgs = force(call(evl.ev.eval_file(NIXPKGS_DIR), NixAttrs({"system": NixString(evl.session.system),
                                                                "overlays": NixList([overlay])}), None))
    own = force(call(call(overlay, pkgs, None), pkgs, None))
    if type(own) is not NixAttrs:
        return own
    return NixAttrs({k: pkgs.d[k] for k in own.d if k in pkgs.d})


def select(evl: Evaluation, attr: str) -> Any:
    """The value at attribute path ``attr`` (flakes: also ``packages.<system>.attr``), walked as
    :func:`find_images` walks (functions called, overlays applied)."""
    from ..nix.values import NixAttrs, force

    candidates = [attr]
    if evl.is_flake:
        sysname = evl.session.system
        candidates += [f"packages.{sysname}.{attr}", f"legacyPackages.{sysname}.{attr}"]
    for cand in candidates:
        v = evl.root
        ok = True
        walked: list[str] = []
        for tok in _attr_tokens(cand):
            v = _step(evl, v, _role(walked))
            if type(v) is not NixAttrs or tok not in v.d:
                ok = False
                break
            v = v.d[tok]
            walked.append(tok)
        if ok:
            return force(_step(evl, v, _role(walked)))
    attrs = find_image_attrs(evl)
    if attrs == [""]:
        raise UsageError(f"attribute '{attr}' not found in {evl.file}: the file itself is the image (omit -A)")
    available = ", ".join(attrs) or "none"
    raise UsageError(f"attribute '{attr}' not found in {evl.file} (images: {available})")


def _package_set_names(evl: Evaluation) -> frozenset[str]:
    """The names of the modelled nixpkgs (a set that has them all is a package set: only the
    names it adds are searched)."""
    from ..nix.evaluator import call
    from ..nix.values import NixAttrs, NixString, force

    pkgs = force(call(evl.ev.eval_file(NIXPKGS_DIR), NixAttrs({"system": NixString(evl.session.system)}), None))
    return frozenset(pkgs.d)


def _rank(path: str) -> int:
    """Listing order: packages first, then legacyPackages, then the rest (checks, hydraJobs, ...)."""
    for i, head in enumerate(("packages.", "defaultPackage.", "legacyPackages.")):
        if path.startswith(head):
            return i
    return 3


def find_images(evl: Evaluation, max_depth: int = 5) -> list[tuple[str, Any]]:
    """Every image the file defines, by attribute path (the root itself is ``""``): in nested
    sets, flake outputs (``packages``, ``legacyPackages``, ``checks``, ``hydraJobs``, ...),
    results of functions whose arguments have defaults or can be filled as ``callPackage``
    fills them, and attributes overlays add."""
    from ..nix.values import EvalError, NixAttrs, force

    root = force(evl.root)
    if is_image(root):
        return [("", root)]
    found: list[tuple[str, Any]] = []
    sysname = evl.session.system
    base_names: list[frozenset[str]] = []

    def names_of(v: Any) -> list[str]:
        names = sorted(v.d)
        if "callPackage" in v.d and "lib" in v.d and "stdenv" in v.d:  # a package set
            if not base_names:
                base_names.append(_package_set_names(evl))
            names = [n for n in names if n not in base_names[0]]
        return names

    def walk(v: Any, prefix: str, depth: int, seen: set[int]) -> None:
        if type(v) is not NixAttrs or depth > max_depth or id(v) in seen:
            return
        seen = seen | {id(v)}
        if v.d.get("type") is not None:
            try:
                t = force(v.d["type"])
                if getattr(t, "s", None) == "derivation":
                    return
            except EvalError:
                return
        for name in names_of(v):
            if name in SKIP_NAMES or name.startswith("_"):
                continue
            if name != sysname and (name in SYSTEMS or SYSTEM_NAME.match(name)):
                continue  # another system's copy
            path = f"{prefix}.{name}" if prefix else name
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_'-]*$", name):
                path = f'{prefix}."{name}"' if prefix else f'"{name}"'
            try:
                child = _step(evl, v.d[name], _role(path.replace('"', "").split(".")))
            except (EvalError, UserError) as err:
                evl.errors.append((path, err))
                continue
            if is_image(child):
                found.append((path, child))
            elif type(child) is NixAttrs:
                walk(child, path, depth + 1, seen)

    walk(root, "", 0, set())
    order = {id(item): i for i, item in enumerate(found)}
    return sorted(found, key=lambda item: (_rank(item[0]), order[id(item)]))


def find_image_attrs(evl: Evaluation) -> list[str]:
    return [a for a, _ in find_images(evl)]


# --- entry points ---------------------------------------------------------------------------------

def _run(fn):
    from ..nix.evaluator import run_deep, to_user_error
    from ..nix.values import EvalError

    from .openworld import MissingPackagesError, missing_error
    from .session import active

    try:
        return run_deep(fn)
    except EvalError as err:
        sess = active()
        if sess.missing and not sess.placeholders:
            # the missing packages come first: the later failure is most likely their consequence
            raise missing_error(sess, after=err.message.splitlines()[0]) from None
        raise _with_hint(to_user_error(err, show_trace=_debugging())) from None
    except MissingPackagesError:
        raise
    except UserError as err:
        sess = active()
        if sess.missing and not sess.placeholders:
            raise missing_error(sess, after=str(err).splitlines()[0].removeprefix("error: ")) from None
        raise


def _check_missing(session: Session, final: bool = True) -> None:
    """Without --placeholders, packages the catalog lacks are one error listing them all; with
    it, one warning (the stand-ins are labelled in the image too)."""
    from .openworld import missing_error, missing_warning

    if not session.missing:
        return
    if not session.placeholders:
        raise missing_error(session)
    text = missing_warning(session) if final else None
    if text:
        session.warn(text)


def _debugging() -> bool:
    """The evaluation trace (Nix's --show-trace) is shown with ``nix2image --debug``."""
    import click

    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, dict) and ctx.obj.get("debug"):
            return True
        ctx = ctx.parent
    return False


def _with_hint(err: UserError) -> UserError:
    """Add what to do about a missing package, and point at --debug for the trace."""
    text = str(err)
    hint = None
    m = re.search(r"attribute '([^']+)' missing", text)
    if m and re.search(r"\b(dockerTools|lib|builtins|stdenv|hostPlatform)(\.[\w'-]+)*\." + re.escape(m.group(1)) + r"\b", text):
        m = None  # a misspelt function, not a package
    if m and "hint:" not in text:
        hint = (f"if '{m.group(1)}' is a nixpkgs package, nix2image's catalog does not have it: add it with "
                f"--catalog FILE (see `nix2image catalog`) or provide it with --bind {m.group(1)}=PATH")
    return _EvalUserError(err, hint)


class _EvalUserError(UserError):
    """An evaluation error as Nix prints it, with nix2image's hint and trace advice."""

    def __init__(self, inner: UserError, hint: str | None) -> None:
        super().__init__(inner.message, None, hint)
        self.inner = inner

    def __str__(self) -> str:
        text = str(self.inner).replace("(use '--show-trace' to show detailed location information)",
                                       "(use 'nix2image --debug ...' to show the evaluation trace)")
        return text + (f"\n\n       hint: {self.hint}" if self.hint else "")


def _store_root(db, store: str | None) -> str:
    """Where store contents are read: the database's store, else an empty ``--store DIR``."""
    from .nixdb import empty_store_root

    if db is not None:
        return getattr(db.location, "root", "") or ""
    return (empty_store_root(store) or "") if store else ""


def _universe(evl: Evaluation) -> Universe:
    uni = Universe(evl.session, bindings=evl.bindings, db=evl.db, store_root=_store_root(evl.db, evl.opts.store),
                   placeholders=evl.opts.placeholders, full_size=evl.opts.full_size)
    caches = evl.opts.binary_caches
    if caches is not None and caches.active:  # the HTTP layer is loaded only when there are caches
        from ..binary_cache.hook import attach

        attach(uni, caches)  # substituters: narinfo metadata and NAR contents
    return uni


def _complete(spec: ImageSpec, uni: Universe, seen: set[int] | None = None) -> None:
    """Closures (and placeholder labels) for a spec and the specs it builds on."""
    seen = seen if seen is not None else set()
    if id(spec) in seen:
        return
    seen.add(id(spec))
    if spec.from_image is not None and spec.from_image.spec is not None:
        _complete(spec.from_image.spec, uni, seen)
    for sub in spec.images:
        _complete(sub, uni, seen)
    if spec.builder == "pullImage":
        return
    spec.closure = uni.closure(spec.roots)
    if uni.placeholders:
        synthetic = [i.path for i in spec.closure if uni.is_synthetic(i.path)]
        if synthetic:
            spec.extra["placeholders"] = synthetic
            cfg = dict(spec.config or {})
            labels = dict(cfg.get("Labels") or {})
            labels["org.nix2image.placeholders"] = str(len(synthetic))
            cfg["Labels"] = labels
            spec.config = cfg
            spec.warnings.append(f"warning: image '{spec.name}': {len(synthetic)} store path(s) have synthetic "
                                 "placeholder content (labelled org.nix2image.placeholders)")


def _pull(spec: ImageSpec, opts: LoadOptions) -> None:
    """``--pull-cache DIR``: where pullImage bases are resolved (for this spec and those below)."""
    if not opts.pull_cache:
        return
    spec.extra["pull_cache"] = os.path.abspath(opts.pull_cache)
    fi = spec.from_image
    if fi is not None:
        if fi.kind == "pull":
            fi.path = os.path.abspath(opts.pull_cache)
        elif fi.spec is not None:
            _pull(fi.spec, opts)
    for sub in spec.images:
        _pull(sub, opts)


def _specs(file: str, opts: LoadOptions, want_all: bool) -> tuple[list[ImageSpec], Universe, Evaluation]:
    file, attr = split_file(file, opts.attr)

    def work():
        evl = evaluate(file, opts)
        if attr:
            chosen = [(attr, select(evl, attr))]
            if not is_image(chosen[0][1]):
                raise UsageError(f"attribute '{attr}' of {evl.file} is not a dockerTools image",
                                 hint=f"images in this file: {', '.join(find_image_attrs(evl)) or 'none'}")
        else:
            chosen = find_images(evl)
            if not chosen:
                if evl.errors:
                    path, err = evl.errors[0]
                    raise err
                raise UserError(f"{evl.file} defines no dockerTools image",
                                hint="an image is the result of dockerTools.buildImage, buildLayeredImage, "
                                     "streamLayeredImage, ...; select one with -A ATTR")
            if len(chosen) > 1 and not want_all:
                names = "\n".join(f"         {a}" for a, _ in chosen)
                raise UsageError(f"{evl.file} defines {len(chosen)} images; choose one with -A ATTR (or FILE#ATTR):\n{names}")
        ex = Extractor(None, origin=evl.file)
        _check_missing(evl.session, final=False)
        specs = []
        for a, v in chosen:
            spec = ex.spec(v, a or None, with_closure=False)
            specs.append(spec)
        _check_missing(evl.session)  # spec extraction may have met more
        uni = _universe(evl)
        for spec in specs:
            _complete(spec, uni)
            _pull(spec, opts)
            for w in evl.session.warnings:
                if w not in spec.warnings:
                    spec.warnings.append(w)
        unused = [n for n, b in evl.session.binds.items() if not b.used]
        for n in unused:
            for spec in specs:
                spec.warnings.append(f"warning: --bind {n}=...: nothing in {evl.file} used it "
                                     "(bind a function argument, an attribute path, a package name or a local import)")
        return specs, uni, evl

    return _run(work)


def load_spec(file: str, opts: LoadOptions) -> tuple[ImageSpec, Universe]:
    """The selected (or only) image of ``file`` and the content source for its store paths."""
    specs, uni, _ = _specs(file, opts, want_all=False)
    return specs[0], uni


def load_all(file: str, opts: LoadOptions) -> tuple[list[ImageSpec], Universe]:
    """Every image of ``file`` (or the one selected with ``-A``)."""
    specs, uni, _ = _specs(file, opts, want_all=True)
    return specs, uni


def list_images(file: str, opts: LoadOptions) -> list[tuple[str, str, str | None]]:
    """``(attribute, builder, image name:tag)`` for every image ``file`` defines, without closures."""
    import dataclasses

    file, attr = split_file(file, opts.attr)
    # listing needs no content: unbound arguments, missing imports and unknown inputs get
    # stand-ins so that any file can be listed
    opts = dataclasses.replace(opts, placeholders=True)

    def work():
        evl = evaluate(file, opts)
        found = find_images(evl) if not attr else [(attr, select(evl, attr))]
        from ..nix.values import force

        out = []
        for a, v in found:
            meta = force(force(v).d["__nix2image"])
            builder = force(meta.d["builder"]).s
            name = force(force(v).d.get("imageName")).s if "imageName" in force(v).d else "?"
            out.append((a, builder, name))
        if not found and evl.errors:
            raise evl.errors[0][1]
        return out

    return _run(work)
