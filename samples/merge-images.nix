# mergeImages: two images in one docker-archive (docker load gets both).
{ pkgs ? import <nixpkgs> { } }:
let
  a = pkgs.dockerTools.buildLayeredImage { name = "a"; tag = "1"; contents = [ pkgs.hello ]; };
  b = pkgs.dockerTools.buildImage { name = "b"; tag = "1"; copyToRoot = [ pkgs.pkgsStatic.busybox ]; };
in
pkgs.dockerTools.mergeImages [ a b ]
