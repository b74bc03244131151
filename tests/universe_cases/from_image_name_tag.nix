# expect: {"from_image": {"kind": "archive"}, "from_image_name": "base", "from_image_tag": "v1", "extra": {"compressor": "none"}}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage { name = "n"; fromImage = ./files/greeting.txt.in; fromImageName = "base"; fromImageTag = "v1"; compressor = "none"; }
