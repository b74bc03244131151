"""CLI command modules. Each module defines click commands and a ``register(group)`` function.

One module per area so that areas do not edit the same file: ``parse_cmd`` (parse), ``nix_cmds``
(eval), ``universe_cmds`` (spec, closure, images, catalog), ``layering_cmds`` (plan, compare,
graph, explain), ``image_cmds`` (build, stream, inspect), ``registry_cmds`` (push, pull).
Shared options for commands that take a Nix file live in ``spec_options`` (owned by the universe area).
"""

MODULES = ["parse_cmd", "nix_cmds", "universe_cmds", "layering_cmds", "image_cmds", "registry_cmds", "catalog_cmd"]
