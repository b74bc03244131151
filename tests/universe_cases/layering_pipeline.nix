# expect: {"layering_pipeline": [["popularity_contest"], ["limit_layers", 10]], "max_layers": 20}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.streamLayeredImage { name = "lp"; maxLayers = 20;
  layeringPipeline = [ [ "popularity_contest" ] [ "limit_layers" 10 ] ]; }
