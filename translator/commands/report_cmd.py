"""``nix2image report``: one self-contained HTML page explaining an image (see translator/report/).

``report FILE [-A ATTR] [--compare OLD.nix ...] [--strategy S] -o report.html`` evaluates FILE
with the usual evaluation options (:func:`~.spec_options.spec_options`, the one place they are
declared), lays out and builds the image into a scratch archive (so the page shows the real
digests), and writes the page; ``report IMAGE.tar -o report.html`` reads an archive made
elsewhere and shows what it records.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path

import click

from ..builders import LAYERED, STACKED
from ..closure_io import atomic_write
from ..errors import UsageError, UserError
from .spec_options import OPTION_NAMES, spec_options

SUPPORTED = STACKED + LAYERED
COMPRESSED_MAGIC = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"BZh", b"\xfd7zXZ")


def is_archive(path: str) -> bool:
    """An image archive or OCI layout (as opposed to a Nix file or a flake directory)."""
    p = Path(path)
    if p.suffix == ".nix" or not p.exists():
        return False
    if p.is_dir():
        return (p / "oci-layout").exists() and not (p / "flake.nix").exists()
    with open(p, "rb") as f:
        head = f.read(6)
    return head.startswith(COMPRESSED_MAGIC) or tarfile.is_tarfile(p)


def _kind_of(spec, content):
    """Where a store path's content comes from: synthetic (placeholder), real or estimated."""
    synthetic = set(spec.extra.get("placeholders") or ())
    has = getattr(content, "has", None)
    cache: dict[str, str] = {}

    def kind(path: str) -> str:
        if path not in cache:
            if path in synthetic:
                cache[path] = "synthetic"
            else:
                cache[path] = "real" if has is None or has(path) else "estimated"
        return cache[path]

    return kind


def _layout(spec):
    """The layering input of ``spec`` as ``plan`` sees it, and the Layout the strategies are
    compared with: nixpkgs' layered budget (maxLayers minus the customisation and base layers)
    even for a buildImage, whose own plan is one layer."""
    from ..layering.budget import store_layer_budget
    from ..report.model import Layout
    from .layering_cmds import spec_input

    inp = spec_input(spec, None)
    budget = inp.store_layers if inp.default_strategy != "single" else \
        store_layer_budget(spec.max_layers, inp.base_layers)
    return Layout(inp.name, inp.graph, budget, inp.base_layers, inp.pipeline), inp


def _build(spec, plan, content):
    """(ArchiveFacts, None) for the image built into a scratch archive, or (None, why not)."""
    from ..image.build import BuildOptions, build
    from ..report.archive import read_archive

    workdir = tempfile.mkdtemp(prefix="nix2image-report-")
    try:
        out = os.path.join(workdir, "image.tar")
        result = build(spec, plan, content, out, BuildOptions())
        facts = read_archive(out)
        return facts, None, list(result.warnings)
    except UserError as err:
        return None, err.message.removeprefix("error: "), []
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def nix_report(file: str, compare: tuple[str, ...], strategy: str | None, max_nodes: int, opts: dict) -> tuple[str, list[str]]:
    """(HTML, warnings) for the image of a Nix file."""
    from ..report.model import from_spec
    from ..report.render import render
    from .layering_cmds import plan_input
    from .spec_options import load_spec

    spec, content = load_spec(file, **opts)
    if spec.builder not in SUPPORTED:
        raise UserError(f"report explains {', '.join(SUPPORTED)} images; {file} gives a {spec.builder}",
                        hint="build it and run `nix2image report IMAGE.tar` on the archive")
    stacked = spec.builder.startswith("buildImage")
    if strategy and stacked:
        raise UsageError(f"--strategy applies to layered images, not {spec.builder} (it makes one layer)")
    layout, inp = _layout(spec)
    plan = plan_input(inp, strategy, None, None)
    facts, build_error, build_warnings = _build(spec, None if stacked else plan, content)
    layouts, labels = [], []
    for old in compare:
        old_spec, _ = load_spec(old, **opts)
        layouts.append(_layout(old_spec)[0])
        labels.append(os.path.basename(old.split("#", 1)[0]))
    layouts.append(layout)
    labels.append(os.path.basename(file.split("#", 1)[0]))
    if len(set(labels)) != len(labels):
        labels = [f"v{i + 1}" for i in range(len(labels))]
    base = file if os.path.exists(file) else (file.split("#", 1)[0] or ".")
    source_dir = os.path.abspath(base if os.path.isdir(base) else os.path.dirname(base) or ".")
    report = from_spec(spec, layouts, labels, plan, facts, build_error, _kind_of(spec, content), file,
                       source_dir, max_nodes)
    warnings = list(spec.warnings) + list(plan.notes) + build_warnings
    if build_error:
        warnings.append(f"warning: the image was not built, so the report has no digests: {build_error}")
    return render(report), warnings


def archive_report(path: str) -> str:
    from ..report.archive import read_archive
    from ..report.model import from_archive
    from ..report.render import render

    return render(from_archive(read_archive(path), path))


@click.command("report")
@click.argument("file")
@click.option("-o", "--output", required=True, metavar="FILE.html", help="Where to write the page.")
@click.option("--compare", multiple=True, metavar="OLD.nix",
              help="An older version of FILE (repeatable, oldest first): the page shows the bytes each "
                   "strategy moves from one version to the next.")
@click.option("--strategy", default=None, metavar="S",
              help="Layering strategy of the image (default: its own, as nixpkgs: auto or its layeringPipeline).")
@click.option("--max-nodes", type=int, default=150, show_default=True,
              help="Above this many store paths the graph draws one node per layer (bounds the page size).")
@spec_options
def report_cmd(file, output, compare, strategy, max_nodes, **kw):
    """Write one self-contained HTML page explaining the image of FILE (or an image archive):
    at a glance, the evaluated call, the closure graph, the layers and why, strategies side by side,
    and how dockerTools builds it."""
    if not output.endswith((".html", ".htm")):
        raise UsageError(f"-o/--output: '{output}' must end in .html")
    opts = {k: kw[k] for k in OPTION_NAMES}
    if is_archive(file):
        ctx = click.get_current_context()
        given = [k for k in OPTION_NAMES
                 if ctx.get_parameter_source(k) not in (None, click.core.ParameterSource.DEFAULT)]
        if compare or strategy or given:
            raise UsageError(f"{file} is an image archive: --compare, --strategy and the evaluation options "
                             "apply to Nix files")
        html, warnings = archive_report(file), []
    else:
        from ..layering import STRATEGIES

        if strategy is not None and strategy not in STRATEGIES:
            raise UsageError(f"--strategy: unknown strategy '{strategy}' (choose from {', '.join(STRATEGIES)})")
        html, warnings = nix_report(file, tuple(compare), strategy, max_nodes, opts)
    for w in dict.fromkeys(warnings):
        click.echo(w if w.startswith("warning:") else f"warning: {w}", err=True)
    atomic_write(output, html)
    click.echo(f"wrote {output} ({len(html.encode())} bytes)", err=True)


def register(group: click.Group) -> None:
    group.add_command(report_cmd)
