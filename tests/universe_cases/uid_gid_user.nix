# expect: {"uid": 1000, "gid": 100, "uname": "app", "gname": "users", "mtime": "2024-01-01T00:00:00Z", "created": "now"}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "u"; uid = 1000; gid = 100; uname = "app"; gname = "users";
  mtime = "2024-01-01T00:00:00Z"; created = "now"; }
