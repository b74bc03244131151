# expect: {"error": ["unexpected argument 'copyToRoot'", "stream_unknown_arg.nix:3"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.streamLayeredImage {
  name = "bad"; copyToRoot = [ pkgs.hello ];
}
