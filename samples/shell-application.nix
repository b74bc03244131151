# writeShellApplication: a script with its runtimeInputs on PATH, used as the entrypoint via
# lib.getExe; busybox-like tools come from coreutils and curl.
{ pkgs ? import <nixpkgs> { } }:
let
  healthcheck = pkgs.writeShellApplication {
    name = "healthcheck";
    runtimeInputs = [ pkgs.curl pkgs.coreutils ];
    text = ''
      curl -fsS "http://localhost:''${PORT:-8080}/health" | head -c 200
    '';
  };
  entrypoint = pkgs.writeShellScriptBin "entrypoint" ''
    echo "starting on port ''${PORT:-8080}"
    exec ${pkgs.python3}/bin/python3 -m http.server "''${PORT:-8080}"
  '';
in
pkgs.dockerTools.streamLayeredImage {
  name = "py-http";
  tag = "1.0";
  contents = [ entrypoint healthcheck pkgs.dockerTools.binSh ];
  config = {
    Entrypoint = [ (pkgs.lib.getExe entrypoint) ];
    Healthcheck = {
      Test = [ "CMD" (pkgs.lib.getExe healthcheck) ];
      Interval = 30000000000;
    };
    Env = [ "PORT=8080" ];
  };
}
