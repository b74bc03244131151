# stdenv.mkDerivation with only a buildCommand runs like runCommand (real content); one with a
# src and build phases is opaque and needs --bind (here: a `--bind tool=PATH` or --placeholders).
{ pkgs ? import <nixpkgs> { } }:
let
  config = pkgs.stdenv.mkDerivation {
    name = "app-config";
    buildCommand = ''
      mkdir -p $out/etc/app
      printf 'level=%s\n' info > $out/etc/app/logging.conf
    '';
  };
  tool = pkgs.stdenv.mkDerivation {
    pname = "tool";
    version = "2.0";
    src = ./files;
    buildPhase = "make";
    installPhase = "make install PREFIX=$out";
  };
in
pkgs.dockerTools.streamLayeredImage {
  name = "mkderivation";
  contents = [ config tool ];
  config.Cmd = [ "${tool}/bin/tool" "--config" "${config}/etc/app/logging.conf" ];
  maxLayers = 10;
}
