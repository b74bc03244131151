# `import flake-utils` (a niv or fetchTarball pin): the same functions as the flake's `lib`.
import ./lib.nix { lib = import ../../nixpkgs/lib; }
