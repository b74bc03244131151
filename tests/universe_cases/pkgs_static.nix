# expect: {"closure": ["busybox-static-x86_64-unknown-linux-musl-1.36.1"], "config": {"Entrypoint": ["<busybox-static-x86_64-unknown-linux-musl-1.36.1>/bin/busybox"]}}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "bb"; config.Entrypoint = [ (pkgs.lib.getExe pkgs.pkgsStatic.busybox) ]; }
