"""``nix2image catalog``: write a package catalog (``--catalog FILE``) describing real store paths.

Inputs (formats detected from the content):

* ``nix path-info --json -r`` output, list form or object form;
* exportReferencesGraph / closureInfo JSON (``[{path, narSize, narHash, closureSize, references}]``);
* ``nix-store -q --graph`` DOT (sizes from the Nix database or the store on disk);
* a closureInfo output directory or its ``registration`` file, ``nix-store --dump-db`` output,
  and the plain-text exportReferencesGraph file a builder sees;
* an existing nix2image catalog (checked and merged);
* a Nix store's database: ``--db PATH`` or ``--store DIR``, with ``--roots`` (default: all paths).

Package names and versions come from store path names (Nix's ``parseDrvName``; ``-bin``/``-dev``
suffixes group outputs). ``--check`` only validates catalog files.
"""

from __future__ import annotations

import json
import os
import sys

import click

from ..closure_io import atomic_write, detect_format, parse_closure
from ..errors import Pos, UsageError, UserError
from ..storeinfo import PathInfo
from ..universe.catalog import (DEFAULT_SYSTEM, Catalog, catalog_from_paths, dump_catalog, is_store_path,
                                load_catalog, load_default)
from ..universe.nixdb import NixDb, normalise_hash, open_store


def _read_input(name: str) -> tuple[str, str]:
    """(display name, text) of an input file, ``-`` for stdin; a directory's ``registration``."""
    if name == "-":
        return "«stdin»", sys.stdin.read()
    path = name
    if os.path.isdir(path):
        reg = os.path.join(path, "registration")
        if not os.path.isfile(reg):
            raise UsageError(f"{name} is a directory without a 'registration' file (expected a closureInfo output)")
        path = reg
    try:
        with open(path, encoding="utf-8") as f:
            return path, f.read()
    except FileNotFoundError:
        raise UsageError(f"input {name} does not exist") from None
    except UnicodeDecodeError:
        raise UserError(f"{name}: not a text file (expected closure JSON, DOT or a registration file)") from None
    except OSError as err:
        raise UsageError(f"cannot read input {name}: {err.strerror}") from None


def parse_registration(text: str, name: str) -> list[PathInfo]:
    """closureInfo ``registration`` / ``nix-store --dump-db`` / plain exportReferencesGraph text.

    Records are ``path, [narHash, narSize,] deriver, count, references...`` one per line; the
    hash/size pair is present in registrations and absent in plain reference graphs (size 0).
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    infos: list[PathInfo] = []
    i = 0

    def at(k: int) -> Pos:
        return Pos(name, k + 1, 1)

    while i < len(lines):
        path = lines[i]
        if not is_store_path(path):
            raise UserError(f"{name}: expected a store path, found {path[:80]!r}", at(i))
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        third = lines[i + 2] if i + 2 < len(lines) else None
        with_hash = nxt is not None and nxt != "" and not nxt.startswith("/") and third is not None and third.isdigit() \
            and not nxt.isdigit()
        try:
            if with_hash:
                nar_hash = normalise_hash(nxt if ":" in nxt or "-" in nxt else "sha256:" + nxt)
                size = int(lines[i + 2])
                j = i + 4  # skip deriver
            else:
                nar_hash, size = None, 0
                j = i + 2  # skip deriver
            count = int(lines[j])
        except (IndexError, ValueError):
            raise UserError(f"{name}: truncated or malformed record for {path}", at(i),
                            hint="expected path, narHash, narSize, deriver, reference count, references (one per line)") from None
        refs = lines[j + 1:j + 1 + count]
        if len(refs) != count or not all(is_store_path(r) for r in refs):
            raise UserError(f"{name}: record for {path} lists {count} references but they are missing or not store paths", at(j))
        infos.append(PathInfo(path=path, nar_size=size, references=tuple(refs), nar_hash=nar_hash))
        i = j + 1 + count
    if not infos:
        raise UserError(f"{name}: no store paths", Pos(name, 1, 1))
    return infos


_CATALOG_KEYS = ("format", "paths", "packages", "aliases")


def _is_catalog_json(text: str) -> bool:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        # a broken catalog: let its loader explain
        return text.lstrip().startswith("{") and any(f'"{k}"' in text for k in _CATALOG_KEYS)
    return isinstance(data, dict) and any(k in data for k in _CATALOG_KEYS) and not any(k.startswith("/") for k in data)


def _fill_sizes(infos: list[PathInfo], db: NixDb | None) -> list[PathInfo]:
    """narSize/narHash for paths that came without them (DOT, plain graphs): database, else disk."""
    out = []
    for info in infos:
        if info.nar_size or info.nar_hash:
            out.append(info)
            continue
        if db is not None and db.is_valid(info.path):
            real = db.path_info(info.path)
            out.append(PathInfo(info.path, real.nar_size, info.references, real.nar_hash))
            continue
        physical = db.physical(info.path) if db is not None else info.path
        if os.path.lexists(physical):
            from ..store.nar import nar_hash

            h, size = nar_hash(physical)
            out.append(PathInfo(info.path, size, info.references, str(h)))
        else:
            out.append(info)
    return out


def build_catalog(inputs: list[str], db: NixDb | None, roots: list[str], system: str,
                  use_db_paths: bool) -> tuple[Catalog, list[Catalog]]:
    """The catalog of every input's paths (and the database's), plus catalogs given as inputs."""
    merged: dict[str, PathInfo] = {}
    catalogs: list[Catalog] = []

    def add(infos: list[PathInfo]) -> None:
        for info in infos:
            info = PathInfo(info.path, info.nar_size, tuple(sorted(set(info.references))), normalise_hash(info.nar_hash))
            old = merged.get(info.path)
            if old is None or (not old.nar_size and info.nar_size):
                merged[info.path] = info

    for name in inputs:
        shown, text = _read_input(name)
        if _is_catalog_json(text):
            catalogs.append(load_catalog(name) if name != "-" else _parse_catalog_text(text))
            continue
        fmt = detect_format(text)
        if fmt in ("json", "dot"):
            infos = parse_closure(text, shown)
        else:
            infos = parse_registration(text, shown)
        add(_fill_sizes(infos, db))
    if use_db_paths:
        if db is None:
            raise UsageError("--roots needs a store: give --db PATH or --store DIR")
        add(db.closure(roots) if roots else db.all_infos())
    missing = sorted({r for i in merged.values() for r in i.references if r not in merged})
    if missing and db is not None:
        add(db.closure(missing))
        missing = sorted({r for i in merged.values() for r in i.references if r not in merged})
    if missing:
        raise UserError(f"the inputs do not describe {missing[0]} (referenced but not listed; {len(missing)} missing)",
                        hint="give complete closures (nix path-info --json -r) or the store with --db/--store")
    cat = catalog_from_paths(merged.values(), system=system, roots=roots)
    return cat, catalogs


def _parse_catalog_text(text: str) -> Catalog:
    from ..universe.catalog import parse_catalog

    return parse_catalog(text, name="«stdin»", base=load_default())


@click.command("catalog")
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", "output", metavar="FILE", help="Write the catalog to FILE (default: standard output).")
@click.option("--db", "db_path", metavar="PATH", help="A Nix store database (db.sqlite) to read, read-only.")
@click.option("--store", "store", metavar="DIR", help="A chroot store (DIR/nix/store, DIR/nix/var/nix/db).")
@click.option("--roots", "roots", multiple=True, metavar="PATH",
              help="Store paths whose closures to describe (from --db/--store); repeatable. Default: every valid path.")
@click.option("--system", default=DEFAULT_SYSTEM, show_default=True, help="The system recorded for the packages.")
@click.option("--check", is_flag=True, help="Only validate the given catalog files and summarise them.")
@click.option("--list", "list_", is_flag=True,
              help="List the packages the evaluator sees: the default catalog with the given catalog files on top.")
def catalog_command(inputs: tuple[str, ...], output: str | None, db_path: str | None, store: str | None,
                    roots: tuple[str, ...], system: str, check: bool, list_: bool) -> None:
    """Build a package catalog (for --catalog FILE) from closures or a Nix store database.

    INPUT is `nix path-info --json -r` output (list or object form), exportReferencesGraph /
    closureInfo JSON or registration, `nix-store -q --graph` DOT, or a catalog; `-` is stdin.
    """
    if list_:
        cat = load_default()
        for name in inputs:
            cat = cat.merged(load_catalog(name))
        lines = []
        for attr in sorted(cat.packages):
            pkg = cat.packages[attr]
            size = sum(p.nar_size for p in cat.closure([pkg.out_path]))
            lines.append(f"{attr}\t{pkg.name}\t{','.join(pkg.outputs)}\t{size / 1e6:.1f} MB")
        for alias in sorted(cat.aliases):
            if alias not in cat.packages:
                lines.append(f"{alias}\t-> {cat.aliases[alias]}")
        text = "\n".join(lines) + "\n"
        if output:
            atomic_write(output, text)
        else:
            click.echo(text, nl=False)
        return
    if check:
        if not inputs:
            raise UsageError("--check needs catalog files")
        for name in inputs:
            cat = load_catalog(name)
            missing = cat.missing_references()
            click.echo(f"{name}: ok: {len(cat.packages)} packages, {len(cat.paths)} paths"
                       + (f", {len(missing)} references resolved by the default catalog" if missing else ""))
        return
    if not inputs and not db_path and not store and not roots:
        raise UsageError("nothing to read: give INPUT files, or --db PATH / --store DIR (with --roots)")
    for r in roots:
        if not is_store_path(r):
            real = os.path.realpath(r) if os.path.islink(r) else r
            if not is_store_path(real):
                raise UsageError(f"--roots {r}: not a store path")
    roots_l = [os.path.realpath(r) if os.path.islink(r) else r for r in roots]
    db = open_store(db_path, store) if (db_path or store) else open_store()
    if roots_l and not (db_path or store) and db is None:
        raise UsageError("--roots needs a store: give --db PATH or --store DIR")
    try:
        cat, catalogs = build_catalog(list(inputs), db, roots_l, system, use_db_paths=bool(roots_l) or (not inputs and bool(db_path or store)))
    finally:
        if db is not None:
            db.close()
    for extra in catalogs:
        cat = cat.merged(extra)
    text = dump_catalog(cat)
    if output:
        atomic_write(output, text)
        click.echo(f"wrote {output}: {len(cat.packages)} packages, {len(cat.paths)} store paths", err=True)
    else:
        click.echo(text, nl=False)


def register(group: click.Group) -> None:
    group.add_command(catalog_command)
