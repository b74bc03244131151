# exportImage: the flattened root filesystem of an image, as a tarball.
{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.exportImage {
  name = "hello-rootfs";
  fromImage = pkgs.dockerTools.buildImage {
    name = "hello";
    tag = "1";
    copyToRoot = [ pkgs.hello ];
  };
}
