# A flake with flake-parts: perSystem defines a script package and the image; the image refers
# to the package through self'.
#   nix2image spec samples/flake-parts#docker
{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
    flake-parts.url = "github:hercules-ci/flake-parts";
  };
  outputs = inputs@{ flake-parts, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } {
      systems = [ "x86_64-linux" "aarch64-linux" ];
      perSystem = { pkgs, self', lib, system, ... }: {
        packages.greeter = pkgs.writeShellScriptBin "greeter" ''
          echo "hello from ${system}"
        '';
        packages.docker = pkgs.dockerTools.buildLayeredImage {
          name = "greeter";
          tag = "latest";
          contents = [ self'.packages.greeter pkgs.bashInteractive ];
          config.Cmd = [ (lib.getExe self'.packages.greeter) ];
        };
      };
    };
}
