# expect: {"files": {"farm/etc/motd": {"link": "<motd>"}, "farm/bin/hello": {"link": "<hello-2.12.1>/bin/hello"}},
#   "closure_includes": ["farm", "motd", "hello-2.12.1", "glibc-2.39-52"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "farm";
  contents = [ (pkgs.linkFarm "farm" { "etc/motd" = pkgs.writeText "motd" "hi"; "bin/hello" = "${pkgs.hello}/bin/hello"; }) ];
}
