"""Where every store path an image needs gets its metadata (narSize, references) and content.

:class:`Universe` combines, in this order of preference:

1. ``--bind`` imports and bound store paths (their closure was computed when binding);
2. outputs of modelled builders recorded during evaluation (realised into a content cache;
   references found by scanning, as Nix does);
3. local files the evaluation copied to the store (``"${./file}"``, ``builtins.path``) and texts
   (``builtins.toFile``);
4. the catalog (embedded + ``--catalog``), including derived cross/static package sets;
5. a real Nix store's database (paths built with ``nix-build``);

and, for content, a real store on disk, then synthetic placeholders when ``--placeholders`` is on.
Unbound opaque packages are an error naming the expression unless ``--placeholders``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..errors import UserError
from ..storeinfo import PathInfo
from .contents import MissingContentError, PlaceholderContents, StoreContents
from .realize import MissingInputError, Realizer, RealizeError, default_cache_dir
from .session import Session

#: narSize assumed for an opaque package replaced by a placeholder (a typical small program).
OPAQUE_PLACEHOLDER_SIZE = 4 * 1024 * 1024
NOT_STORE_KINDS = ("image", "pull")


class OpaquePackageError(UserError):
    """An image needs the content or closure of an opaque package nobody provided."""


class Universe:
    def __init__(self, session: Session, *, bindings: Iterable = (), db=None, store_root: str = "",
                 placeholders: bool = False, full_size: bool = False, cache_dir: str | None = None) -> None:
        self.session = session
        self.bindings = list(bindings)
        self.db = db
        self.store = StoreContents(store_root)
        self.placeholders = placeholders
        self.full_size = full_size
        self.bound_infos: dict[str, PathInfo] = {}
        self.bound_content: dict[str, object] = {}
        for b in self.bindings:
            for info in b.closure:
                self.bound_infos.setdefault(info.path, info)
            self.bound_content[b.store_path] = b.content
        self.infos: dict[str, PathInfo] = {}
        self.estimated: set[str] = set()
        self.placeholder_infos: dict[str, PathInfo] = {}
        self.placeholder_used: set[str] = set()
        # outputs built from synthetic inputs must never be mistaken for real ones: separate cache
        realized_dir = (cache_dir or default_cache_dir()) + ("-placeholders" if placeholders else "")
        self.realizer = Realizer(session.recipes, self._locate_or_none, realized_dir,
                                 closure=self.closure, synthetic=self.is_synthetic)
        programs = {}
        for pkg in session.catalog:
            if pkg.main_program:
                # `${pkg}/bin/prog` points into the default output only
                programs.setdefault(pkg.default_output.path, pkg.main_program)
        for r in session.recipes.values():
            if r.kind == "opaque":
                prog = r.data.get("pname") or r.data.get("name")
                if isinstance(prog, str):
                    programs.setdefault(r.out_path, prog)
        self.synthetic = PlaceholderContents(self.placeholder_infos, full_size=full_size, programs=programs)
        self._texts_dir = os.path.join(cache_dir or default_cache_dir(), "..", "texts")

    # -- metadata --------------------------------------------------------------------------

    def path_info(self, path: str) -> PathInfo:
        hit = self.infos.get(path)
        if hit is None:
            hit = self._path_info(path)
            self.infos[path] = hit
        return hit

    def _path_info(self, path: str) -> PathInfo:
        from ..store import add as store_add

        if path in self.bound_infos:
            return self.bound_infos[path]
        recipe = self.session.recipes.get(path)
        if recipe is not None and recipe.kind not in ("bound",):
            if recipe.kind == "opaque":
                return self._opaque_info(recipe)
            if recipe.kind in NOT_STORE_KINDS:
                raise UserError(f"the image '{recipe.name}' is used as a store path (e.g. in contents); "
                                "nix2image cannot put an image tarball into another image",
                                hint="use it as fromImage instead")
            cands = set()
            for ref in recipe.refs:
                if ref != path:
                    cands.update(i.path for i in self.closure([ref]))
            try:
                return self.realizer.path_info(path, cands)
            except MissingInputError:
                return self._estimated(recipe, cands)
            except MissingContentError as err:
                raise RealizeError(f"cannot build '{recipe.name}' ({recipe.kind}): {err.message}",
                                   hint=err.hint) from None
        cat = self.session.catalog
        if path in cat.paths:
            return cat.paths[path]
        if path in self.session.extra_paths:
            return self.session.extra_paths[path]
        src = store_add.KNOWN_SOURCES.get(path)
        if src is not None:
            return PathInfo(path, src[2], (), nar_hash=str(src[1]))
        if path in store_add.KNOWN_TEXTS:
            from ..store.nar import nar_hash

            loc = self._text_location(path)
            h, size = nar_hash(loc)
            return PathInfo(path, size, tuple(sorted(store_add.KNOWN_REFERENCES.get(path, ()))), nar_hash=str(h))
        from .catalog import UnknownPathError

        if self.db is not None:
            try:
                return self.db.path_info(path)
            except UnknownPathError as err:
                if not self.placeholders:
                    raise self._unbuilt(path) or err from None
        elif not self.placeholders and self._unbuilt(path) is not None:
            raise self._unbuilt(path)
        estimated = self._derivation_estimate(path)
        if estimated is not None:
            return estimated
        raise UnknownPathError(f"store path {path} is not known (not in the catalog, not a bound path, no Nix database)",
                               hint="describe it with --catalog FILE, provide it with --bind NAME=PATH, "
                                    "or build it with Nix so that the store's database has it")

    @staticmethod
    def _unbuilt(path: str) -> UserError | None:
        """The error for an output of a derivation evaluated here (a real nixpkgs package) that
        nothing provides, or None when ``path`` is not one."""
        from .catalog import UnknownPathError
        from .drv_estimate import derivation_of

        drv = derivation_of(path)
        if drv is None:
            return None
        return UnknownPathError(
            f"store path {path} (an output of '{drv.name}') is not built: no Nix store, catalog or binary cache has it",
            hint="build it with Nix (nix-build; --store DIR for another store), add binary caches with --substituters, "
                 "describe it with --catalog FILE, or use --placeholders for labelled estimates")

    def _derivation_estimate(self, path: str) -> PathInfo | None:
        """Under ``--placeholders``, an output of a real derivation evaluated here that no store,
        catalog or cache has: narSize and references estimated from its runtime inputs (labelled)."""
        if not self.placeholders:
            return None
        from .drv_estimate import estimate

        info = estimate(path)
        if info is None:
            return None
        self.estimated.add(path)
        self.placeholder_infos[path] = info
        self.session.warn("warning: --placeholders: real packages that no Nix store, catalog or binary cache has "
                          "get synthetic content; their sizes and references are estimates from their "
                          "derivations' runtime inputs")
        return info

    def _estimated(self, recipe, cands: set[str]) -> PathInfo:
        """Metadata of a builder output whose inputs have no content here: it may refer to every
        input, and its size is that of its links and texts (small). Enough for specs and plans;
        building the image needs the content (a store, --bind or --placeholders)."""
        refs = sorted(r for r in recipe.refs if r != recipe.out_path)
        size = 512 + 160 * len(refs)
        self.estimated.add(recipe.out_path)
        self.session.warn(f"warning: '{recipe.name}' ({recipe.kind}) could not be built here because its inputs "
                          "have no content (catalog-only packages); its references and size are estimated "
                          "(use --placeholders or a Nix store for exact values)")
        return PathInfo(recipe.out_path, size, tuple(refs))

    def _opaque_info(self, recipe) -> PathInfo:
        if not self.placeholders:
            d = recipe.data
            what = d.get("builder", "a builder")
            name = d.get("pname") or d.get("name")
            raise OpaquePackageError(
                f"the image needs the content of '{d.get('name')}', built by {what}, which nix2image cannot build",
                pos=recipe.pos if not isinstance(recipe.pos, str) else None,
                hint=f"build it with Nix and pass the result: --bind {name}=./result (or a directory), "
                     "or use --placeholders for labelled synthetic content")
        # the runtime closure's roots the builder names (the toolchain's runtime, `deps`)
        refs = tuple(sorted(r for r in recipe.refs if r != recipe.out_path))
        info = PathInfo(recipe.out_path, OPAQUE_PLACEHOLDER_SIZE, refs)
        self.placeholder_infos[recipe.out_path] = info
        self.placeholder_used.add(recipe.out_path)
        if not recipe.data.get("synthetic"):  # stand-ins for missing packages: one warning, at load
            self.session.warn(f"warning: --placeholders: '{recipe.data.get('name')}' ({recipe.data.get('builder')}) "
                              f"is replaced by synthetic content ({recipe.out_path})")
        return info

    def closure(self, roots: Iterable[str]) -> list[PathInfo]:
        """Every path reachable from ``roots``, sorted by path."""
        seen: dict[str, PathInfo] = {}
        stack = sorted(set(roots), reverse=True)
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            info = self.path_info(p)
            seen[p] = info
            stack.extend(r for r in info.references if r not in seen)
        return [seen[p] for p in sorted(seen)]

    # -- content ---------------------------------------------------------------------------

    def _text_location(self, path: str) -> str:
        from ..store import add as store_add

        d = os.path.abspath(self._texts_dir)
        os.makedirs(d, exist_ok=True)
        loc = os.path.join(d, os.path.basename(path))
        if not os.path.exists(loc):
            tmp = loc + f".tmp{os.getpid()}"
            Path(tmp).write_text(store_add.KNOWN_TEXTS[path], encoding="utf-8")
            os.chmod(tmp, 0o444)
            os.replace(tmp, loc)
        return loc

    def _locate_or_none(self, path: str) -> str | None:
        try:
            return self.location(path)
        except MissingContentError:
            return None

    def location(self, path: str) -> str:
        """Where the content of ``path`` is on disk (ContentSource protocol)."""
        from ..store import add as store_add

        if path in self.bound_content:
            return self.bound_content[path].location(path)
        recipe = self.session.recipes.get(path)
        if recipe is not None and recipe.kind not in NOT_STORE_KINDS + ("opaque", "bound"):
            return self.realizer.location(path)
        src = store_add.KNOWN_SOURCES.get(path)
        if src is not None:
            return src[0]
        if path in store_add.KNOWN_TEXTS:
            return self._text_location(path)
        if self.store.has(path):
            return self.store.location(path)
        if self.placeholders:
            info = self.placeholder_infos.get(path)
            if info is None:
                info = self.path_info(path)
                self.placeholder_infos[path] = info
            if path not in self.placeholder_used:
                self.placeholder_used.add(path)
            return self.synthetic.location(path)
        if recipe is not None and recipe.kind == "opaque":
            self._opaque_info(recipe)  # raises the explanatory error
        raise MissingContentError(
            f"no content for store path {path}: it is described by the catalog only (no Nix store has it)",
            hint="build it with Nix (the store is read), give --store DIR, provide it with --bind NAME=PATH, "
                 "or use --placeholders for labelled synthetic content")

    def has(self, path: str) -> bool:
        try:
            self.location(path)
        except UserError:
            return False
        return True

    def is_synthetic(self, path: str) -> bool:
        """True when ``path``'s content would be a placeholder (no real source has it)."""
        from ..store import add as store_add

        if path in self.bound_content:
            return False
        recipe = self.session.recipes.get(path)
        if recipe is not None and recipe.kind not in ("opaque", "bound"):
            return False
        if path in store_add.KNOWN_SOURCES or path in store_add.KNOWN_TEXTS:
            return False
        if self.store.has(path):
            return False
        return self.placeholders
