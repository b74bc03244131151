# An image that can run Nix inside: buildLayeredImageWithNixDb registers the image's store paths
# in a Nix database; usrBinEnv and caCertificates complete the environment.
{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildLayeredImageWithNixDb {
  name = "nix-inside";
  tag = "latest";
  contents = [
    pkgs.nix
    pkgs.bashInteractive
    pkgs.coreutils
    pkgs.dockerTools.usrBinEnv
    pkgs.dockerTools.binSh
    pkgs.dockerTools.caCertificates
    pkgs.dockerTools.fakeNss
  ];
  config = {
    Cmd = [ "/bin/sh" ];
    Env = [ "NIX_SSL_CERT_FILE=/etc/ssl/certs/ca-bundle.crt" "USER=root" ];
  };
}
