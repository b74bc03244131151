# expect: {"builder": "mergeImages", "images": ["a", "b"]}
let pkgs = import <nixpkgs> { };
in pkgs.dockerTools.mergeImages [
  (pkgs.dockerTools.buildLayeredImage { name = "a"; contents = [ pkgs.hello ]; })
  (pkgs.dockerTools.buildImage { name = "b"; })
]
