# expect: {"error": ["needs the content of 'svc-0.1.0', built by rustPlatform.buildRustPackage", "opaque_rust_error.nix:4:7", "--bind svc=./result"]}
let pkgs = import <nixpkgs> { };
    svc = pkgs.rustPlatform.buildRustPackage {
      pname = "svc";
      version = "0.1.0";
      src = ./.;
      cargoHash = "";
    };
in pkgs.dockerTools.buildLayeredImage { name = "svc"; contents = [ svc ]; }
