# options: ["--placeholders"]
# expect: {"closure_includes": ["svc-0.1.0", "glibc-2.39-52"], "warnings": ["'svc-0.1.0' (rustPlatform.buildRustPackage) is replaced by synthetic content"],
#   "config": {"Cmd": ["<svc-0.1.0>/bin/svc"], "Labels": {"org.nix2image.placeholders": "5"}}, "tag": "0.1.0"}
let pkgs = import <nixpkgs> { };
    svc = pkgs.rustPlatform.buildRustPackage { pname = "svc"; version = "0.1.0"; src = ./.; cargoHash = ""; };
in pkgs.dockerTools.buildLayeredImage { name = "svc"; tag = svc.version; config.Cmd = [ (pkgs.lib.getExe svc) ]; }
