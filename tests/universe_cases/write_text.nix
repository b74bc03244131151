# expect: {"closure": ["motd"], "files": {"motd": "hello, world\n"}}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "text";
  contents = [ (pkgs.writeText "motd" "hello, world\n") ];
}
