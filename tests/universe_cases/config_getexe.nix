# expect: {"roots": ["jq-1.7.1-bin", "nss-cacert-3.98"], "closure_includes": ["jq-1.7.1-bin", "jq-1.7.1-lib", "oniguruma-6.9.9-lib"],
#   "closure_excludes": ["jq-1.7.1-dev", "jq-1.7.1"],
#   "config": {"Entrypoint": ["<jq-1.7.1-bin>/bin/jq"], "Cmd": ["<nss-cacert-3.98>/etc/ssl/certs/ca-bundle.crt"]},
#   "extra": {"config_references": ["<jq-1.7.1-bin>", "<nss-cacert-3.98>"]}}
# config references become roots of a layered image (nixpkgs adds the config's closure)
{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildLayeredImage {
  name = "jq";
  config.Entrypoint = [ (pkgs.lib.getExe pkgs.jq) ];
  config.Cmd = [ "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt" ];
}
