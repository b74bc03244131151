# expect: {"config": {"cmd": ["hello"], "Entrypoint": "/bin/sh -c", "X-Custom": 1},
#   "warnings": ["config key 'cmd' is not an image config key (did you mean 'Cmd'?)",
#                "config.Entrypoint is a string", "config key 'X-Custom'"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "odd";
  config = { cmd = [ "hello" ]; Entrypoint = "/bin/sh -c"; X-Custom = 1; };
}
