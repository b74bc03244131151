# expect: {"builder": "buildLayeredImage", "name": "hello", "tag": "latest",
#   "roots": ["hello-2.12.1"],
#   "closure": ["glibc-2.39-52", "hello-2.12.1", "libidn2-2.3.7", "libunistring-1.1", "xgcc-13.2.0-libgcc"],
#   "config": {"Cmd": ["<hello-2.12.1>/bin/hello"]}, "max_layers": 100, "no_warnings": true}
{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildLayeredImage {
  name = "hello";
  tag = "latest";
  contents = [ pkgs.hello ];
  config.Cmd = [ "${pkgs.hello}/bin/hello" ];
}
