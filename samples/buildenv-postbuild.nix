# buildEnv with pathsToLink, extraPrefix, ignoreCollisions and a postBuild script run by bash:
# copyToRoot of the result puts /usr/local/bin and /usr/local/share into the image.
{ pkgs ? import <nixpkgs> { } }:
let
  env = pkgs.buildEnv {
    name = "usr-local";
    paths = [ pkgs.curl pkgs.jq pkgs.gnused ];
    pathsToLink = [ "/bin" "/share" ];
    extraPrefix = "/usr/local";
    ignoreCollisions = true;
    postBuild = ''
      mkdir -p $out/etc
      ls $out/usr/local/bin | sort > $out/etc/tools.txt
    '';
  };
in
pkgs.dockerTools.buildImage {
  name = "usr-local";
  tag = "latest";
  copyToRoot = env;
  config = {
    Env = [ "PATH=/usr/local/bin" ];
    Cmd = [ "/usr/local/bin/jq" "--version" ];
  };
}
