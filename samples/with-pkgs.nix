# `with pkgs;` style, several tools on PATH through a buildEnv at the image root.
let
  pkgs = import <nixpkgs> { };
in
with pkgs;
dockerTools.buildImage {
  name = "toolbox";
  tag = "v1";
  copyToRoot = buildEnv {
    name = "toolbox-root";
    paths = [ bashInteractive coreutils curl jq git dockerTools.caCertificates ];
    pathsToLink = [ "/bin" "/etc" ];
  };
  config = {
    Cmd = [ "/bin/bash" ];
    Env = [ "PATH=/bin" "SSL_CERT_FILE=/etc/ssl/certs/ca-bundle.crt" ];
  };
}
