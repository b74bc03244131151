# expect: {"error": ["missing-app.nix", "--bind ./missing-app.nix=PATH", "--placeholders"]}
let pkgs = import <nixpkgs> { }; app = pkgs.callPackage ./missing-app.nix { }; in
pkgs.dockerTools.buildLayeredImage { name = "x"; contents = [ app ]; }
