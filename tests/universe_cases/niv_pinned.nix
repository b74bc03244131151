# expect: {"closure_includes": ["hello-2.12.1"], "warnings": ["fetchTarball https://github.com/NixOS/nixpkgs/archive/63dacb46"]}
# niv pins nixpkgs with fetchTarball: the pin is the modelled nixpkgs
let
  sources = import ./niv/nix/sources.nix;
  pkgs = import sources.nixpkgs { };
in
pkgs.dockerTools.buildLayeredImage { name = "niv"; contents = [ pkgs.hello ]; }
