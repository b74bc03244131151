"""Store path metadata (closures) from narinfos and contents from NARs, for many paths at once.

:class:`BinaryCacheSource` asks the configured caches in priority order (``Priority`` from
``nix-cache-info``, lower first; ties keep the configured order). A narinfo counts only when a
trusted key signed it (unless ``require-sigs = false``); its ``References`` give the closure,
so a path from a cache needs no catalog entry. Lookups walk a closure breadth-first with several
requests in flight; downloads run in parallel too (decompression and hashing release the GIL,
so both cores work). Failures are collected and reported together, one line per store path,
each naming the path and the cache.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..errors import UserError
from ..http.client import HttpClient
from ..http.retry import RetryPolicy
from ..storeinfo import PathInfo
from ..universe.catalog import UnknownPathError
from ..universe.contents import MissingContentError
from .cache_store import ContentStore
from .compression import check_method
from .nar_fetch import fetch_nar
from .narinfo import NarInfo, parse_narinfo
from .settings import CacheSettings
from .signatures import parse_public_keys, signer_names, verify
from .substituter import CacheError, Substituter

#: Requests and downloads in flight at once.
WORKERS = 6


class SubstituteError(UnknownPathError):
    """Store paths that no cache could supply (missing, refused or unreadable), listed together."""


class MissingSubstituteError(SubstituteError, MissingContentError):
    """Contents that no source has: the paths with no trusted narinfo in any cache."""


@dataclass(frozen=True, slots=True)
class Found:
    info: NarInfo
    cache: Substituter


def format_problems(problems: dict[str, str], what: str) -> str:
    lines = sorted(problems.items())
    if len(lines) == 1:
        path, why = lines[0]
        return f"{path}: {why}"
    return f"{len(lines)} store paths {what}:\n" + "\n".join(f"  {p}: {w}" for p, w in lines)


class BinaryCacheSource:
    """Metadata (:meth:`path_info`) and contents (:meth:`location`) from binary caches."""

    def __init__(self, settings: CacheSettings, *, log: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.log = log or ((lambda msg: None) if settings.quiet else (lambda msg: print(msg, file=sys.stderr)))
        self.keys = parse_public_keys(settings.trusted_public_keys)
        self.retry = RetryPolicy(attempts=settings.attempts)
        self.http = HttpClient(settings.http)
        root = settings.content_dir()
        self.store = ContentStore(root)
        self.caches = [Substituter(u, http=self.http, retry=self.retry, local_dir=root, offline=settings.offline,
                                   log=self.log) for u in settings.substituters]
        self._ordered: list[Substituter] | None = None
        self.found: dict[str, Found] = {}
        self.problems: dict[str, str] = {}  # store path -> why no cache supplied it
        self.locations: dict[str, str] = {}
        self.disabled: dict[str, str] = {}  # cache URL -> why it is not used
        self._lock = threading.Lock()
        self._order_lock = threading.Lock()
        show = settings.progress if settings.progress is not None else sys.stderr.isatty()
        self.progress = _ProgressLine(show)

    # -- caches in order --------------------------------------------------------------------
    def ordered(self) -> list[Substituter]:
        with self._order_lock:
            if self._ordered is None:
                self._ordered = self._order()
            return self._ordered

    def _order(self) -> list[Substituter]:
        """Usable caches by priority; one whose ``nix-cache-info`` cannot be read or names another
        store directory is left out with a warning (as Nix disables a failing substituter)."""
        def prio(c: Substituter) -> int | None:
            try:
                return c.info().priority
            except CacheError as err:
                self._disable(c, err.message)
                return None

        with ThreadPoolExecutor(max_workers=max(1, min(WORKERS, len(self.caches)))) as pool:
            prios = list(pool.map(prio, self.caches))
        order = sorted((i for i in range(len(self.caches)) if prios[i] is not None), key=lambda i: (prios[i], i))
        return [self.caches[i] for i in order]

    def _disable(self, cache: Substituter, why: str) -> None:
        with self._lock:
            if cache.url in self.disabled:
                return
            self.disabled[cache.url] = why
        self.log(f"warning: not using binary cache {cache}: {why.removeprefix('error: ')}")

    def _usable(self) -> list[Substituter]:
        return [c for c in self.ordered() if c.url not in self.disabled]

    def _asked(self) -> str:
        return ", ".join(str(c) for c in self.caches) or "none configured"

    # -- metadata ---------------------------------------------------------------------------
    def lookup(self, path: str) -> Found | None:
        """The first cache (in priority order) with a trusted narinfo for ``path``; the reason
        for failing is kept in :attr:`problems`."""
        with self._lock:
            if path in self.found:
                return self.found[path]
            if path in self.problems:
                return None
        refusals: list[str] = []
        for cache in self._usable():
            try:
                text = cache.narinfo(path)
            except CacheError as err:
                self._disable(cache, err.message)
                continue
            if text is None:
                continue
            try:
                info = parse_narinfo(text, path, str(cache))
                check_method(info.compression)
            except UserError as err:
                refusals.append(err.message.removeprefix(f"{path}: "))
                continue
            if self.settings.require_sigs and verify(info.fingerprint(), info.sigs, self.keys) is None:
                seen = ", ".join(signer_names(info.sigs)) or "none"
                trusted = ", ".join(sorted(self.keys)) or "none"
                refusals.append(f"narinfo from {cache} is not signed by a trusted key "
                                f"(signed by: {seen}; trusted: {trusted})")
                continue
            cache.keep(path, text)
            found = Found(info, cache)
            with self._lock:
                self.found[path] = found
            return found
        skipped = "".join(f"; {url} was not used: {why}" for url, why in sorted(self.disabled.items()))
        why = "; ".join(refusals) if refusals else (
            f"in no binary cache{' kept for --offline' if self.settings.offline else ''} (asked: {self._asked()})")
        why += skipped
        with self._lock:
            self.problems[path] = why
        return None

    def walk(self, roots: Iterable[str], skip: Callable[[str], bool] | None = None) -> dict[str, str]:
        """Look up ``roots`` and everything their narinfos refer to, breadth-first with several
        requests in flight; returns the problems met (store path -> why)."""
        seen: set[str] = set()
        frontier = sorted(set(roots))
        problems: dict[str, str] = {}
        self.ordered()
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            while frontier:
                seen.update(frontier)
                results = list(pool.map(self.lookup, frontier))
                nxt: set[str] = set()
                for path, found in zip(frontier, results):
                    if found is None:
                        problems[path] = self.problems[path]
                        continue
                    for ref in found.info.references:
                        if ref not in seen and not (skip and skip(ref)):
                            nxt.add(ref)
                frontier = sorted(nxt)
        return problems

    def path_info(self, path: str) -> PathInfo:
        """narSize, narHash and references from the narinfo (the whole closure is looked up,
        and every path of it that no cache supplies is reported at once)."""
        found = self.found.get(path)
        if found is None:
            problems = self.walk([path])
            if problems:
                raise SubstituteError(format_problems(problems, "cannot be substituted"),
                                      hint=self.hint())
            found = self.found[path]
        i = found.info
        return PathInfo(path, i.nar_size, i.references, nar_hash=i.nar_hash)

    def hint(self, content: bool = False) -> str:
        """What to do about paths no cache supplied (``content``: also --placeholders)."""
        extra = ", or use --placeholders for labelled synthetic content" if content else ""
        if self.settings.offline:
            return "run once without --offline to fetch them" + extra
        return ("build them with Nix, give a store that has them (--store DIR), or add a cache with "
                "--substituters URL and its key with --trusted-public-keys NAME:KEY" + extra)

    def knows(self, path: str) -> bool:
        """True when a cache has a trusted narinfo for ``path`` (looked up if needed)."""
        return self.lookup(path) is not None

    # -- contents ---------------------------------------------------------------------------
    def fetch(self, paths: Iterable[str]) -> None:
        """Download and unpack every path of ``paths`` (all looked up already) in parallel;
        all failures are reported together."""
        todo = sorted(p for p in set(paths) if p in self.found and p not in self.locations)
        if not todo:
            return
        total = sum(self.found[p].info.file_size or self.found[p].info.nar_size for p in todo
                    if not self.store.has(self.found[p].info.nar_hash))
        self.progress.start(len(todo), total)
        failures: dict[str, str] = {}

        def one(path: str) -> None:
            f = self.found[path]
            try:
                loc = fetch_nar(f.info, f.cache, self.store, self.retry, self.log, self.progress.add)
            except UserError as err:
                with self._lock:
                    failures[path] = err.message.removeprefix(f"{path}: ")
                return
            with self._lock:
                self.locations[path] = loc
            self.progress.done_one()

        try:
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                list(pool.map(one, todo))
        finally:
            self.progress.finish()
        if failures:
            raise SubstituteError(format_problems(failures, "could not be substituted"))

    def location(self, path: str) -> str:
        loc = self.locations.get(path)
        if loc is None:
            if not self.knows(path):
                raise MissingSubstituteError(format_problems({path: self.problems[path]}, "cannot be substituted"),
                                             hint=self.hint(content=True))
            self.fetch([path])
            loc = self.locations[path]
        return loc


class _ProgressLine:
    """``fetching 3/7 store paths, 1.2/4.0 MiB`` on one terminal line."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.lock = threading.Lock()
        self.count = self.total_count = 0
        self.bytes = self.total_bytes = 0
        self.shown = False

    def start(self, count: int, total_bytes: int) -> None:
        self.count, self.total_count, self.bytes, self.total_bytes = 0, count, 0, total_bytes

    def _show(self) -> None:
        if self.enabled:
            sys.stderr.write(f"\rfetching {self.count}/{self.total_count} store paths, "
                             f"{self.bytes / 2**20:.1f}/{self.total_bytes / 2**20:.1f} MiB ")
            sys.stderr.flush()
            self.shown = True

    def add(self, n: int) -> None:
        with self.lock:
            self.bytes += n
            self._show()

    def done_one(self) -> None:
        with self.lock:
            self.count += 1
            self._show()

    def finish(self) -> None:
        with self.lock:
            if self.enabled and self.shown:
                sys.stderr.write("\n")
                sys.stderr.flush()
                self.shown = False
