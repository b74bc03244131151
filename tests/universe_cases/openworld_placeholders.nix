# options: ["--placeholders"]
# expect: {"warnings": ["4 packages not in nix2image's catalog are replaced by labelled synthetic packages",
#   "pkgs.kmod", "openworld_placeholders.nix:11:16", "pkgs.python3Packages.not-in-catalog", "pkgs.nodePackages.typescript", "pkgs.psmisc"],
#   "closure_includes": ["kmod", "glibc-2.39-52", "not-in-catalog", "python3-3.11.9", "typescript", "nodejs-20.12.2", "psmisc", "hello-2.12.1"],
#   "config": {"Cmd": ["<hello-2.12.1>/bin/hello"], "Env": ["HAS=false", "VIA_OR=hello"], "Labels": {"org.nix2image.placeholders": "32"}}}
# missing packages become stand-ins with their kind's runtime; `?`, `or` and attrNames see only
# what exists
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "open";
  contents = [ pkgs.kmod pkgs.python3Packages.not-in-catalog pkgs.hello pkgs.nodePackages.typescript ]
    ++ (with pkgs; [ psmisc ]);
  config.Cmd = [ "${pkgs.not-a-package or pkgs.hello}/bin/hello" ];
  config.Env = [ "HAS=${pkgs.lib.boolToString (pkgs ? kmod)}" "VIA_OR=${(pkgs.kmod2 or pkgs.hello).pname}" ];
}
