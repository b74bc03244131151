# An arm64 image built from pkgsCross: the architecture is recorded in the image config.
let
  pkgs = import <nixpkgs> { };
  arm = pkgs.pkgsCross.aarch64-multiplatform;
in
arm.dockerTools.buildLayeredImage {
  name = "hello-arm64";
  tag = "latest";
  contents = [ arm.hello ];
  config.Cmd = [ "${arm.hello}/bin/hello" ];
}
