# expect: {"architecture": "arm64", "closure_includes": ["hello-aarch64-unknown-linux-gnu-2.12.1"]}
let pkgs = (import <nixpkgs> { }).pkgsCross.aarch64-multiplatform; in
pkgs.dockerTools.buildLayeredImage { name = "arm"; contents = [ pkgs.hello ]; }
