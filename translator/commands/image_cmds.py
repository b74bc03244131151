"""``nix2image build``, ``stream`` and ``inspect``: images from Nix files, to disk or stdout (the
click commands; what ``build`` and ``stream`` do, and their options, are in :mod:`.image_main`)."""

from __future__ import annotations

import json

import click

from . import image_main, plain_options


def _spec_decorator(fn):
    try:
        from .spec_options import spec_options
    except ImportError:  # universe area not present
        return click.option("-A", "--attr", default=None)(fn)
    return spec_options(fn)


def _command(name: str, main) -> click.Command:
    """The click command ``name`` running ``main``, its options made from :mod:`.image_main`."""
    return plain_options.click_command(name, main, image_main.OPTIONS[name], image_main.ARGUMENT, _spec_decorator)


build_cmd = _command("build", image_main.build_main)
stream_cmd = _command("stream", image_main.stream_main)


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
