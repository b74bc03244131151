# gomod2nix's overlay: buildGoApplication, mkGoEnv and gomod2nix in the package set.
final: prev: import ./lib.nix { inherit (final) mkOpaque; }
