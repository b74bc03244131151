# expect: {"needs_namespaces": true, "closure": ["site"], "files": {"site/www/greeting.txt.in": "Hello, @who@ from @shell@\n"}}
# a path attribute reaches the script as its store path (copied, as `derivation` does)
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "site"; contents = [ (pkgs.runCommand "site" { src = ./files; } ''
  mkdir -p $out/www
  cp $src/greeting.txt.in $out/www/
'') ]; }
