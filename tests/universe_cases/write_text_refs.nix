# expect: {"closure": ["glibc-2.39-52", "hello-2.12.1", "libidn2-2.3.7", "libunistring-1.1", "xgcc-13.2.0-libgcc", "run.conf"],
#   "files": {"run.conf": "exec=<hello-2.12.1>/bin/hello\n"}}
# a text mentioning a store path refers to it: its closure comes along
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "text-refs";
  contents = [ (pkgs.writeText "run.conf" "exec=${pkgs.hello}/bin/hello\n") ];
}
