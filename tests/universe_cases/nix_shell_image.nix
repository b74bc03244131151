# options: ["--placeholders"]
# expect: {"builder": "streamLayeredImage", "name": "p-1-env", "closure_includes": ["jq-1.7.1-bin", "bash-interactive-5.2p26"], "closure_excludes": ["p-1"],
#   "config": {"Cmd": ["<bash-interactive-5.2p26>/bin/bash"], "User": "1000:1000", "WorkingDir": "/build",
#   "Env": ["HOME=/build", "PATH=<bash-interactive-5.2p26>/bin:<coreutils-9.5>/bin:<jq-1.7.1-bin>/bin"],
#   "Labels": {"org.nix2image.placeholders": "17"}}}
# dockerTools.streamNixShellImage: the build environment of a derivation as an image
let pkgs = import <nixpkgs> { };
    d = pkgs.stdenv.mkDerivation { pname = "p"; version = "1"; src = ./.; buildInputs = [ pkgs.jq ]; };
in pkgs.dockerTools.streamNixShellImage { drv = d; }
