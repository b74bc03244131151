# expect: {"closure": ["cfg"], "files": {"cfg/etc/app.conf": "level=info\n"}}
# mkDerivation with only a buildCommand is as runnable as runCommand
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "cfg"; contents = [ (pkgs.stdenv.mkDerivation {
  name = "cfg"; buildCommand = "mkdir -p $out/etc; echo level=info > $out/etc/app.conf"; }) ]; }
