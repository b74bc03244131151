# expect: {"builder": "buildImage", "name": "empty", "tag_is_hash": true, "architecture": "amd64",
#   "created": "1970-01-01T00:00:01Z", "uid": 0, "gid": 0, "closure": [], "config": null,
#   "include_store_paths": true, "keep_contents_dirlinks": false, "disk_size": 1024,
#   "build_vm_memory_size": 512, "run_as_root": null, "extra_commands": ""}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage { name = "empty"; }
