# expect: {"closure": ["glibc-2.39-52", "hello-2.12.1", "libidn2-2.3.7", "libunistring-1.1", "nss-cacert-3.98", "xgcc-13.2.0-libgcc"],
#   "copy_to_root": ["nss-cacert-3.98"], "roots": ["nss-cacert-3.98", "hello-2.12.1"],
#   "extra": {"config_references": ["<hello-2.12.1>"]}}
# buildImage copies the closure of its layer, to which the config contributes (nixpkgs'
# documentation: "its closure (to which contents, config and runAsRoot contribute)")
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "config-refs";
  copyToRoot = [ pkgs.cacert ];
  config.Cmd = [ "${pkgs.hello}/bin/hello" ];
}
