# `import flake-parts`: the flake's outputs (lib.mkFlake, flakeModules).
import ./lib.nix { lib = import ../../nixpkgs/lib; }
