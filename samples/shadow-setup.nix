# runAsRoot with dockerTools.shadowSetup to create a user (run in private namespaces),
# base tools from binSh/usrBinEnv and an explicit uid/gid for the image files.
{ pkgs ? import <nixpkgs> { } }:
pkgs.dockerTools.buildImage {
  name = "with-user";
  tag = "latest";
  copyToRoot = pkgs.buildEnv {
    name = "root";
    paths = [ pkgs.dockerTools.binSh pkgs.dockerTools.usrBinEnv pkgs.coreutils pkgs.shadow ];
    pathsToLink = [ "/bin" "/usr" ];
  };
  runAsRoot = ''
    #!${pkgs.runtimeShell}
    ${pkgs.dockerTools.shadowSetup}
    groupadd -r app
    useradd -r -g app app
    mkdir -p /home/app
    chown app:app /home/app
  '';
  config = {
    User = "app";
    WorkingDir = "/home/app";
    Cmd = [ "/bin/sh" ];
  };
  diskSize = 2048;
}
