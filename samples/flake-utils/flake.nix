# A flake with flake-utils: a Go service (opaque: bind its build output) and its image for each
# default system.
#   nix2image spec samples/flake-utils#image --bind server=./result
#   nix2image spec samples/flake-utils#image --placeholders
{
  description = "Go service image";
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
    flake-utils.url = "github:numtide/flake-utils";
  };
  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        server = pkgs.buildGoModule {
          pname = "server";
          version = "0.3.1";
          src = ./.;
          vendorHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
          meta.mainProgram = "server";
        };
      in {
        packages = {
          default = server;
          image = pkgs.dockerTools.buildLayeredImage {
            name = "server";
            tag = server.version;
            contents = [ pkgs.dockerTools.caCertificates ];
            config = {
              Cmd = [ "${server}/bin/server" ];
              ExposedPorts."8080/tcp" = { };
            };
          };
        };
      });
}
