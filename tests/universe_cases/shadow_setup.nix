# expect: {"builder": "buildImage", "roots": ["shadow-4.14.6", "bash-5.2p26"],
#   "closure_includes": ["shadow-4.14.6", "linux-pam-1.6.1", "bash-5.2p26"], "closure_excludes": ["hello-2.12.1"]}
# runAsRoot is kept for the backend; the store paths it mentions (shadow from shadowSetup) are part
# of buildImage's closure, those of extraCommands are not
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "users";
  runAsRoot = ''
    ${pkgs.dockerTools.shadowSetup}
    useradd -r app
  '';
  extraCommands = "mkdir -p tmp; test -e ${pkgs.hello}";
}
