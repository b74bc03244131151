# Local files in the image: substituteAll fills a template, copyPathToStore and "${./file}"
# import files exactly as Nix names them in the store.
{ pkgs ? import <nixpkgs> { } }:
let
  conf = pkgs.substituteAll {
    src = ./files/app.conf.in;
    appName = "demo";
    port = "8080";
    shell = pkgs.runtimeShell;
  };
  start = pkgs.copyPathToStore ./files/start.sh;
in
pkgs.dockerTools.buildLayeredImage {
  name = "substitute";
  contents = [ pkgs.bash ];
  config = {
    Cmd = [ "${pkgs.bash}/bin/bash" start ];
    Env = [ "APP_CONFIG=${conf}" ];
  };
}
