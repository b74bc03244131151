"""How a :class:`~translator.universe.resolve.Universe` gets binary caches as one more source.

:func:`attach` wraps the universe's two local sources and changes nothing else:

* metadata: the Nix database (if any) first, then the caches' narinfos;
* contents: the local store directory first, then the caches' NARs.

Contents are fetched together: the first time a path's content is needed from a cache, every
path whose metadata the universe computed and that no other source provides (bound, realised,
imported files, the local store) is looked up and downloaded in parallel, so that all missing
paths are reported at once, before anything is written. Under ``--placeholders`` paths in no
cache get synthetic content instead.
"""

from __future__ import annotations

from typing import Any

from ..universe.catalog import UnknownPathError
from .settings import CacheSettings
from .source import BinaryCacheSource, MissingSubstituteError, SubstituteError, format_problems

#: Recipe kinds whose content the universe does not build itself.
NOT_BUILT = ("image", "pull", "opaque", "bound")


class CachedMetadata:
    """``path_info`` from a local Nix database, then from the caches."""

    def __init__(self, db: Any, source: BinaryCacheSource) -> None:
        self.db = db
        self.source = source

    def path_info(self, path: str):
        if self.db is not None:
            try:
                return self.db.path_info(path)
            except UnknownPathError:
                pass
        return self.source.path_info(path)

    def __getattr__(self, name: str) -> Any:
        if self.db is None:
            raise AttributeError(name)
        return getattr(self.db, name)


class CachedContents:
    """The local store's contents, then the caches' (fetched all at once on first need)."""

    def __init__(self, local: Any, source: BinaryCacheSource, universe: Any) -> None:
        self.local = local
        self.source = source
        self.universe = universe
        self._prefetched = False
        self._looked_up = False

    def _wanted(self) -> list[str]:
        """Paths whose content only a cache can give: known to the universe, provided by nothing else."""
        from ..store import add as store_add

        uni = self.universe
        out = []
        for p in list(uni.infos):
            if p in uni.bound_content or p in store_add.KNOWN_SOURCES or p in store_add.KNOWN_TEXTS:
                continue
            r = uni.session.recipes.get(p)
            if r is not None and r.kind not in NOT_BUILT:
                continue
            if p in uni.placeholder_used or self.local.has(p):
                continue
            out.append(p)
        return sorted(out)

    def _missing(self, paths: list[str]) -> dict[str, str]:
        problems = self.source.walk(paths)
        return {p: w for p, w in problems.items() if p in paths}

    def has(self, path: str) -> bool:
        if self.local.has(path) or path in self.source.locations:
            return True
        if not self._looked_up:  # one parallel round of narinfo lookups rather than one per call
            self._looked_up = True
            self.source.walk(sorted(set(self._wanted()) | {path}))
        if self.source.knows(path):
            return True
        if self.universe.placeholders:
            return False
        wanted = self._wanted()
        problems = self._missing(sorted(set(wanted) | {path}))
        raise MissingSubstituteError(format_problems(problems, "cannot be substituted"),
                                     hint=self.source.hint(content=True))

    def location(self, path: str) -> str:
        if self.local.has(path):
            return self.local.location(path)
        if not self._prefetched:
            self._prefetched = True
            wanted = sorted(set(self._wanted()) | {path})
            problems = self._missing(wanted)
            if problems and not self.universe.placeholders:
                raise MissingSubstituteError(format_problems(problems, "cannot be substituted"),
                                     hint=self.source.hint(content=True))
            self.source.fetch([p for p in wanted if p not in problems])
        return self.source.location(path)


def _metadata_from_store(universe: Any, db: Any, path: str) -> bool:
    """True when the universe would ask the store (database or caches) for ``path``'s metadata."""
    from ..store import add as store_add

    if path in universe.infos or path in universe.bound_infos or path in universe.session.recipes:
        return False
    if path in universe.session.catalog.paths or path in universe.session.extra_paths:
        return False
    if path in store_add.KNOWN_SOURCES or path in store_add.KNOWN_TEXTS:
        return False
    return db is None or not db.is_valid(path)


def _closure_looking_ahead(universe: Any, db: Any, source: BinaryCacheSource):
    """``universe.closure`` that first looks up every root the caches must describe, together,
    so that all the paths no cache has are reported at once."""
    closure = universe.closure

    def run(roots):
        wanted = sorted(r for r in set(roots) if _metadata_from_store(universe, db, r))
        if wanted:
            problems = source.walk(wanted)
            if problems:
                raise SubstituteError(format_problems(problems, "cannot be substituted"), hint=source.hint())
        return closure(roots)

    return run


def attach(universe: Any, settings: CacheSettings | None) -> None:
    """Give ``universe`` the binary caches of ``settings`` (nothing happens without any)."""
    if settings is None or not settings.active:
        return
    source = BinaryCacheSource(settings)
    db = universe.db
    universe.db = CachedMetadata(db, source)
    universe.store = CachedContents(universe.store, source, universe)
    universe.closure = _closure_looking_ahead(universe, db, source)
    universe.binary_caches = source
