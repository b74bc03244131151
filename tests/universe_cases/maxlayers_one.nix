# expect: {"error": ["maxLayers argument of dockerTools.buildLayeredImage function must be greather than 1 (current value: 1)"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "one"; maxLayers = 1; contents = [ pkgs.hello ]; }
