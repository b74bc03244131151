{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
    flake-parts.url = "github:hercules-ci/flake-parts";
    systems.url = "github:nix-systems/default";
  };
  outputs = inputs@{ flake-parts, systems, ... }:
    flake-parts.lib.mkFlake { inherit inputs; } ({ withSystem, ... }: {
      systems = import systems;
      perSystem = { config, pkgs, inputs', ... }: {
        packages.tool = pkgs.writeShellScriptBin "tool" "echo ${inputs'.nixpkgs.legacyPackages.hello.pname}";
      };
      flake.images.tool = withSystem "x86_64-linux" ({ config, pkgs, ... }:
        pkgs.dockerTools.streamLayeredImage {
          name = "tool";
          contents = [ config.packages.tool ];
          config.Entrypoint = [ "${config.packages.tool}/bin/tool" ];
        });
    });
}
