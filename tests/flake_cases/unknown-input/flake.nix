{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  inputs.devenv.url = "github:cachix/devenv";
  outputs = { self, nixpkgs, devenv }:
    let pkgs = nixpkgs.legacyPackages.x86_64-linux; in {
      packages.x86_64-linux.image = pkgs.dockerTools.buildLayeredImage {
        name = "uses-devenv";
        contents = [ devenv.packages.x86_64-linux.devenv ];
      };
      packages.x86_64-linux.plain = pkgs.dockerTools.buildLayeredImage { name = "plain"; contents = [ pkgs.hello ]; };
    };
}
