# expect: {"needs_namespaces": true, "closure": ["copied"], "files": {"copied/share/g.txt": "Hello, @who@ from @shell@\n", "copied/share/w.txt": "from writeText"}}
# a script reads its inputs at their store paths (a local file and another builder's output);
# copies of their content do not refer to them, so the closure is the output alone
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "rc"; contents = [ (pkgs.runCommand "copied" { } ''
  mkdir -p $out/share
  cp ${./files/greeting.txt.in} $out/share/g.txt
  cat ${pkgs.writeText "w" "from writeText"} > $out/share/w.txt
'') ]; }
