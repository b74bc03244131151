{ a, b ? 10, ... }@args: a + b + builtins.length (builtins.attrNames args)
