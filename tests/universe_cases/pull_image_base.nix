# expect: {"from_image": {"kind": "pull", "image_name": "alpine", "image_tag": "3.19"}, "closure_includes": ["hello-2.12.1"]}
let pkgs = import <nixpkgs> { };
    alpine = pkgs.dockerTools.pullImage {
      imageName = "alpine";
      imageDigest = "sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b";
      sha256 = "sha256-5Ts+8ymjLyoVUgxnx0nXIL0PFSHlXRZAKTTmGMlLPpo=";
      finalImageTag = "3.19";
    };
in
pkgs.dockerTools.buildLayeredImage { name = "on-alpine"; fromImage = alpine; contents = [ pkgs.hello ]; }
