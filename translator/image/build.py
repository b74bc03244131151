"""Orchestration: (ImageSpec, LayerPlan, ContentSource) -> an image on disk or on a stream.

The inputs are plain data, so tests and other commands can build images from hand-made specs
and plans. :func:`build` writes to a temporary name next to the output and renames it into
place; :func:`stream` writes a docker-archive to a binary stream (stdout) with memory that does
not grow with the image (layers are spooled to a scratch directory, never held in memory).

Builders: ``buildLayeredImage``/``streamLayeredImage`` (layered), ``buildImage`` (stacked), their
``*WithNixDb`` variants (a Nix database in the layer, see :mod:`.nixdb`), ``mergeImages`` and
``exportImage`` (see :mod:`.merge`, :mod:`.export`). ``buildImage``'s ``runAsRoot`` runs in private
namespaces (see :mod:`translator.runasroot`).
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import os
import stat
import tarfile
import tempfile
from dataclasses import dataclass

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import BinaryIO, Callable

from ..builders import LAYERED, STACKED
from ..errors import UserError, UsageError
from ..progress import Progress
from ..scratch import make_scratch, remove_tree
from ..scratch import replace as replace_atomically
from ..spec import ImageSpec
from ..storeinfo import LayerPlan
from . import config as cfgmod
from . import layer as layermod
from .compress import COMPRESSIONS
from .docker_archive import ArchiveWriter, DryArchiveWriter, NotUnchanged, layered_archive, read_docker_archive
from .export import export_image
from .merge import merge_images
from .model import Blob, ImageData, Layer
from .outcome import BuildOptions, BuildResult, BuiltLayer
from .tags import image_name, image_tag
from .tarwriter import Entry, archive_size

FORMATS = ("docker-archive", "oci", "oci-archive")


# --- helpers ---------------------------------------------------------------------------------

def check_spec(spec: ImageSpec) -> None:
    """Reject what this backend cannot do, saying what would be needed."""
    if spec.tag is not None:
        try:
            image_tag(spec.tag, b"")
        except UserError as err:
            raise UserError(err.message.removeprefix("error: ") + _at(spec)) from err


def _at(spec: ImageSpec) -> str:
    return f" (image {spec.name!r} at {spec.origin})" if spec.origin else f" (image {spec.name!r})"


def max_store_layers(spec: ImageSpec, base_layers: int) -> int:
    """How many store layers fit: nixpkgs counts the base's layers and the customisation layer."""
    return spec.max_layers - base_layers - 1


def default_plan(spec: ImageSpec, base_layers: int = 0, strategy: str | None = None) -> LayerPlan:
    """The plan for a spec given without one: the layering package's strategy (default as
    nixpkgs: ``layeringPipeline`` when given, else ``auto``) with nixpkgs' layer budget
    (``maxLayers`` minus the base's layers and the customisation layer)."""
    if not spec.closure:
        return LayerPlan(strategy=strategy or "auto", layers=())
    try:
        from ..layering import make_plan
        from ..layering.budget import store_layer_budget
    except ImportError:  # pragma: no cover - layering area absent
        make_plan = None
    if make_plan is not None:
        if strategy is None:
            strategy = "pipeline" if spec.layering_pipeline is not None else "auto"
        budget = store_layer_budget(spec.max_layers, base_layers)
        return make_plan(spec.closure, strategy, max_layers=budget, pipeline=spec.layering_pipeline,
                         base_layers=base_layers, source=spec.origin or spec.name)
    if strategy is not None:
        raise UsageError(f"error: --strategy {strategy} needs the layering package, which is not available")
    paths = sorted(p.path for p in spec.closure)
    limit = max(1, max_store_layers(spec, base_layers))
    if len(paths) <= limit:
        layers = tuple((p,) for p in paths)
    else:
        layers = tuple((p,) for p in paths[: limit - 1]) + (tuple(paths[limit - 1:]),)
    return LayerPlan(strategy="one-per-path", layers=layers)


def read_image(path: str, workdir: str, name: str | None = None, tag: str | None = None) -> ImageData:
    """Read a docker-archive (any form, compressed or not), OCI archive or OCI layout directory."""
    if os.path.isdir(path):
        from .oci_layout import read_oci_dir

        return read_oci_dir(path, workdir, name, tag)
    return read_docker_archive(path, workdir, name, tag)


def resolve_base(spec: ImageSpec, content, workdir: str) -> ImageData | None:
    """The base image of ``spec`` (built first when it is another spec), or None."""
    ref = spec.from_image
    if ref is None:
        return None
    name = spec.from_image_name or ref.image_name
    tag = spec.from_image_tag or ref.image_tag
    if ref.kind == "archive":
        if not ref.path:
            raise UserError(f"fromImage of {spec.name!r} has no archive path")
        return read_image(ref.path, workdir, name if spec.from_image_name else None,
                          tag if spec.from_image_tag else None)
    if ref.kind == "spec":
        assert ref.spec is not None
        sub = tempfile.mkdtemp(prefix="base-", dir=workdir)
        out = os.path.join(sub, "base.tar")
        with open(out, "wb") as f:
            write_image(ref.spec, None, content, f, BuildOptions(), sub)
        return read_docker_archive(out, sub)
    if ref.kind == "pull":
        pull = ref.pull or {}
        digest = pull.get("imageDigest")
        if ref.path and os.path.isfile(ref.path):
            return read_image(ref.path, workdir)
        if ref.path and os.path.isdir(ref.path) and digest:
            from ..registry.cache import PullCache

            archive = PullCache(ref.path).archive(digest)
            if archive is not None:
                return read_image(str(archive), workdir)
        what = f"{pull.get('imageName', '?')}@{digest or '?'}"
        raise UserError(f"fromImage of {spec.name!r} is pullImage {what}, which is not in the pull cache"
                        + (f" {ref.path}" if ref.path else ""),
                        hint="pull it first: nix2image pull IMAGE@DIGEST --to-cache DIR, then build with --pull-cache DIR")
    raise UserError(f"unknown fromImage kind {ref.kind!r}")


def _base_store_paths(base: ImageData | None) -> set[str]:
    """Store paths already present in the base's layers (their top-level entries)."""
    found: set[str] = set()
    if base is None:
        return found
    for layer in base.layers:
        with layer.blob.window() as f:
            try:
                with tarfile.open(fileobj=f, mode="r|") as tf:
                    for ti in tf:
                        n = ti.name.lstrip("./").lstrip("/")
                        parts = n.split("/")
                        if len(parts) >= 3 and parts[0] == "nix" and parts[1] == "store" and parts[2]:
                            found.add("/nix/store/" + parts[2])
            except tarfile.TarError as err:
                raise UserError(f"base image layer {layer.member} is not a readable tar ({err})") from err
    return found


# --- the builders ----------------------------------------------------------------------------

class NewLayer:
    """A layer to add: its store paths, history comment and kind, and its tar entries - made on
    first use (``make``), so a layer found in the layer cache never walks its tree."""

    __slots__ = ("_entries", "make", "paths", "comment", "kind", "owner", "key")

    def __init__(self, entries: list[Entry] | None, paths: tuple[str, ...], comment: str, kind: str, *,
                 make: Callable[[], list[Entry]] | None = None, owner: layermod.Owner | None = None) -> None:
        self._entries = entries
        self.make = make
        self.paths, self.comment, self.kind, self.owner = paths, comment, kind, owner
        self.key: str | None = None  # layer-cache key (store layers, when caching)

    @property
    def entries(self) -> list[Entry]:
        if self._entries is None:
            assert self.make is not None
            self._entries = self.make()
        return self._entries

    def source(self):
        """The entries if made, else the function making them (for the archive writers)."""
        return self._entries if self._entries is not None else (lambda: self.entries)


def _layered_parts(spec: ImageSpec, plan: LayerPlan | None, content, base: ImageData | None,
                   workdir: str, strategy: str | None = None) -> tuple[list[NewLayer], list[str]]:
    """The new layers of a buildLayeredImage: store layers from the plan, then customisation."""
    warnings: list[str] = []
    owner = layermod.Owner(cfgmod.epoch(spec.mtime), spec.uid, spec.gid, spec.uname, spec.gname)
    nbase = len(base.layers) if base else 0
    store_layers: list[tuple[str, ...]] = []
    if spec.include_store_paths:
        if plan is None:
            plan = default_plan(spec, nbase, strategy)
        store_layers = [tuple(l) for l in plan.layers if l]
        warnings.extend(plan.notes)
        limit = max_store_layers(spec, nbase)
        if len(store_layers) > limit:
            raise UserError(
                f"the layer plan has {len(store_layers)} store layers but maxLayers = {spec.max_layers} leaves "
                f"room for {max(limit, 0)} ({nbase} base layer(s) and the customisation layer count too){_at(spec)}")
        planned = [p for l in store_layers for p in l]
        if len(set(planned)) != len(planned):
            dup = sorted({p for p in planned if planned.count(p) > 1})
            raise UserError(f"the layer plan puts {dup[0]} in more than one layer")
        missing = sorted({p.path for p in spec.closure} - set(planned))
        if missing:
            raise UserError(f"the layer plan misses {len(missing)} store path(s) of the closure, e.g. {missing[0]}")
    new = [NewLayer(None, paths, f"store paths: {list(paths)!r}", "store", owner=owner,
                    make=lambda paths=paths: layermod.store_layer_entries(paths, content, owner))
           for paths in store_layers]
    root, overrides = layermod.customisation_root(
        workdir, list(spec.contents), content, extra_commands=spec.extra_commands,
        fake_root_commands=spec.fake_root_commands, enable_fakechroot=spec.enable_fakechroot,
        prepare=_nix_db_step(spec, list(spec.contents), content))
    if spec.enable_fakechroot:
        warnings.append("enableFakechroot: fakeRootCommands ran in the layer directory under fakeroot, "
                        "without a chroot (absolute paths are not redirected into the layer)")
    cust_owner = layermod.Owner(owner.mtime, 0, 0, "", "")
    centries = layermod.tree_entries(root, owner=cust_owner, overrides=overrides)
    new.append(NewLayer(centries, (), f"customisation layer: contents {list(spec.contents)!r}", "customisation"))
    return new, warnings


def _nix_db_step(spec: ImageSpec, roots: list[str], content):
    """For the ``*WithNixDb`` builders: a step writing the Nix database into a layer root."""
    if not spec.builder.endswith("WithNixDb"):
        return None
    from .nixdb import write_nix_db

    return lambda root: write_nix_db(root, roots, list(spec.closure), content, cfgmod.epoch(spec.mtime))


def _layered_config(spec: ImageSpec, base: ImageData | None, layers: list[Layer]) -> bytes:
    doc = cfgmod.layered_config(
        created=spec.created, architecture=spec.architecture, os_name=spec.os,
        config=cfgmod.image_config(spec.config, base.config if base else None),
        diff_ids=["sha256:" + l.blob.digest for l in layers],
        comments=[l.comment for l in layers])
    return cfgmod.dumps_layered(doc)


def _stacked_layer(spec: ImageSpec, content, base: ImageData | None, workdir: str) -> tuple[list[Entry], tuple[str, ...]]:
    """buildImage's one new layer: copyToRoot copied, extraCommands, then the store closure once."""
    mtime = cfgmod.epoch(spec.mtime)
    copied = list(spec.copy_to_root) + list(spec.contents)
    if spec.run_as_root and spec.run_as_root.strip():
        from ..runasroot import run_as_root_layer

        entries, labels = run_as_root_layer(spec, content, base, workdir, copied=copied, mtime=mtime,
                                            keep_dirlinks=spec.keep_contents_dirlinks)
        if labels:
            cfg = dict(spec.config or {})
            spec.config = dict(cfg, Labels={**(cfg.get("Labels") or {}), **labels})
    else:
        root = layermod.copy_to_root(workdir, copied, content, keep_dirlinks=spec.keep_contents_dirlinks,
                                     extra_commands=spec.extra_commands, prepare=_nix_db_step(spec, copied, content))
        entries = layermod.tree_entries(root, owner=layermod.Owner(mtime, spec.uid, spec.gid, "", ""))
    in_base = _base_store_paths(base)
    closure = sorted({p.path for p in spec.closure} - in_base)
    if closure:
        have = {e.info.name for e in entries}
        store_owner = layermod.Owner(mtime, 0, 0, "root", "root")
        if "nix" not in have:
            entries.extend(layermod.nix_dirs(store_owner)[:1])
        if "nix/store" not in have:
            entries.extend(layermod.nix_dirs(store_owner)[1:])
        for p in closure:
            entries.extend(layermod.store_path_entries(p, content.location(p), store_owner))
    return entries, tuple(closure)


def new_layers(spec: ImageSpec, plan: LayerPlan | None, content, base: ImageData | None, workdir: str,
               strategy: str | None = None) -> tuple[list[NewLayer], list[str]]:
    """The layers ``spec`` adds on top of its base, with warnings: for a layered image the store
    layers of the plan and the customisation layer, for a stacked one its single layer."""
    if spec.builder in LAYERED:
        return _layered_parts(spec, plan, content, base, workdir, strategy)
    entries, closure = _stacked_layer(spec, content, base, workdir)
    return [NewLayer(entries, closure, "", "root")], []


def assign_cache_keys(spec: ImageSpec, new: list[NewLayer], content, cache, compression: str = "none") -> None:
    """Give each store layer its layer-cache key (nothing without a cache)."""
    if cache is None:
        return
    from .layercache import layer_key, tree_fingerprints

    nar = {p.path: p.nar_hash for p in spec.closure}
    store = [n for n in new if n.kind == "store" and n.owner is not None and n.paths]
    # the paths without a narHash are keyed by walking their trees: all walks at once, on both cores
    walks = tree_fingerprints([content.location(p) for n in store for p in n.paths if not nar.get(p)])
    for n in store:
        n.key = layer_key(n.paths, nar, content, n.owner, compression, walks)


def _planned_size(n: NewLayer, cache) -> int:
    """The tar size of a new layer for the progress bar: from its layer-cache record when it has
    one (a warm build must not walk the trees it will not tar), else from its entries."""
    if cache is not None and n.key:
        size = cache.recorded_size(n.key)
        if size is not None:
            return size
    return archive_size(n.entries)


def config_bytes(spec: ImageSpec, base: ImageData | None, layers: list[Layer]) -> bytes:
    """The image config of ``spec`` whose layers (base ones first) are ``layers``."""
    if spec.builder in LAYERED:
        return _layered_config(spec, base, layers)
    from .stacked import stacked_config_bytes

    return stacked_config_bytes(spec, base, [l.blob.digest for l in layers])


def write_image(spec: ImageSpec, plan: LayerPlan | None, content, out, opts: BuildOptions, workdir: str,
                ) -> BuildResult:
    """Write the image of ``spec`` to ``out`` (a binary file, or a directory path for ``oci``);
    the warnings of runAsRoot steps, also of images built on the way, end up in the result."""
    from ..runasroot import settings

    cache = opts.cache
    hits, corrupt = (cache.hits, cache.corrupt) if cache is not None else (0, 0)
    with settings(opts.run_timeout) as notes:
        result = _write_image(spec, plan, content, out, opts, workdir)
    result.warnings.extend(n for n in notes if n not in result.warnings)
    if cache is not None:
        result.reused = cache.hits - hits
        if cache.corrupt > corrupt:
            result.warnings.append(f"{cache.corrupt - corrupt} layer cache entr{'y was' if cache.corrupt - corrupt == 1 else 'ies were'} "
                                   f"damaged ({cache.root}); the layer was built again and the entry replaced")
    return result


def _write_image(spec: ImageSpec, plan: LayerPlan | None, content, out, opts: BuildOptions, workdir: str,
                 ) -> BuildResult:
    check_spec(spec)
    if opts.format not in FORMATS:
        raise UsageError(f"error: --format must be one of {', '.join(FORMATS)}, not {opts.format!r}")
    if opts.compress not in COMPRESSIONS:
        raise UsageError(f"error: --compress must be one of {', '.join(COMPRESSIONS)}, not {opts.compress!r}")
    if opts.format == "docker-archive" and opts.compress != "none":
        raise UsageError("error: --compress applies to OCI output; docker-archive layers are plain tars "
                         "(compress the whole archive instead)")
    if spec.builder == "mergeImages":
        return merge_images(spec, out, opts, workdir,
                            lambda sub, f, d: write_image(sub, None, content, f, BuildOptions(), d))
    if spec.builder == "exportImage":
        return export_image(spec, lambda: resolve_base(spec, content, workdir), out, opts)
    if spec.builder not in LAYERED + STACKED:
        raise UserError(f"{spec.builder} images cannot be built by nix2image{_at(spec)}")
    base = resolve_base(spec, content, workdir)
    name = image_name(spec.name)
    mtime = cfgmod.epoch(spec.mtime)

    new, warnings = new_layers(spec, plan, content, base, workdir, opts.strategy)
    make_config = (lambda layers: _layered_config(spec, base, layers)) if spec.builder in LAYERED else None
    compression = opts.compress if opts.format != "docker-archive" else "none"
    assign_cache_keys(spec, new, content, opts.cache, compression)

    total = None
    if opts.progress:
        total = sum(_planned_size(n, opts.cache) for n in new) + sum(l.blob.size for l in (base.layers if base else []))
    progress = Progress(total, opts.progress)
    try:
        if opts.format == "docker-archive":
            def layered(w: ArchiveWriter) -> tuple[bytes, list[Layer]]:
                cfg, _, layers = layered_archive(
                    w, base=base, new_layers=[(n.source(), list(n.paths), n.comment, n.kind, n.key) for n in new],
                    make_config=make_config, repo_tag=None,
                    tag_of=lambda c: f"{name}:{image_tag(spec.tag, c)}", layer_names=opts.layer_names or "digest")
                for l, n in zip(layers[len(layers) - len(new):], new):
                    l.kind = n.kind
                return cfg, layers

            unchanged = False
            if spec.builder in LAYERED and opts.unchanged_if and opts.cache is not None:
                w = DryArchiveWriter(mtime=mtime, cache=opts.cache)
                counts = (opts.cache.hits, opts.cache.misses, opts.cache.corrupt)
                try:
                    cfg, layers = layered(w)
                    unchanged = w.fingerprint.hexdigest() == opts.unchanged_if
                except NotUnchanged:
                    pass
                if not unchanged:  # the build below looks the layers up again
                    opts.cache.hits, opts.cache.misses, opts.cache.corrupt = counts
            if not unchanged:
                w = ArchiveWriter(out, mtime=mtime, spool_dir=workdir, progress=progress, cache=opts.cache)
                if spec.builder in LAYERED:
                    cfg, layers = layered(w)
                else:
                    from .stacked import stacked_archive

                    cfg, layers = stacked_archive(w, spec=spec, base=base, entries=new[0].entries,
                                                  closure=new[0].paths, name=name)
            rt = f"{name}:{image_tag(spec.tag, cfg)}"
            return BuildResult(output="", format=opts.format, repo_tag=rt,
                               config_digest=hashlib.sha256(cfg).hexdigest(),
                               layers=[BuiltLayer(l.blob.digest, l.blob.size, l.paths, l.kind) for l in layers],
                               warnings=warnings, unchanged=unchanged,
                               fingerprint=w.fingerprint.hexdigest() if spec.builder in LAYERED else "")
        return _write_oci(spec, base, new, out, opts, workdir, name, progress, warnings)
    finally:
        progress.finish()


def _write_oci(spec, base, new, out, opts, workdir, name, progress, warnings) -> BuildResult:
    from .oci_layout import OciWriter

    if opts.format == "oci":
        ow = OciWriter(directory=out, compression=opts.compress, spool_dir=workdir, progress=progress, cache=opts.cache)
    else:
        aw = ArchiveWriter(out, mtime=cfgmod.epoch(spec.mtime), spool_dir=workdir, progress=progress)
        ow = OciWriter(archive=aw, compression=opts.compress, spool_dir=workdir, progress=progress, cache=opts.cache)
    encs = []
    layers: list[Layer] = []
    for bl in (base.layers if base else []):
        encs.append(ow.add_blob(bl.blob))
        layers.append(Layer(blob=bl.blob, comment=f"store paths: {[bl.member]!r}", kind="base"))
    for n, e in zip(new, ow.add_layers([(n.source(), n.key) for n in new])):
        encs.append(e)
        layers.append(Layer(blob=Blob(e.diff_id, e.raw_size, ""), comment=n.comment, paths=n.paths, kind=n.kind))
    cfg = config_bytes(spec, base, layers)
    tag = image_tag(spec.tag, cfg)
    ow.finish(cfg, encs, tag, f"{name}:{tag}")
    return BuildResult(output="", format=opts.format, repo_tag=f"{name}:{tag}",
                       config_digest=hashlib.sha256(cfg).hexdigest(),
                       layers=[BuiltLayer(l.blob.digest, l.blob.size, l.paths, l.kind, e.digest)
                               for l, e in zip(layers, encs)], warnings=warnings)


# --- entry points ----------------------------------------------------------------------------

def _output_scratch(output: str, directory_ok: bool, hint: str = "") -> tuple[str, str]:
    """``(absolute output, scratch directory beside it)`` for ``-o output``, after checking it."""
    output = os.path.abspath(output)
    parent = os.path.dirname(output)
    if not os.path.isdir(parent):
        raise UsageError(f"error: -o {output}: directory {parent} does not exist")
    if not directory_ok and os.path.isdir(output):
        raise UsageError(f"error: -o {output} is a directory; give a file name{hint}")
    try:
        return output, make_scratch(parent)
    except OSError as err:
        raise UserError(f"cannot write into {parent}: {err.strerror}") from err


def build(spec: ImageSpec, plan: LayerPlan | None, content, output: str,
          opts: BuildOptions | None = None) -> BuildResult:
    """Build the image into ``output`` (a file, or a directory for ``--format oci``) atomically."""
    opts = opts or BuildOptions()
    output, workdir = _output_scratch(output, opts.format == "oci", " (or use --format oci)")
    cache = opts.cache
    try:
        if opts.format == "oci":
            tmp = os.path.join(workdir, "layout")
            os.mkdir(tmp)
            result = write_image(spec, plan, content, tmp, opts, workdir)
        else:
            if (cache is not None and opts.format == "docker-archive" and opts.unchanged_if is None
                    and spec.builder in LAYERED and "now" not in (spec.created, spec.mtime)):
                # (a stacked image never checks; one stamped "now" differs on every build)
                opts = dataclasses.replace(opts, unchanged_if=cache.output_fingerprint(output))
            fd, tmp = tempfile.mkstemp(prefix=".out-", dir=workdir)
            with os.fdopen(fd, "w+b") as f:
                result = write_image(spec, plan, content, f, opts, workdir)
            os.chmod(tmp, 0o644)
        if not result.unchanged:
            replace_atomically(tmp, output, workdir)
            if cache is not None and result.fingerprint:
                cache.remember_output(output, result.fingerprint)
    except OSError as err:
        raise UserError(f"writing {output} failed: {err.strerror or err}"
                        + (f" ({err.filename})" if err.filename else "")) from err
    finally:
        remove_tree(workdir)
    result.output = output
    return result


def stream(spec: ImageSpec, plan: LayerPlan | None, content, out: BinaryIO,
           opts: BuildOptions | None = None) -> BuildResult:
    """Write the image as a docker-archive (or OCI archive) to a non-seekable stream."""
    opts = opts or BuildOptions()
    if opts.format == "oci":
        raise UsageError("error: --format oci is a directory and cannot be streamed; use oci-archive")
    if opts.layer_names is None:  # a pipe: name layers by position so each streams out as it is tarred
        opts = dataclasses.replace(opts, layer_names="position")
    workdir = make_scratch(kind="stream")
    _widen_pipe(out)
    try:
        return write_image(spec, plan, content, _Unseekable(out), opts, workdir)
    finally:
        remove_tree(workdir)


def stream_to_file(spec: ImageSpec, plan: LayerPlan | None, content, output: str,
                   opts: BuildOptions | None = None) -> BuildResult:
    """``stream -o FILE``: the stream's bytes, written in a scratch directory beside ``output``
    and renamed onto it once complete."""
    output, workdir = _output_scratch(output, False)
    try:
        tmp = os.path.join(workdir, "stream.out")
        with open(tmp, "wb") as f:
            result = stream(spec, plan, content, f, opts)
        os.chmod(tmp, 0o644)
        replace_atomically(tmp, output, workdir)
    except OSError as err:
        raise UserError(f"writing {output} failed: {err.strerror or err}") from err
    finally:
        remove_tree(workdir)
    result.output = output
    return result


def _widen_pipe(out: BinaryIO) -> None:
    """When ``out`` is a pipe, make its buffer 1 MiB (Linux ``F_SETPIPE_SZ``, within
    ``/proc/sys/fs/pipe-max-size``): with the default 64 KiB each 1 MiB write wakes the reader
    sixteen times, and the two processes take turns instead of running side by side."""
    setsz = getattr(fcntl, "F_SETPIPE_SZ", None)
    try:
        fd = out.fileno()
        if setsz is None or not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return
        fcntl.fcntl(fd, setsz, PIPE_BUFFER)
    except (OSError, ValueError, AttributeError):
        pass  # not a descriptor, or a bound below 1 MiB: the default buffer works, only slower


PIPE_BUFFER = 1 << 20


class _Unseekable:
    """Forces the spooling path even when stdout happens to be a regular file."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f

    def write(self, b) -> int:
        return self.f.write(b)

    def flush(self) -> None:
        self.f.flush()

    def fileno(self) -> int:
        """The stream's descriptor, so layer bodies can be copied to it with ``sendfile``."""
        return self.f.fileno()

    def seekable(self) -> bool:
        return False

    def seek(self, *a):
        raise OSError("not seekable")
