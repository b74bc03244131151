# expect: {"builder": "buildLayeredImage", "closure": ["glibc-2.39-52", "hello-2.12.1", "libidn2-2.3.7", "libunistring-1.1", "xgcc-13.2.0-libgcc"]}
let pkgs = import <nixpkgs> { }; dockerTools = pkgs.dockerTools.override { }; in
dockerTools.buildLayeredImage { name = "ov"; contents = pkgs.hello; }
