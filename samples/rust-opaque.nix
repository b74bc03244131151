# A Rust service built with rustPlatform.buildRustPackage: nix2image cannot compile it, so the
# image needs its build output:
#   nix-build -A app ...; nix2image spec rust-opaque.nix --bind myservice=./result
# or synthetic content for a dry run: nix2image spec rust-opaque.nix --placeholders
{ pkgs ? import <nixpkgs> { } }:
let
  app = pkgs.rustPlatform.buildRustPackage {
    pname = "myservice";
    version = "1.4.0";
    src = ./.;
    cargoHash = "sha256-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";
    meta.mainProgram = "myservice";
  };
in
pkgs.dockerTools.buildLayeredImage {
  name = "myservice";
  tag = app.version;
  contents = [ app pkgs.cacert ];
  config = {
    Entrypoint = [ (pkgs.lib.getExe app) ];
    Env = [ "SSL_CERT_FILE=${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt" ];
  };
}
