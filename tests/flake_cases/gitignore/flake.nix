{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  inputs.gitignore.url = "github:hercules-ci/gitignore.nix";
  inputs.nix-filter.url = "github:numtide/nix-filter";
  outputs = { self, nixpkgs, gitignore, nix-filter }:
    let pkgs = nixpkgs.legacyPackages.x86_64-linux;
        app = pkgs.buildNpmPackage { pname = "web"; version = "1.0.0"; src = gitignore.lib.gitignoreSource ./.; npmDepsHash = ""; };
        src2 = nix-filter.lib { root = ./.; include = [ "flake.nix" ]; };
    in {
      packages.x86_64-linux.image = pkgs.dockerTools.buildLayeredImage {
        name = "web";
        config.Cmd = [ "${pkgs.nodejs_20}/bin/node" "${app}/lib/node_modules/web/index.js" ];
        config.Labels.src = "${src2}";
      };
    };
}
