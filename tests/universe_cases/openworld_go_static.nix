# options: ["--placeholders"]
# expect: {"closure": ["gosvc-1.0"], "config": {"Entrypoint": ["<gosvc-1.0>/bin/gosvc"], "Labels": {"org.nix2image.placeholders": "1"}}}
# a Go binary built without cgo is static: its closure is itself
let pkgs = import <nixpkgs> { };
    go = pkgs.buildGoModule { pname = "gosvc"; version = "1.0"; src = ./.; vendorHash = null; env.CGO_ENABLED = 0; };
in pkgs.dockerTools.buildLayeredImage { name = "g"; config.Entrypoint = [ (pkgs.lib.getExe go) ]; }
