"""Where the bytes of store paths come from (:class:`translator.spec.ContentSource` implementations).

* :class:`StoreContents`: a real Nix store on disk (``/nix/store``, or ``DIR/nix/store`` for a
  chroot store given with ``--store DIR``).
* :class:`BoundContents`: files and directories imported with ``--bind NAME=PATH``: the store
  path is named as ``nix-store --add`` names it, the bytes stay where they are.
* :class:`PlaceholderContents`: deterministic synthetic content for paths nobody can supply
  (catalog-only packages, unbound opaque packages under ``--placeholders``). Each path becomes a
  labelled directory whose size follows its ``narSize`` divided by :data:`DEFAULT_SCALE`
  (or the full ``narSize`` with ``full_size``). It is written once into a cache directory
  (``$XDG_CACHE_HOME/nix2image/placeholders`` by default) through a temporary directory renamed
  into place, so concurrent runs and interrupted runs never leave half-written content.
* :class:`ChainContents`: the first source that has the path wins.

Every source answers :meth:`location` (the protocol) and :meth:`has`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..errors import UserError
from ..storeinfo import PathInfo
from ..cachedir import cache_home

#: Placeholder content is ``narSize // DEFAULT_SCALE`` bytes (at least a label) unless full size.
DEFAULT_SCALE = 100
#: Largest single placeholder blob file; bigger contents are split into several files.
BLOB_SIZE = 1 << 20
#: Bump when the layout of generated placeholders changes (older cache entries are then ignored).
PLACEHOLDER_VERSION = "v1"
LABEL_FILE = "nix-support/nix2image-placeholder"


class MissingContentError(UserError):
    """No source can supply the content of a store path."""


def _missing(store_path: str, why: str = "") -> MissingContentError:
    return MissingContentError(
        f"no content for store path {store_path}{': ' + why if why else ''}",
        hint="build it with Nix (its store is read), provide it with --bind NAME=PATH, "
             "or use --placeholders for synthetic content")


class StoreContents:
    """A Nix store directory on disk; ``root`` is "" for ``/nix/store``, else a chroot store."""

    def __init__(self, root: str = "") -> None:
        self.root = root.rstrip("/")

    def has(self, store_path: str) -> bool:
        return os.path.lexists(self.root + store_path)

    def location(self, store_path: str) -> str:
        loc = self.root + store_path
        if not os.path.lexists(loc):
            raise _missing(store_path, f"{loc} does not exist")
        return loc

    def __repr__(self) -> str:
        return f"StoreContents({self.root or '/'!r})"


class BoundContents:
    """Store paths whose content is a local file or directory (``--bind`` imports)."""

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping: dict[str, str] = dict(mapping or {})

    def add(self, store_path: str, local_path: str) -> None:
        self.mapping[store_path] = local_path

    def has(self, store_path: str) -> bool:
        return store_path in self.mapping

    def location(self, store_path: str) -> str:
        loc = self.mapping.get(store_path)
        if loc is None:
            raise _missing(store_path)
        if not os.path.lexists(loc):
            raise _missing(store_path, f"the bound path {loc} no longer exists")
        return loc


class ChainContents:
    """Several sources tried in order."""

    def __init__(self, *sources) -> None:
        self.sources = [s for s in sources if s is not None]

    def has(self, store_path: str) -> bool:
        return any(_has(s, store_path) for s in self.sources)

    def location(self, store_path: str) -> str:
        for s in self.sources:
            if _has(s, store_path):
                return s.location(store_path)
        raise _missing(store_path)


def _has(source, store_path: str) -> bool:
    has = getattr(source, "has", None)
    if has is not None:
        return bool(has(store_path))
    try:
        source.location(store_path)
    except UserError:
        return False
    return True


def default_cache_dir() -> str:
    """The cache directory (:func:`translator.cachedir.cache_home`)."""
    return cache_home()


def placeholder_size(nar_size: int, full_size: bool = False, scale: int = DEFAULT_SCALE) -> int:
    """Bytes of synthetic data for a path of ``nar_size``: full, or scaled down."""
    return nar_size if full_size else nar_size // max(scale, 1)


def _stream(seed: str, n: int) -> bytes:
    """``n`` deterministic pseudo-random bytes for ``seed`` (SHAKE-256)."""
    return hashlib.shake_256(seed.encode()).digest(n) if n else b""


class PlaceholderContents:
    """Synthetic, labelled, deterministic content for store paths, materialised on demand.

    ``infos`` gives each path's narSize and references (a catalog's ``paths``); ``programs``
    maps a store path to the program name its placeholder should provide in ``bin/`` (the
    package's ``mainProgram``), so that ``Cmd = [ "${pkg}/bin/x" ]`` points at a file.

    Layout of the placeholder of ``/nix/store/<hash>-name``::

        nix-support/nix2image-placeholder   label: what this is, the path, its narSize
        nix-support/references              the path's references, one per line
        bin/<program>                       a /bin/sh script saying it is a placeholder (if any)
        share/nix2image-placeholder/blob-NNN.bin   the size-bearing data
    """

    def __init__(self, infos: Mapping[str, PathInfo], cache_dir: str | None = None, *, full_size: bool = False,
                 scale: int = DEFAULT_SCALE, programs: Mapping[str, str] | None = None) -> None:
        self.infos = infos
        self.full_size = full_size
        self.scale = scale
        self.programs = dict(programs or {})
        kind = "full" if full_size else f"scale{scale}"
        self.dir = os.path.join(cache_dir or os.path.join(default_cache_dir(), "placeholders"), f"{PLACEHOLDER_VERSION}-{kind}")
        self.generated: set[str] = set()

    def has(self, store_path: str) -> bool:
        return store_path in self.infos

    def is_placeholder(self, store_path: str) -> bool:
        return store_path in self.infos

    def location(self, store_path: str) -> str:
        info = self.infos.get(store_path)
        if info is None:
            raise _missing(store_path, "not described by the catalog, so no placeholder can be made")
        final = os.path.join(self.dir, store_path.rsplit("/", 1)[-1])
        if not os.path.isdir(final):
            self._materialise(info, final)
        self.generated.add(store_path)
        return final

    def files(self, info: PathInfo) -> list[tuple[str, bytes, int]]:
        """The placeholder's files as ``(relative path, bytes, mode)``, deterministic."""
        size = placeholder_size(info.nar_size, self.full_size, self.scale)
        label = (f"nix2image placeholder: synthetic content, NOT the real package.\n"
                 f"store path: {info.path}\nnarSize: {info.nar_size}\n"
                 f"data bytes: {size} ({'full size' if self.full_size else f'narSize / {self.scale}'})\n")
        out: list[tuple[str, bytes, int]] = [
            (LABEL_FILE, label.encode(), 0o444),
            ("nix-support/references", "".join(f"{r}\n" for r in info.references if r != info.path).encode(), 0o444),
        ]
        prog = self.programs.get(info.path)
        if prog and "/" not in prog:
            script = f"#!/bin/sh\necho 'nix2image placeholder for {info.path}: {prog} is not real' >&2\nexit 127\n"
            out.append((f"bin/{prog}", script.encode(), 0o555))
        n_blobs = (size + BLOB_SIZE - 1) // BLOB_SIZE
        for i in range(n_blobs):
            n = min(BLOB_SIZE, size - i * BLOB_SIZE)
            out.append((f"share/nix2image-placeholder/blob-{i:03d}.bin", _stream(f"{info.path}#{i}", n), 0o444))
        return out

    def _materialise(self, info: PathInfo, final: str) -> None:
        os.makedirs(self.dir, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".tmp-", dir=self.dir)
        try:
            for rel, data, mode in self.files(info):
                dest = os.path.join(tmp, rel)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "wb") as f:
                    f.write(data)
                os.chmod(dest, mode)
            for d, _subdirs, _files in os.walk(tmp, topdown=False):  # store-like: read-only dirs
                os.chmod(d, 0o555)
            try:
                os.rename(tmp, final)
            except OSError:
                if not os.path.isdir(final):  # not a lost race: a real failure
                    raise
                remove_tree(tmp)
        except BaseException:
            if os.path.exists(tmp):
                remove_tree(tmp)
            raise


def remove_tree(path: str | Path) -> None:
    """``rm -rf`` that also removes store-like read-only directories.

    Modes are changed only on real directories inside ``path``: ``chmod`` follows symlinks, and
    a tree unpacked from a NAR may hold links into ``/nix/store`` that must stay untouched."""
    def writable(d: str) -> None:
        try:
            st = os.lstat(d)
            if stat.S_ISDIR(st.st_mode):
                os.chmod(d, st.st_mode | stat.S_IWUSR | stat.S_IXUSR | stat.S_IRUSR)
        except OSError:
            pass

    def onerror(func, p, _exc):
        for d in (os.path.dirname(p), p):
            writable(d)
        func(p)
    for root, dirs, _files in os.walk(path):
        for d in dirs:
            writable(os.path.join(root, d))
    writable(str(path))
    shutil.rmtree(path, onerror=onerror)


def clear_cache(cache_dir: str | None = None) -> None:
    """Remove every cached placeholder."""
    d = cache_dir or os.path.join(default_cache_dir(), "placeholders")
    if os.path.isdir(d):
        remove_tree(d)


def build_content_source(paths: Mapping[str, PathInfo], *, packages: Mapping | None = None, store_root: str = "",
                         binds: list | tuple = (), placeholders: bool = False, full_size: bool = False,
                         scale: int = DEFAULT_SCALE, cache_dir: str | None = None) -> ChainContents:
    """The usual chain: ``--bind`` contents first, then the real store (system or chroot), then
    (with ``placeholders``) synthetic content for every path in ``paths``.

    ``packages`` (a catalog's ``packages``) gives each package's ``mainProgram`` so that the
    placeholder of its default output has ``bin/<mainProgram>``. ``binds`` are
    :class:`~translator.universe.bind.Binding` values.
    """
    sources: list = []
    bound = BoundContents()
    for b in binds:
        if isinstance(b.content, BoundContents):
            bound.mapping.update(b.content.mapping)
        else:
            sources.append(b.content)
    store = StoreContents(store_root)
    chain: list = [bound, *sources, store]
    if placeholders:
        programs: dict[str, str] = {}
        for pkg in (packages or {}).values():
            if pkg.main_program:
                programs.setdefault(pkg.default_output.path, pkg.main_program)
        chain.append(PlaceholderContents(paths, cache_dir, full_size=full_size, scale=scale, programs=programs))
    return ChainContents(*chain)
