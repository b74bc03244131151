# expect: {"architecture": "arm64", "closure_includes": ["hello-aarch64-unknown-linux-gnu-2.12.1", "glibc-aarch64-unknown-linux-gnu-2.39-52"], "config": {"Labels": {"system": "aarch64-linux", "config": "aarch64-unknown-linux-gnu"}}}
# import <nixpkgs> { crossSystem = ...; }: packages for the other platform (derived from the
# catalog when it does not describe them), the image architecture follows
let pkgs = import <nixpkgs> { crossSystem = { config = "aarch64-unknown-linux-gnu"; }; }; in
pkgs.dockerTools.buildLayeredImage {
  name = "cross";
  contents = [ pkgs.hello ];
  config.Labels = { system = pkgs.stdenv.hostPlatform.system; config = pkgs.stdenv.hostPlatform.config; };
}
