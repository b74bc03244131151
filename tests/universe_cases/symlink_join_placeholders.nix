# options: ["--placeholders"]
# expect: {"closure_includes": ["joined", "hello-2.12.1", "busybox-1.36.1"],
#   "files": {"joined/bin/hello": {"link": "<hello-2.12.1>/bin/hello"}, "joined/bin/busybox": {"link": "<busybox-1.36.1>/bin/busybox"},
#             "joined/bin": {"dir": true}, "joined/READY": "yes\n"},
#   "warnings": ["synthetic placeholder content"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "joined";
  contents = [ (pkgs.symlinkJoin { name = "joined"; paths = [ pkgs.hello pkgs.busybox ]; postBuild = "echo yes > $out/READY"; }) ];
}
