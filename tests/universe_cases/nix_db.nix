# expect: {"builder": "buildLayeredImageWithNixDb", "extra": {"includeNixDB": true}, "closure_includes": ["nix-2.18.2"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImageWithNixDb { name = "nix"; contents = [ pkgs.nix ]; }
