# `import gomod2nix { inherit pkgs; }`.
{ pkgs ? import ../../nixpkgs { }, ... }: import ./lib.nix { inherit (pkgs) mkOpaque; }
