# expect: {"config": {"Cmd": ["<busybox-static-x86_64-unknown-linux-musl-1.36.1>/bin/busybox", "hello from override"]}, "tag": "2"}
# callPackage fills formals from the package set; explicit arguments and .override win
let pkgs = import <nixpkgs> { };
    mkImage = { dockerTools, busybox, message ? "default", tag ? "1" }:
      dockerTools.buildLayeredImage { name = "cp"; inherit tag; config.Cmd = [ "${busybox}/bin/busybox" message ]; };
    img = pkgs.callPackage mkImage { busybox = pkgs.pkgsStatic.busybox; message = "hello from override"; };
in img.override { tag = "2"; }
