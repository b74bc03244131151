# expect: {"closure_includes": ["check", "jq-1.7.1-bin", "bash-5.2p26", "oniguruma-6.9.9-lib"],
#   "files": {"check/bin/check": "#!<bash-5.2p26>/bin/bash\nset -o errexit\nset -o nounset\nset -o pipefail\n\nexport PATH=\"<jq-1.7.1-bin>/bin:$PATH\"\n\njq . \"$1\"\n"},
#   "config": {"Entrypoint": ["<check>/bin/check"]}}
let pkgs = import <nixpkgs> { };
    check = pkgs.writeShellApplication { name = "check"; runtimeInputs = [ pkgs.jq ]; text = ''jq . "$1"''; };
in
pkgs.dockerTools.buildLayeredImage { name = "check"; config.Entrypoint = [ (pkgs.lib.getExe check) ]; }
