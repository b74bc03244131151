"""Shared command-line options for every command that takes a Nix file describing an image.

``plan FILE``, ``build FILE``, ``spec FILE``, ``closure FILE`` ... all accept the same options,
declared once here by the :func:`spec_options` decorator, and turn them into an image spec with
:func:`load_spec`. Keeping this in one place means a new option (say ``--system``) reaches every
command at once and means the same thing everywhere.
"""

from __future__ import annotations

import os
from typing import Any, Callable

import click

from ..errors import UsageError

#: The keyword arguments :func:`spec_options` adds to a command (and :func:`load_spec` accepts).
OPTION_NAMES = ("attr", "arg", "argstr", "bind", "catalog", "placeholders", "full_size",
                "include", "system", "pull_cache", "store", "nixpkgs", "override_input", "allow_fetch",
                "substituters", "trusted_public_keys", "offline", "tls_verify", "cert_dir")


def tls_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--tls-verify=BOOL`` and ``--cert-dir DIR`` (as skopeo and podman spell them), for every
    command that speaks HTTPS (registries, binary caches)."""
    fn = click.option("--cert-dir", default=None, metavar="DIR", type=click.Path(file_okay=False),
                      help="Trust the CA certificates (*.crt) in DIR and use its client certificate "
                           "(*.cert + *.key), instead of /etc/containers/certs.d/HOST/.")(fn)
    fn = click.option("--tls-verify", type=click.BOOL, default=True, show_default=True, metavar="BOOL",
                      help="Check TLS certificates; --tls-verify=false turns checking off.")(fn)
    return fn


def cache_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--substituters``, ``--trusted-public-keys`` and ``--offline`` (binary caches)."""
    fn = click.option("--offline", is_flag=True,
                      help="Use only narinfos and NARs fetched earlier; ask no binary cache.")(fn)
    fn = click.option("--trusted-public-keys", "trusted_public_keys", multiple=True, metavar="NAME:KEY...",
                      help="Keys whose narinfo signatures are trusted (as Nix's trusted-public-keys; "
                           "default: from nix.conf and NIX_CONFIG).")(fn)
    fn = click.option("--substituters", multiple=True, metavar="URL...",
                      help="Binary caches (http(s)://, file://) to fetch store paths from (as Nix's "
                           "substituters; default: from nix.conf and NIX_CONFIG).")(fn)
    return fn


def spec_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``-A/--attr``, ``--arg``, ``--argstr``, ``--bind``, ``--catalog``, ``--placeholders``,
    ``--full-size``, ``-I``, ``--system``, ``--pull-cache`` and ``--store`` to a click command.

    The command receives them as keyword arguments named as in :data:`OPTION_NAMES`; pass them
    on unchanged: ``load_spec(file, **{k: kw[k] for k in OPTION_NAMES})``.
    """
    decorators = [
        click.option("-A", "--attr", default=None, metavar="ATTR",
                     help="Attribute path of the image (also FILE#ATTR). Optional when the file defines one image."),
        click.option("--arg", nargs=2, multiple=True, metavar="NAME EXPR",
                     help="Pass a Nix expression as argument NAME to a top-level function."),
        click.option("--argstr", nargs=2, multiple=True, metavar="NAME STRING",
                     help="Pass a string as argument NAME to a top-level function."),
        click.option("--bind", multiple=True, metavar="NAME=PATH",
                     help="Use PATH (a build output, directory, file or store path) for NAME: a function "
                          "argument, an attribute path, a package name or a local import."),
        click.option("--catalog", multiple=True, metavar="FILE", type=click.Path(dir_okay=False),
                     help="Add or replace packages from a catalog file (see `nix2image catalog`)."),
        click.option("--placeholders", is_flag=True,
                     help="Fill unbound packages, missing imports and unknown flake inputs with labelled "
                          "synthetic content (with a warning for each)."),
        click.option("--full-size", is_flag=True,
                     help="Synthetic content has the catalog's full narSize instead of a scaled-down size."),
        click.option("-I", "include", multiple=True, metavar="NAME=PATH",
                     help="Add to the Nix search path (as nix -I); <nixpkgs> is the modelled nixpkgs by default."),
        click.option("--system", default=None, metavar="SYSTEM",
                     help="Nix system to evaluate for (default x86_64-linux)."),
        click.option("--pull-cache", default=None, metavar="DIR", type=click.Path(file_okay=False),
                     help="Directory of pulled base images (pullImage) to resolve fromImage offline."),
        click.option("--nixpkgs", "nixpkgs", default=None, metavar="PATH", type=click.Path(exists=True, file_okay=False),
                     help="A real nixpkgs tree for <nixpkgs> and nixpkgs flake inputs (before -I and NIX_PATH)."),
        click.option("--override-input", "override_input", nargs=2, multiple=True, metavar="NAME PATH",
                     help="Use the directory PATH for the flake input NAME (as nix --override-input)."),
        click.option("--allow-fetch", "allow_fetch", is_flag=True,
                     help="Download a pinned source (flake.lock narHash) that is not in the store into "
                          "nix2image's cache, verifying its hash as Nix does."),
        click.option("--store", "store", default=None, metavar="DIR",
                     help="Read store paths from this Nix store (a chroot store DIR or local?root=DIR) "
                          "instead of the system store; an empty or missing DIR means no local store."),
    ]
    for deco in reversed(decorators):
        fn = deco(fn)
    from .limit_options import limit_options

    return limit_options(tls_options(cache_options(fn)))


def _pairs(values: Any, option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or ():
        name, value = item
        if not name:
            raise UsageError(f"{option}: the argument name is empty")
        out[name] = value
    return out


def _input_dirs(inputs: dict[str, str]) -> dict[str, str]:
    """--override-input names directories: a path that is not one is the argument at fault."""
    for name, path in inputs.items():
        if not os.path.isdir(path):
            raise UsageError(f"--override-input {name} {path}: '{path}' is not a directory")
    return inputs


def load_options(**opts: Any):
    """Turn the keyword arguments of :func:`spec_options` into :class:`~translator.universe.load.LoadOptions`."""
    from ..universe.load import LoadOptions

    unknown = set(opts) - set(OPTION_NAMES)
    if unknown:
        raise TypeError(f"unknown spec option(s): {', '.join(sorted(unknown))}")
    return LoadOptions(
        attr=opts.get("attr"),
        args=_pairs(opts.get("arg"), "--arg"),
        argstrs=_pairs(opts.get("argstr"), "--argstr"),
        binds=list(opts.get("bind") or ()),
        catalogs=list(opts.get("catalog") or ()),
        placeholders=bool(opts.get("placeholders")),
        full_size=bool(opts.get("full_size")),
        search_path=list(opts.get("include") or ()),
        system=opts.get("system"),
        pull_cache=opts.get("pull_cache"),
        store=opts.get("store"),
        nixpkgs=opts.get("nixpkgs"),
        override_inputs=_input_dirs(_pairs(opts.get("override_input"), "--override-input")),
        allow_fetch=bool(opts.get("allow_fetch")) or os.environ.get("NIX2IMAGE_ALLOW_FETCH", "") in ("1", "true", "yes"),
        binary_caches=_cache_settings(opts),
    )


def _cache_settings(opts: dict[str, Any]):
    """Binary cache settings: the options over nix.conf / NIX_CONFIG."""
    from ..binary_cache.settings import resolve

    import dataclasses

    tls_verify = opts.get("tls_verify")
    settings = resolve(opts.get("substituters") or None, opts.get("trusted_public_keys") or None,
                       offline=bool(opts.get("offline")), tls_verify=True if tls_verify is None else bool(tls_verify),
                       cert_dir=opts.get("cert_dir"))
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.params.get("quiet"):  # the command's -q: no progress line, no retry notes
        settings = dataclasses.replace(settings, progress=False, quiet=True)
    return settings


def load_spec(file: str, **opts: Any):
    """Evaluate ``file`` and return ``(ImageSpec, ContentSource)`` for the selected image.

    ``opts`` are the keyword arguments :func:`spec_options` added (unknown ones are an error).
    Raises :class:`~translator.errors.UserError` for bad input (shown without a traceback).
    """
    from ..universe.load import load_spec as _load

    return _load(file, load_options(**opts))


def load_specs(file: str, **opts: Any):
    """Like :func:`load_spec` but returns every image the file defines: ``(list[ImageSpec], ContentSource)``."""
    from ..universe.load import load_all

    return load_all(file, load_options(**opts))
