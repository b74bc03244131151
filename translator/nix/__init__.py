"""The Nix language front end: lexer, parser, AST, lazy evaluator, values, builtins, printer."""

#: The cycle collector's thresholds while Nix code is evaluated (and, in the ``nix2image``
#: command, for the whole process): an evaluation allocates millions of small objects that mostly
#: live to its end, so a young generation of 100,000 objects (not 700) and rare older collections.
#: Lower costs more collections; higher, or none at all, costs more than it saves (a larger heap:
#: more page faults and cache misses), measured on a real nixpkgs' stdenv bootstrap.
GC_THRESHOLDS = (100_000, 50, 1000)
