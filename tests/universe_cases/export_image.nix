# expect: {"builder": "exportImage", "name": "rootfs", "from_image": {"kind": "spec", "image_name": "src"}, "disk_size": 1024}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.exportImage { name = "rootfs"; fromImage = pkgs.dockerTools.buildImage { name = "src"; tag = "x"; }; }
