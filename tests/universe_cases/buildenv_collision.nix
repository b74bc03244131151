# expect: {"error": ["collision between", "/etc/app.conf", "set ignoreCollisions = true"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "collide";
  copyToRoot = pkgs.buildEnv { name = "env"; paths = [ (pkgs.writeTextDir "etc/app.conf" "one\n") (pkgs.writeTextDir "etc/app.conf" "two\n") ]; };
}
