# expect: {"error": ["fetchTarball", "example.org"]}
# a tarball that is not nixpkgs cannot be fetched offline
let src = builtins.fetchTarball "https://example.org/project.tar.gz"; pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "x"; contents = [ (pkgs.writeText "src" "${src}") ]; }
