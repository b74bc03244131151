"""nix2image: read Nix files written for nixpkgs' dockerTools and build real images without Nix.

Pipeline (one way): source -> lexer/parser (translator.nix) -> AST -> lazy evaluator -> image spec
(translator.spec) + package universe (translator.universe) -> closure graph -> layering
(translator.layering) -> backends (translator.image, translator.registry).
"""

__version__ = "0.1.0"
