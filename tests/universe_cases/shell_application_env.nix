# expect: {"files": {"envy/bin/envy": "#!<bash-5.2p26>/bin/bash\nset -o errexit\nset -o pipefail\nLIST='a b'\nexport LIST\nMODE=prod\nexport MODE\n\necho \"$MODE\"\n"}}
# runtimeEnv becomes shell variables (lib.toShellVar, sorted by name) exported before the text;
# bashOptions chosen
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "envy"; contents = [ (pkgs.writeShellApplication {
  name = "envy"; bashOptions = [ "errexit" "pipefail" ];
  runtimeEnv = { MODE = "prod"; LIST = "a b"; };
  text = ''echo "$MODE"'';
}) ]; }
