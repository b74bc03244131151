# expect: {"error": ["1 package is not in nix2image's catalog", "pkgs.notAPackage  at ", "unknown_package.nix:4:", "--catalog FILE"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "x"; contents = [ pkgs.notAPackage ];
}
