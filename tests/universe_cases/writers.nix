# expect: {"files": {"tool/bin/tool": "#! <bash-5.2p26>/bin/bash\necho tool\n", "serve/bin/serve": "#! <python3-3.11.9>/bin/python3\nprint('hi')\n"},
#   "closure_includes": ["tool", "serve", "bash-5.2p26", "python3-3.11.9"],
#   "config": {"Cmd": ["<serve>/bin/serve"]}}
# pkgs.writers: scripts with their interpreter's store path on the first line
let pkgs = import <nixpkgs> { }; serve = pkgs.writers.writePython3Bin "serve" { } "print('hi')\n"; in
pkgs.dockerTools.buildLayeredImage {
  name = "writers";
  contents = [ (pkgs.writers.writeBashBin "tool" "echo tool\n") serve ];
  config.Cmd = [ (pkgs.lib.getExe serve) ];
}
