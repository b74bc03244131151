# A tiny image: a statically linked busybox from pkgsStatic and nothing else (buildImage with
# the deprecated `contents` argument, which nixpkgs still accepts with a warning).
{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildImage {
  name = "busybox-static";
  tag = pkgs.pkgsStatic.busybox.version;
  contents = pkgs.pkgsStatic.busybox;
  config = {
    Entrypoint = [ "/bin/sh" ];
  };
}
