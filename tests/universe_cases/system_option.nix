# options: ["--system", "aarch64-linux"]
# expect: {"architecture": "arm64", "config": {"Env": ["SYSTEM=aarch64-linux"]}}
{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildLayeredImage { name = "sys"; config.Env = [ "SYSTEM=${pkgs.system}" ]; }
