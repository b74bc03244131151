# expect: {"builder": "streamLayeredImage", "name": "s", "max_layers": 100, "mtime": "1970-01-01T00:00:01Z",
#   "created": "1970-01-01T00:00:01Z", "uname": "root", "gname": "root", "uid": 0, "gid": 0,
#   "enable_fakechroot": false, "fake_root_commands": "", "closure": [], "config": {}}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.streamLayeredImage { name = "s"; }
