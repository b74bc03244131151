# expect: {"from_image": {"kind": "spec", "image_name": "base", "image_tag": "1", "spec.name": "base"},
#   "closure": ["glibc-2.39-52", "jq-1.7.1-bin", "jq-1.7.1-lib", "libidn2-2.3.7", "libunistring-1.1", "oniguruma-6.9.9-lib", "xgcc-13.2.0-libgcc"]}
let pkgs = import <nixpkgs> { };
    base = pkgs.dockerTools.buildImage { name = "base"; tag = "1"; copyToRoot = [ pkgs.pkgsStatic.busybox ]; };
in
pkgs.dockerTools.buildLayeredImage { name = "app"; fromImage = base; contents = [ pkgs.jq ]; }
