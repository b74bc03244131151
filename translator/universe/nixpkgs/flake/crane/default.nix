# ipetkov/crane, modelled: `import crane { inherit pkgs; }` is the crane library of that package set.
{ pkgs, ... }: pkgs.craneLib
