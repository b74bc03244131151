# options: ["--system", "aarch64-linux"]
# expect: {"config": {"Labels": {"linux": "1", "aarch64": "1", "system": "aarch64-linux"}}, "architecture": "arm64"}
{ pkgs ? import <nixpkgs> { }, lib ? pkgs.lib }:
pkgs.dockerTools.buildLayeredImage {
  name = "plat";
  config.Labels = {
    linux = if pkgs.stdenv.hostPlatform.isLinux then "1" else "0";
    aarch64 = lib.optionalString pkgs.stdenv.hostPlatform.isAarch64 "1";
    system = pkgs.stdenv.hostPlatform.system;
  };
}
