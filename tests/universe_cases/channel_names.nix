# expect: {"closure": ["busybox-1.36.1", "glibc-2.39-52", "hello-2.12.1", "libidn2-2.3.7", "libunistring-1.1", "xgcc-13.2.0-libgcc"]}
# <nixpkgs-unstable>, <nixos-unstable>, <unstable> are the modelled nixpkgs too
let pkgs = import <nixpkgs-unstable> { }; unstable = import <unstable> { }; in
pkgs.dockerTools.buildLayeredImage { name = "ch"; contents = [ pkgs.hello unstable.busybox ]; }
