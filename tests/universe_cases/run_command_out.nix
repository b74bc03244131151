# expect: {"closure": ["selfref"], "files": {"selfref/etc/where": "<selfref>\n", "selfref/bin/tool": {"exec": true}}}
# $out is the store path: a file mentioning it refers to its own output
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "selfref";
  contents = [ (pkgs.runCommand "selfref" { } ''
    mkdir -p $out/etc $out/bin
    echo "$out" > $out/etc/where
    printf '#!/bin/sh\n' > $out/bin/tool; chmod +x $out/bin/tool
  '') ];
}
