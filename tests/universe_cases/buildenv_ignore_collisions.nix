# expect: {"files": {"env/etc/app.conf": {"link": "<app.conf>/etc/app.conf"}}, "closure_includes": ["env", "app.conf"]}
# the first package wins when collisions are ignored
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "collide";
  copyToRoot = pkgs.buildEnv { name = "env"; ignoreCollisions = true;
    paths = [ (pkgs.writeTextDir "etc/app.conf" "one\n") (pkgs.writeTextDir "etc/app.conf" "two\n") ]; };
}
