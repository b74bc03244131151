"""CLI command modules. Each module defines click commands and a ``register(group)`` function.

One module per area so that areas do not edit the same file: ``nix_cmds`` (parse, eval),
``universe_cmds`` (spec, closure, images, catalog), ``layering_cmds`` (plan, compare, graph,
explain), ``image_cmds`` (build, stream, inspect), ``registry_cmds`` (push, pull).
"""

MODULES = ["nix_cmds", "universe_cmds", "layering_cmds", "image_cmds", "registry_cmds"]
