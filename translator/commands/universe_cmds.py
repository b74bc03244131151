"""``nix2image spec``, ``closure`` and ``images``: what a Nix file's images are made of.

* ``spec FILE``: the evaluated image spec (every argument with nixpkgs' defaults) and its closure;
  ``--json`` for machines.
* ``closure FILE``: the store paths with sizes and references; ``--json`` in exportReferencesGraph
  form (what nixpkgs' layering scripts and ``nix2image plan --closure`` read), ``--dot`` as a graph.
* ``images FILE``: the image attributes a file or flake defines.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any

import click

from ..builders import LAYERED
from ..closure_io import atomic_write
from .spec_options import OPTION_NAMES, load_options, spec_options


def _opts(kw: dict) -> dict:
    return {k: kw[k] for k in OPTION_NAMES}


def _print_warnings(spec) -> None:
    for w in spec.warnings:
        click.echo(w if w.startswith("warning:") else f"warning: {w}", err=True)


def _write(text: str, output: str | None) -> None:
    """Print, or write to ``output`` through a temp file renamed into place."""
    if output is None:
        click.echo(text, nl=False)
        return
    atomic_write(output, text)


def closure_sizes(closure) -> dict[str, int]:
    """closureSize of every path (sum of narSize over its closure), as exportReferencesGraph gives."""
    by = {i.path: i for i in closure}
    memo: dict[str, set[str]] = {}

    def reach(p: str) -> set[str]:
        if p in memo:
            return memo[p]
        seen = {p}
        stack = [p]
        while stack:
            q = stack.pop()
            info = by.get(q)
            if info is None:
                continue
            for r in info.references:
                if r not in seen:
                    seen.add(r)
                    stack.append(r)
        memo[p] = seen
        return seen

    return {p: sum(by[q].nar_size for q in reach(p) if q in by) for p in by}


def reference_graph(closure) -> list[dict[str, Any]]:
    """The closure in exportReferencesGraph / closureInfo JSON form, sorted by path."""
    sizes = closure_sizes(closure)
    out = []
    for info in sorted(closure, key=lambda i: i.path):
        out.append({
            "closureSize": sizes[info.path],
            "narHash": info.nar_hash or "",
            "narSize": info.nar_size,
            "path": info.path,
            "references": sorted(set(info.references)),
        })
    return out


def _spec_data(spec) -> dict[str, Any]:
    d = asdict(spec)
    d["closure"] = reference_graph(spec.closure)
    return d


def _human_size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _render_spec(spec, indent: str = "") -> str:
    lines = [f"{indent}image {spec.name}:{spec.tag or '(hash)'}  ({spec.builder})"]
    if spec.origin:
        lines.append(f"{indent}  from        {spec.origin}")
    if spec.builder == "pullImage":
        for k, v in sorted((spec.extra.get("pull") or {}).items()):
            lines.append(f"{indent}  {k:<11} {v}")
        return "\n".join(lines) + "\n"
    if spec.from_image is not None:
        fi = spec.from_image
        desc = {"spec": f"image {fi.image_name}:{fi.image_tag}", "pull": f"pullImage {fi.image_name}:{fi.image_tag}",
                "archive": f"archive {fi.path}"}[fi.kind]
        lines.append(f"{indent}  fromImage   {desc}")
    fields = [("architecture", spec.architecture), ("created", spec.created), ("uid/gid", f"{spec.uid}/{spec.gid}")]
    if spec.builder in LAYERED:
        fields += [("mtime", spec.mtime), ("maxLayers", spec.max_layers), ("uname/gname", f"{spec.uname}/{spec.gname}")]
    for k, v in fields:
        lines.append(f"{indent}  {k:<11} {v}")
    for label, items in (("contents", spec.contents), ("copyToRoot", spec.copy_to_root)):
        if items:
            lines.append(f"{indent}  {label}:")
            lines += [f"{indent}    {p}" for p in items]
    if spec.config:
        lines.append(f"{indent}  config:")
        for line in json.dumps(spec.config, indent=2, sort_keys=True).splitlines():
            lines.append(f"{indent}    {line}")
    for label, text in (("runAsRoot", spec.run_as_root), ("extraCommands", spec.extra_commands),
                        ("fakeRootCommands", spec.fake_root_commands)):
        if text:
            lines.append(f"{indent}  {label}: {len(text.splitlines())} line(s)")
    total = sum(i.nar_size for i in spec.closure)
    lines.append(f"{indent}  closure: {len(spec.closure)} store paths, {_human_size(total)}")
    for info in spec.closure:
        lines.append(f"{indent}    {_human_size(info.nar_size):>10}  {info.path}")
    for sub in spec.images:
        lines.append(_render_spec(sub, indent + "  ").rstrip("\n"))
    if spec.from_image is not None and spec.from_image.spec is not None:
        lines.append(f"{indent}  base image:")
        lines.append(_render_spec(spec.from_image.spec, indent + "    ").rstrip("\n"))
    return "\n".join(lines) + "\n"


@click.command("spec")
@click.argument("file")
@spec_options
@click.option("--json", "as_json", is_flag=True, help="Print the spec as JSON.")
@click.option("-o", "--output", default=None, metavar="FILE", help="Write to FILE instead of stdout.")
def spec_cmd(file, as_json, output, **kw):
    """Evaluate FILE and show the image spec: every argument (nixpkgs defaults applied) and the closure."""
    from ..universe.load import load_spec

    spec, _source = load_spec(file, load_options(**_opts(kw)))
    _print_warnings(spec)
    if as_json:
        _write(json.dumps(_spec_data(spec), indent=2, sort_keys=True) + "\n", output)
    else:
        _write(_render_spec(spec), output)


@click.command("closure")
@click.argument("file")
@spec_options
@click.option("--json", "as_json", is_flag=True, help="exportReferencesGraph JSON (path, narSize, narHash, closureSize, references).")
@click.option("--dot", "as_dot", is_flag=True, help="Graphviz DOT of the reference graph.")
@click.option("-o", "--output", default=None, metavar="FILE", help="Write to FILE instead of stdout.")
def closure_cmd(file, as_json, as_dot, output, **kw):
    """The store paths an image of FILE contains, with sizes and references."""
    from ..errors import UsageError
    from ..universe.load import load_spec

    if as_json and as_dot:
        raise UsageError("--json and --dot: choose one")
    spec, _source = load_spec(file, load_options(**_opts(kw)))
    _print_warnings(spec)
    closure = spec.closure
    if as_json:
        _write(json.dumps(reference_graph(closure), indent=2) + "\n", output)
    elif as_dot:
        lines = ["digraph closure {", "  rankdir=LR;", "  node [shape=box, fontname=\"monospace\"];"]
        for info in sorted(closure, key=lambda i: i.path):
            label = info.path.split("-", 1)[1] if "-" in info.path else info.path
            lines.append(f'  "{info.path}" [label="{label}\\n{_human_size(info.nar_size)}"];')
        for info in sorted(closure, key=lambda i: i.path):
            for r in sorted(set(info.references)):
                if r != info.path:
                    lines.append(f'  "{info.path}" -> "{r}";')
        lines.append("}")
        _write("\n".join(lines) + "\n", output)
    else:
        sizes = closure_sizes(closure)
        out = []
        for info in sorted(closure, key=lambda i: i.path):
            out.append(f"{info.path}  narSize={info.nar_size}  closureSize={sizes[info.path]}  "
                       f"references={len([r for r in set(info.references) if r != info.path])}")
        total = sum(i.nar_size for i in closure)
        out.append(f"{len(closure)} paths, {total} bytes")
        _write("\n".join(out) + "\n", output)


@click.command("images")
@click.argument("file")
@spec_options
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def images_cmd(file, as_json, **kw):
    """List the images FILE (a Nix file or flake) defines, by attribute."""
    from ..universe.load import list_images

    found = list_images(file, load_options(**_opts(kw)))
    if as_json:
        click.echo(json.dumps([{"attr": a, "builder": b, "imageName": n} for a, b, n in found], indent=2))
        return
    if not found:
        click.echo(f"{file}: no images", err=True)
        sys.exit(1)
    for a, b, n in found:
        click.echo(f"{a or '(the file itself)'}\t{b}\t{n}")


def register(group: click.Group) -> None:
    group.add_command(spec_cmd)
    group.add_command(closure_cmd)
    group.add_command(images_cmd)
