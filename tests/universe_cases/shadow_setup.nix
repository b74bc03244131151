# expect: {"builder": "buildImage", "closure": [], "extra_commands": "mkdir -p tmp"}
# runAsRoot keeps shadowSetup for the backend; the shadow package it mentions is a build input,
# not part of the image
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "users";
  runAsRoot = ''
    ${pkgs.dockerTools.shadowSetup}
    useradd -r app
  '';
  extraCommands = "mkdir -p tmp";
}
