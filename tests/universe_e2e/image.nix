# The image of the end-to-end test: the app from drvs.nix, whose closure nix2image must find in
# the Nix database exactly as `nix-store -qR` reports it.
{ pkgs ? import <nixpkgs> { } }:
let drvs = import ./drvs.nix; in
pkgs.dockerTools.buildLayeredImage {
  name = "e2e";
  tag = "latest";
  contents = [ drvs.app ];
  config.Cmd = [ "${drvs.app}/bin/app" ];
}
