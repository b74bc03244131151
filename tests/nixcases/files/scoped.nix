[ x (y + 1) (builtins.length [ 1 2 ]) ]
