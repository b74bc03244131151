{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
    crane.url = "github:ipetkov/crane";
    rust-overlay.url = "github:oxalica/rust-overlay";
    flake-utils.url = "github:numtide/flake-utils";
  };
  outputs = { self, nixpkgs, crane, rust-overlay, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = import nixpkgs { inherit system; overlays = [ (import rust-overlay) ]; };
        toolchain = pkgs.rust-bin.stable.latest.default;
        craneLib = (crane.mkLib pkgs).overrideToolchain toolchain;
        bin = craneLib.buildPackage { pname = "crabby"; version = "0.2.0"; src = craneLib.cleanCargoSource ./.; };
      in {
        packages.image = pkgs.dockerTools.streamLayeredImage {
          name = "crabby";
          contents = [ bin ];
          config.Cmd = [ "${bin}/bin/crabby" ];
        };
      });
}
