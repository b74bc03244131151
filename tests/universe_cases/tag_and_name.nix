# expect: {"name": "ghcr.io/Org/App", "tag_is_hash": true, "config": {"Labels": {"name": "ghcr.io/org/app", "tagLen": "32"}}}
# imageName is lower-cased; without a tag, imageTag is the hash part of the output path
let pkgs = import <nixpkgs> { };
    img = pkgs.dockerTools.buildLayeredImage { name = "ghcr.io/Org/App"; };
    img2 = pkgs.dockerTools.buildLayeredImage { name = "ghcr.io/Org/App";
      config.Labels = { name = img.imageName; tagLen = toString (builtins.stringLength img.imageTag); }; };
in img2
