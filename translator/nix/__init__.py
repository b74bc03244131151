"""The Nix language front end: lexer, parser, AST, lazy evaluator, values, builtins, printer."""
