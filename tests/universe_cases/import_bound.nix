# options: ["--bind", "./app.nix=@TMP@/result"]
# expect: {"closure": ["result"], "config": {"Cmd": ["<result>/bin/app"]}}
let pkgs = import <nixpkgs> { }; app = pkgs.callPackage ./app.nix { }; in
pkgs.dockerTools.buildLayeredImage { name = "x"; config.Cmd = [ "${app}/bin/app" ]; }
