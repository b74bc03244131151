# options: ["--placeholders"]
# expect: {"copy_to_root": ["image-root"], "closure_includes": ["image-root", "redis-7.2.4"],
#   "files": {"image-root/bin": {"link": "<redis-7.2.4>/bin"}, "image-root/share": {"absent": true},
#             "image-root/nix-support": {"absent": true}},
#   "config": {"Cmd": ["/bin/redis-server"], "WorkingDir": "/data", "Volumes": {"/data": {}}, "Labels": {"org.nix2image.placeholders": "14"}}}
# one package providing /bin: buildEnv links the whole directory
{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildImage {
  name = "redis";
  copyToRoot = pkgs.buildEnv { name = "image-root"; paths = [ pkgs.redis ]; pathsToLink = [ "/bin" ]; };
  config = { Cmd = [ "/bin/redis-server" ]; WorkingDir = "/data"; Volumes."/data" = { }; };
}
