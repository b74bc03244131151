# `import poetry2nix { inherit pkgs; }`.
{ pkgs ? import ../../nixpkgs { }, poetry ? null, ... }: import ./lib.nix { inherit pkgs; }
