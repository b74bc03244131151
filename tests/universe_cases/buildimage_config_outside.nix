# expect: {"closure": ["nss-cacert-3.98"], "copy_to_root": ["nss-cacert-3.98"],
#   "warnings": ["config refers to /nix/store/"],
#   "extra": {"config_references_outside_closure": ["<hello-2.12.1>"]}}
# buildImage copies only copyToRoot's closure; the config's store paths are not added
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "outside";
  copyToRoot = [ pkgs.cacert ];
  config.Cmd = [ "${pkgs.hello}/bin/hello" ];
}
