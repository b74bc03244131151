# An image from the nixpkgs this flake pins: flake.lock names the tree by its narHash, as `nix
# flake lock` writes it. When that tree is in the local Nix store (Nix put it there when it
# fetched the input, or `nix-store --add-fixed --recursive sha256 source` of a checkout named
# `source`), nix2image evaluates it and the image holds its exact store paths; with
# --allow-fetch it downloads and verifies the pinned tarball; otherwise it says so once and uses
# its modelled nixpkgs. dockerTools comes from nix2image either way.
{
  description = "coreutils and bash from a pinned nixpkgs";

  inputs.nixpkgs.url = "github:auxolotl/core";

  outputs = { self, nixpkgs }:
    let
      system = "x86_64-linux";
      pkgs = nixpkgs.legacyPackages.${system};
    in
    {
      packages.${system}.default = pkgs.dockerTools.buildLayeredImage {
        name = "pinned-real";
        tag = "latest";
        contents = [ pkgs.coreutils pkgs.bash ];
        config = {
          Cmd = [ "${pkgs.bash}/bin/bash" "-c" "ls --version | head -n1" ];
          Env = [ "PATH=/bin" ];
        };
      };
    };
}
