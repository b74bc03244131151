# expect: {"error": ["attribute 'notAPackage' missing", "unknown_package.nix:4:", "--catalog FILE"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "x"; contents = [ pkgs.notAPackage ];
}
