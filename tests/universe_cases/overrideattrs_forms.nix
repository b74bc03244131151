# options: ["--placeholders"]
# expect: {"closure_includes": ["hello-9.9", "svc-2.0", "svc-3.0-patched"], "tag": "9.9-2.0-3.0-patched",
#   "config": {"Env": ["A=hello-9.9", "B=svc-2.0", "C=svc-3.0-patched", "P=yes"], "Labels": {"org.nix2image.placeholders": "7"}}}
# overrideAttrs in both forms: the name follows a new version, a new name wins
let pkgs = import <nixpkgs> { };
    h = pkgs.hello.overrideAttrs (old: { version = "9.9"; });
    svc0 = pkgs.buildGoModule { pname = "svc"; version = "1.0"; src = ./.; vendorHash = null; };
    svc = svc0.overrideAttrs (final: prev: { version = "2.0"; passthru = prev.passthru // { p = "yes"; }; });
    svc3 = svc.overrideAttrs (old: { name = "svc-3.0-patched"; });
in pkgs.dockerTools.buildLayeredImage {
  name = "o"; tag = "${h.version}-${svc.version}-${pkgs.lib.removePrefix "svc-" svc3.name}";
  contents = [ h svc svc3 ];
  config.Env = [ "A=${h.name}" "B=${svc.name}" "C=${svc3.name}" "P=${svc.p}" ];
}
