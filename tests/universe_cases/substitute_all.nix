# expect: {"files": {"greeting.txt.in": "Hello, world from <bash-5.2p26>/bin/bash\n"},
#   "closure_includes": ["greeting.txt.in", "bash-5.2p26"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "subst";
  contents = [ (pkgs.substituteAll { src = ./files/greeting.txt.in; who = "world"; shell = pkgs.runtimeShell; }) ];
}
