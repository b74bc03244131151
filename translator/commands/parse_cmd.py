"""``nix2image parse``: show how a Nix file (or ``-E`` text) parses.

The default output is the S-expression form of :func:`translator.nix.ast_dump.to_sexpr`;
``--json`` prints the JSON tree, ``--nix`` the normalised text ``nix-instantiate --parse`` prints.
As in Nix, variables are bound while parsing: a name no scope (nor ``with``) can supply is
``undefined variable`` with Nix's position and exit status.
"""

from __future__ import annotations

import sys

import click

from ..errors import UsageError


@click.command("parse")
@click.argument("file", required=False, type=click.Path(dir_okay=True))
@click.option("-E", "--expr", "expr", metavar="EXPR", help="Parse EXPR instead of a file.")
@click.option("--json", "as_json", is_flag=True, help="Print the AST as JSON (type, fields, pos).")
@click.option("--nix", "as_nix", is_flag=True, help="Print what `nix-instantiate --parse` prints.")
def parse_command(file: str | None, expr: str | None, as_json: bool, as_nix: bool) -> None:
    """Parse FILE (or -E EXPR) as Nix and print its syntax tree."""
    from ..errors import register_source
    from ..nix import ast_dump
    from ..nix.evaluator import check_bindings
    from ..nix.parser import parse_file, parse_string

    if (file is None) == (expr is None):
        raise UsageError("give exactly one of FILE or -E EXPR")
    if as_json and as_nix:
        raise UsageError("--json and --nix cannot be combined")
    if expr is not None:
        register_source("«string»", expr)
        tree = parse_string(expr, "«string»")
    elif file == "-":
        text = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")  # as a file is read
        register_source("«stdin»", text)
        tree = parse_string(text, "«stdin»")
    else:
        tree = parse_file(file)
    check_bindings(tree)  # Nix binds variables while parsing: `x: y` is an error here too
    if as_json:
        text = ast_dump.to_json(tree)
    elif as_nix:
        text = ast_dump.to_nix_parse_format(tree)
    else:
        text = ast_dump.to_sexpr(tree)
    # source bytes that are not UTF-8 survive as surrogates: write them back as the same bytes
    out = sys.stdout.buffer
    out.write(text.encode("utf-8", "surrogateescape") + b"\n")
    out.flush()


def register(group: click.Group) -> None:
    """Add ``parse`` to the CLI group."""
    group.add_command(parse_command)
