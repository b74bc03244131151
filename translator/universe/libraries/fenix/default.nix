# `import fenix { inherit pkgs; }`: the toolchains for that package set.
{ pkgs ? import ../../nixpkgs { }, ... }: import ./lib.nix { inherit pkgs; inherit (pkgs) lib; }
