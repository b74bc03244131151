# expect: {"error": ["unexpected argument 'copyToRot'", "stream_unknown_arg.nix:3"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.streamLayeredImage {
  name = "bad"; copyToRot = [ pkgs.hello ];
}
