# expect: {"files": {"env/greeting.txt.in": {"link": "<files>/greeting.txt.in"}, "joined/greeting.txt.in": {"link": "<files>/greeting.txt.in"}},
#   "closure_includes": ["env", "joined", "files"]}
# path literals given to buildEnv/symlinkJoin are copied to the store first, as Nix does
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "lp"; contents = [
  (pkgs.buildEnv { name = "env"; paths = [ ./files ]; })
  (pkgs.symlinkJoin { name = "joined"; paths = [ ./files ]; })
]; }
