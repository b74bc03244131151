# expect: {"files": {"bin-sh/bin/sh": {"link": "<bash-interactive-5.2p26>/bin/bash"}, "usr-bin-env/usr/bin/env": {"link": "<coreutils-9.5>/bin/env"}},
#   "closure_includes": ["bin-sh", "usr-bin-env", "bash-interactive-5.2p26", "coreutils-9.5", "readline-8.2p10"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "base"; contents = with pkgs.dockerTools; [ binSh usrBinEnv ]; }
