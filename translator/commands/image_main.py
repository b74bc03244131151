"""``nix2image build`` and ``stream`` themselves, free of click: their options as data
(:mod:`.plain_options`) and the work they do. :mod:`.image_cmds` makes the click commands of
them; :mod:`translator.entry` runs a plain ``build``/``stream --spec-json`` line without click
(the form a script rebuilding an image runs again and again: click and its imports were 20 ms of
a 200 ms warm rebuild).
"""

from __future__ import annotations

import sys

from ..builders import LAYERED
from ..errors import UsageError, UserError
from .plain_options import Option, parse

FORMATS = ("docker-archive", "oci", "oci-archive")

#: The options ``build`` and ``stream`` share (after ``-o`` and ``--format``).
COMMON: tuple[Option, ...] = (
    Option(("--spec-json",), "spec_json", "value", "Build from an image spec JSON file instead of a Nix file.",
           path="file"),
    Option(("--store-root",), "store_root", "value",
           "With --spec-json: read store paths from DIR/nix/store/... instead of /nix/store.", path="dir"),
    Option(("--layers",), "layers_file", "value",
           "Use this layer plan (JSON list of lists of store paths, bottom first).", path="file"),
    Option(("--strategy",), "strategy", "value", "Layering strategy (see `nix2image plan --help`)."),
    Option(("--run-timeout",), "run_timeout", "value",
           "Time limit of each runAsRoot script; its processes are all killed when it is reached. Default: 3600.",
           "SECONDS", positive=True),
    Option(("--compress",), "compress", "value", "Layer compression (OCI output).", default="none",
           choices=("none", "gzip", "zstd"), show_default=True),
    Option(("--no-cache",), "no_cache", "flag",
           "Neither reuse nor keep finished store layers (the layer cache in $XDG_CACHE_HOME/nix2image/layers, "
           "bounded by NIX2IMAGE_LAYER_CACHE_SIZE, default 10G)."),
    Option(("--layer-names",), "layer_names", "value",
           "docker-archive layer members: <sha256>/layer.tar as nixpkgs (build's default) or <n>/layer.tar, "
           "known before the layer is tarred (stream's default: one pass to the pipe). The image (config, "
           "layers, image ID) is the same.", choices=("digest", "position")),
)

BUILD: tuple[Option, ...] = (
    Option(("-o", "--output"), "output", "value",
           "Output file (directory for --format oci). Default: NAME.tar / NAME-oci in the current directory.", "OUT"),
    Option(("--format",), "fmt", "value", default="docker-archive", choices=FORMATS, show_default=True),
    *COMMON,
    Option(("-q", "--quiet"), "quiet", "flag", "No progress bar and no summary."),
)

STREAM: tuple[Option, ...] = (
    Option(("-o", "--output"), "output", "value",
           "Write the stream to FILE (through a temporary file renamed into place) instead of stdout.", "FILE"),
    Option(("--format",), "fmt", "value", default="docker-archive", choices=("docker-archive", "oci-archive"),
           show_default=True),
    *COMMON,
    Option(("-q", "--quiet"), "quiet", "flag", "No warnings on stderr."),
)

#: The commands' one argument (optional): the Nix file describing the image.
ARGUMENT = "file"
OPTIONS = {"build": BUILD, "stream": STREAM}


def parse_plain(command: str, argv: list[str]) -> dict[str, object] | None:
    """The parameters of ``nix2image build|stream ARGV`` for a plain line building from
    ``--spec-json`` (no Nix file, so none of the evaluation options click adds), or None when
    click is to read ARGV."""
    params = parse(argv, OPTIONS[command], ARGUMENT)
    if params is None or params[ARGUMENT] is not None or params["spec_json"] is None:
        return None
    return params


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
    if (layers_file or strategy) and spec.builder not in LAYERED:
        raise UsageError(f"error: --strategy/--layers apply to layered images, not {spec.builder}")
    if layers_file:
        from ..image.specjson import load_layers

        return load_layers(layers_file)
    return None


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
            print(text, file=sys.stderr)


def build_main(file, output, fmt, compress, strategy, layers_file, spec_json, store_root, quiet, run_timeout,
               no_cache, layer_names, **kw) -> None:
    """Build the image described by FILE (or FILE#ATTR) into a docker-archive or OCI layout.

    ``kw`` are the evaluation options click adds (:mod:`.spec_options`), used for a FILE only."""
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
        print(f"{result.output}: {result.repo_tag} ({len(result.layers)} layers{reused}, "
              f"config sha256:{result.config_digest}{same})")


def stream_main(file, output, fmt, compress, strategy, layers_file, spec_json, store_root, quiet, run_timeout,
                no_cache, layer_names, **kw) -> None:
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


MAINS = {"build": build_main, "stream": stream_main}
