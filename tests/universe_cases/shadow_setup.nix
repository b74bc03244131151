# expect: {"builder": "buildImage", "roots": ["shadow-4.14.6", "bash-5.2p26", "coreutils-9.5"],
#   "closure_includes": ["shadow-4.14.6", "linux-pam-1.6.1", "bash-5.2p26"], "closure_excludes": ["hello-2.12.1"]}
# the store paths runAsRoot mentions (shadow from shadowSetup) and those of nixpkgs' wrapper around
# it (runtimeShell, coreutils on PATH) are part of buildImage's closure, those of extraCommands are not
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "users";
  runAsRoot = ''
    ${pkgs.dockerTools.shadowSetup}
    useradd -r app
  '';
  extraCommands = "mkdir -p tmp; test -e ${pkgs.hello}";
}
