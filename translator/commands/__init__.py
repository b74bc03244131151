"""CLI command modules. Each module defines click commands and a ``register(group)`` function.

One module per area, so that areas do not edit the same file. :data:`COMMANDS` says which module
defines which command: the CLI imports a module only when one of its commands runs (``nix2image
eval`` never loads networkx or the image writer), and all of them for ``--help``.
Shared options for commands that take a Nix file live in ``spec_options``.
"""

COMMANDS = {
    "parse": "parse_cmd",
    "eval": "nix_cmds",
    "spec": "universe_cmds",
    "closure": "universe_cmds",
    "images": "universe_cmds",
    "catalog": "catalog_cmd",
    "plan": "layering_cmds",
    "compare": "layering_cmds",
    "graph": "layering_cmds",
    "explain": "layering_cmds",
    "build": "image_cmds",
    "stream": "image_cmds",
    "inspect": "image_cmds",
    "push": "registry_cmds",
    "pull": "registry_cmds",
    "report": "report_cmd",
}

MODULES = sorted(set(COMMANDS.values()))
