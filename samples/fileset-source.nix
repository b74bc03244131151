# lib.fileset.toSource picks project files for a derivation's src; the image serves them with a
# static file server from the catalog.
{ pkgs ? import <nixpkgs> { } }:
let
  site = pkgs.lib.fileset.toSource {
    root = ./files;
    fileset = pkgs.lib.fileset.unions [ ./files/app.conf.in ./files/start.sh ];
  };
in
pkgs.dockerTools.buildLayeredImage {
  name = "static-files";
  contents = [ pkgs.busybox ];
  config = {
    Cmd = [ "${pkgs.busybox}/bin/httpd" "-f" "-h" "${site}" ];
    WorkingDir = "${site}";
  };
}
