# expect: {"files": {"tool/libexec/tool/run": {"exec": true}, "tool/libexec/tool/run": "#!/bin/sh\nexit 0\n"}, "closure": ["tool"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "t"; contents = [ (pkgs.writeTextFile {
  name = "tool"; destination = "/libexec/tool/run"; executable = true; text = "#!/bin/sh\nexit 0\n"; }) ]; }
