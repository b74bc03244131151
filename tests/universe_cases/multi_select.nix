# options: ["-A", "images.back"]
# expect: {"name": "back", "builder": "streamLayeredImage"}
let pkgs = import <nixpkgs> { }; in
{ images = {
    front = pkgs.dockerTools.buildLayeredImage { name = "front"; };
    back = pkgs.dockerTools.streamLayeredImage { name = "back"; };
  };
}
