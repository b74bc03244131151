"""The Nix language front end: lexer, parser, AST, lazy evaluator, values, builtins, printer."""

#: The cycle collector's thresholds while Nix code is evaluated (and, in the ``nix2image``
#: command, for the whole process). An evaluation allocates millions of small objects that mostly
#: live to its end; a young-generation collection walks every young object and what it refers to
#: (300 ns an object on a real nixpkgs, mostly cache misses) to free the 5-20% that are cycles
#: (environments of unforced thunks). So the young generation is a million objects (not 700): an
#: evaluation of one package from a real nixpkgs (0.4-0.9 million objects) never collects, -15%
#: CPU for +3 to +10 MB of peak memory, and a larger one collects every million objects, which
#: bounds the garbage it keeps. (With 100,000, each package paid 4-9 collections of 30 ms.)
#: Older generations are collected rarely. Measured on the stdenv bootstrap of
#: ``../shared/nixpkgs-core`` (docs/benchmarks.md); with the command's quick exit, a larger heap
#: is no longer freed at the end.
GC_THRESHOLDS = (1_000_000, 50, 1000)
