"""``nix2image build``, ``stream`` and ``inspect``: images from Nix files, to disk or stdout."""

from __future__ import annotations

import json
import sys

import click

from ..errors import UsageError, UserError

FORMATS = ("docker-archive", "oci", "oci-archive")


def _spec_decorator(fn):
    try:
        from .spec_options import spec_options
    except ImportError:  # universe area not present
        return click.option("-A", "--attr", default=None)(fn)
    return spec_options(fn)


def _load(file: str | None, spec_json: str | None, kw: dict, store_root: str | None = None):
    """(spec, content source) from a Nix file (universe) or a spec JSON file."""
    from ..image.layer import DirectContent, RootedContent

    if store_root and not spec_json:
        raise UsageError("error: --store-root applies to --spec-json builds")
    if spec_json:
        if file:
            raise UsageError("error: give either FILE or --spec-json, not both")
        from ..image.specjson import load_spec_json

        return load_spec_json(spec_json), (RootedContent(store_root) if store_root else DirectContent())
    if not file:
        raise UsageError("error: missing argument FILE (the Nix file describing the image)")
    try:
        from .spec_options import OPTION_NAMES, load_spec
    except ImportError as err:
        raise UserError("evaluating Nix files is not available in this build (translator.universe missing)") from err
    opts = {k: kw.get(k) for k in OPTION_NAMES if k in kw}
    return load_spec(file, **opts)


def _plan(spec, strategy: str | None, layers_file: str | None):
    """A --layers plan, or None: the build then runs the layering strategy (``--strategy`` or
    nixpkgs' default) once it knows how many layers the base image takes."""
    if layers_file and strategy:
        raise UsageError("error: give either --strategy or --layers, not both")
    if (layers_file or strategy) and spec.builder not in ("buildLayeredImage", "streamLayeredImage"):
        raise UsageError(f"error: --strategy/--layers apply to layered images, not {spec.builder}")
    if layers_file:
        from ..image.specjson import load_layers

        return load_layers(layers_file)
    return None


def _common(fn):
    fn = click.option("--spec-json", type=click.Path(dir_okay=False), default=None,
                      help="Build from an image spec JSON file instead of a Nix file.")(fn)
    fn = click.option("--store-root", type=click.Path(file_okay=False, exists=True), default=None,
                      help="With --spec-json: read store paths from DIR/nix/store/... instead of /nix/store.")(fn)
    fn = click.option("--layers", "layers_file", type=click.Path(dir_okay=False), default=None,
                      help="Use this layer plan (JSON list of lists of store paths, bottom first).")(fn)
    fn = click.option("--strategy", default=None, help="Layering strategy (see `nix2image plan --help`).")(fn)
    fn = click.option("--run-timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
                      help="Time limit of each runAsRoot script; its processes are all killed when it is "
                           "reached. Default: 3600.")(fn)
    fn = click.option("--compress", type=click.Choice(["none", "gzip", "zstd"]), default="none",
                      show_default=True, help="Layer compression (OCI output).")(fn)
    fn = click.option("--no-cache", is_flag=True,
                      help="Neither reuse nor keep finished store layers (the layer cache in "
                           "$XDG_CACHE_HOME/nix2image/layers, bounded by NIX2IMAGE_LAYER_CACHE_SIZE, default 10G).")(fn)
    fn = click.option("--layer-names", type=click.Choice(["digest", "position"]), default=None,
                      help="docker-archive layer members: <sha256>/layer.tar as nixpkgs (build's default) or "
                           "<n>/layer.tar, known before the layer is tarred (stream's default: one pass to the pipe). "
                           "The image (config, layers, image ID) is the same.")(fn)
    return fn


def _cache(no_cache: bool):
    """The layer cache of the user (None with --no-cache)."""
    if no_cache:
        return None
    from ..image.layercache import LayerCache

    return LayerCache()


def _warn(spec, result, quiet: bool) -> None:
    """Warnings from evaluation (spec) and from the build, once each, on stderr."""
    if quiet:
        return
    seen = set()
    for w in list(spec.warnings) + list(result.warnings):
        text = w if w.startswith("warning:") else f"warning: {w}"
        if text not in seen:
            seen.add(text)
            click.echo(text, err=True)


@click.command("build")
@click.argument("file", required=False)
@click.option("-o", "--output", default=None, metavar="OUT",
              help="Output file (directory for --format oci). Default: NAME.tar / NAME-oci in the current directory.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="docker-archive", show_default=True)
@_common
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@_spec_decorator
def build_cmd(file, output, fmt, compress, strategy, layers_file, spec_json, store_root, quiet, run_timeout,
              no_cache, layer_names, **kw):
    """Build the image described by FILE (or FILE#ATTR) into a docker-archive or OCI layout."""
    from ..image.build import BuildOptions, build

    spec, content = _load(file, spec_json, kw, store_root)
    plan = _plan(spec, strategy, layers_file)
    if output is None:
        base = spec.name.rsplit("/", 1)[-1].lower() or "image"
        output = base + ("-oci" if fmt == "oci" else ".tar")
    show = (not quiet) and sys.stderr.isatty()
    result = build(spec, plan, content, output, BuildOptions(format=fmt, compress=compress, progress=show, strategy=strategy,
                                                             run_timeout=run_timeout, cache=_cache(no_cache),
                                                             layer_names=layer_names))
    _warn(spec, result, quiet)
    if not quiet:
        reused = f", {result.reused} from the layer cache" if result.reused else ""
        same = "; unchanged, left in place" if result.unchanged else ""
        click.echo(f"{result.output}: {result.repo_tag} ({len(result.layers)} layers{reused}, "
                   f"config sha256:{result.config_digest}{same})")


@click.command("stream")
@click.argument("file", required=False)
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Write the stream to FILE (through a temporary file renamed into place) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["docker-archive", "oci-archive"]), default="docker-archive",
              show_default=True)
@_common
@click.option("-q", "--quiet", is_flag=True, help="No warnings on stderr.")
@_spec_decorator
def stream_cmd(file, output, fmt, compress, strategy, layers_file, spec_json, store_root, quiet, run_timeout,
               no_cache, layer_names, **kw):
    """Write the image of FILE to stdout as an archive (`nix2image stream f.nix | podman load`)."""
    from ..image.build import BuildOptions, stream, stream_to_file

    out = sys.stdout.buffer
    if output is None and out.isatty():
        raise UsageError("error: refusing to write an image archive to a terminal; pipe it (| podman load) or redirect it")
    spec, content = _load(file, spec_json, kw, store_root)
    plan = _plan(spec, strategy, layers_file)
    opts = BuildOptions(format=fmt, compress=compress, strategy=strategy, run_timeout=run_timeout,
                        cache=_cache(no_cache), layer_names=layer_names)
    if output is not None:
        result = stream_to_file(spec, plan, content, output, opts)
    else:
        result = stream(spec, plan, content, out, opts)
        out.flush()
    _warn(spec, result, quiet)


@click.command("inspect")
@click.argument("image", type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def inspect_cmd(image, as_json):
    """Show the layers (digest, size, store paths or top directories), config and tags of IMAGE,
    and whether its layers are linked by parent ids, by manifest, or both."""
    from ..image.inspect import inspect_image, render

    info = inspect_image(image)
    click.echo(json.dumps(info, indent=2, sort_keys=True) if as_json else render(info))


def register(group: click.Group) -> None:
    for cmd in (build_cmd, stream_cmd, inspect_cmd):
        group.add_command(cmd)
