# options: ["--placeholders"]
# expect: {"warnings": ["missing import", "missing-app.nix"], "closure_includes": ["missing-app"]}
let pkgs = import <nixpkgs> { }; app = pkgs.callPackage ./missing-app.nix { }; in
pkgs.dockerTools.buildLayeredImage { name = "x"; contents = [ app ]; }
