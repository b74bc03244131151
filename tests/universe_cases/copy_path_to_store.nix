# expect: {"closure": ["greeting.txt.in"], "files": {"greeting.txt.in": "Hello, @who@ from @shell@\n"},
#   "config": {"Cmd": ["cat", "<greeting.txt.in>"]}}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "copy";
  contents = [ (pkgs.copyPathToStore ./files/greeting.txt.in) ];
  config.Cmd = [ "cat" "${./files/greeting.txt.in}" ];
}
