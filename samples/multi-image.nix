# Several images in one file: every command lists them and asks for one (-A frontend, -A backend).
{ pkgs ? import <nixpkgs> { } }:
{
  frontend = pkgs.dockerTools.buildLayeredImage {
    name = "frontend";
    contents = [ pkgs.nginx ];
    config.Cmd = [ "${pkgs.nginx}/bin/nginx" "-g" "daemon off;" ];
  };
  backend = pkgs.dockerTools.streamLayeredImage {
    name = "backend";
    contents = [ pkgs.nodejs ];
    config.Cmd = [ (pkgs.lib.getExe pkgs.nodejs) ];
  };
  merged = pkgs.dockerTools.mergeImages [ ];
}
