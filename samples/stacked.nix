# Images on images: a layered application image on top of a buildImage base, built in the same
# evaluation (fromImage is another image value).
{ pkgs ? import <nixpkgs> { } }:
let
  base = pkgs.dockerTools.buildImage {
    name = "base";
    tag = "1";
    copyToRoot = [ pkgs.dockerTools.binSh pkgs.dockerTools.usrBinEnv pkgs.coreutils ];
    config.Env = [ "PATH=/bin:/usr/bin" ];
  };
in
pkgs.dockerTools.buildLayeredImage {
  name = "app-on-base";
  tag = "2";
  fromImage = base;
  contents = [ pkgs.jq ];
  config.Cmd = [ "${pkgs.jq}/bin/jq" "--version" ];
}
