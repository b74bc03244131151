# expect: {"closure": ["hi"], "files": {"hi/bin/hi": "#!/bin/sh\necho hi\n", "hi/bin/hi": {"exec": true}},
#   "config": {"Cmd": ["<hi>/bin/hi"]}}
let pkgs = import <nixpkgs> { }; hi = pkgs.writeScriptBin "hi" "#!/bin/sh\necho hi\n"; in
pkgs.dockerTools.buildLayeredImage { name = "hi"; config.Cmd = [ (pkgs.lib.getExe hi) ]; }
