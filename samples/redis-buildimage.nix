# nixpkgs' classic buildImage example: redis with copyToRoot (a buildEnv linking bin/) and a
# runAsRoot script preparing /data.
{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildImage {
  name = "redis";
  tag = "latest";
  copyToRoot = pkgs.buildEnv {
    name = "image-root";
    paths = [ pkgs.redis ];
    pathsToLink = [ "/bin" ];
  };
  runAsRoot = ''
    #!${pkgs.runtimeShell}
    mkdir -p /data
  '';
  config = {
    Cmd = [ "/bin/redis-server" ];
    WorkingDir = "/data";
    Volumes = { "/data" = { }; };
  };
}
