# `import crane { inherit pkgs; }` (older crane, pinned by niv or fetchTarball): the library for pkgs.
{ pkgs, ... }: import ./lib.nix { inherit (pkgs) lib; } pkgs
