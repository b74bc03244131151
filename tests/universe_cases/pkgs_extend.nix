# expect: {"config": {"Cmd": ["<marker>"]}, "closure": ["marker"]}
let pkgs = (import <nixpkgs> { }).extend (final: prev: { marker = final.writeText "marker" "m"; }); in
pkgs.dockerTools.buildLayeredImage { name = "ext"; config.Cmd = [ "${pkgs.marker}" ]; }
