# expect: {"error": ["defines 2 images; choose one with -A ATTR", "front", "back"]}
let pkgs = import <nixpkgs> { }; in
{ front = pkgs.dockerTools.buildLayeredImage { name = "front"; };
  back = pkgs.dockerTools.streamLayeredImage { name = "back"; }; }
