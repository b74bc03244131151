# expect: {"files": {"local/usr/local/etc": {"link": "<x.conf>/etc"}, "local/etc": {"absent": true}}}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "prefix";
  copyToRoot = pkgs.buildEnv { name = "local"; paths = [ (pkgs.writeTextDir "etc/x.conf" "x\n") ]; extraPrefix = "/usr/local"; };
}
