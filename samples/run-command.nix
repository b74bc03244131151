# runCommand, symlinkJoin and linkFarm with real content: the image gets a generated /etc file,
# a merged bin/ and a farm of links.
{ pkgs ? import <nixpkgs> { } }:
let
  motd = pkgs.runCommand "motd" { greeting = "Welcome"; } ''
    mkdir -p $out/etc
    echo "$greeting to $name" > $out/etc/motd
    date -u -d @0 +%Y >> $out/etc/motd
  '';
  tools = pkgs.symlinkJoin {
    name = "tools";
    paths = [ pkgs.coreutils pkgs.gnugrep ];
    postBuild = "echo joined > $out/JOINED";
  };
  farm = pkgs.linkFarm "farm" [
    { name = "etc/motd"; path = "${motd}/etc/motd"; }
    { name = "bin/ls"; path = "${pkgs.coreutils}/bin/ls"; }
  ];
in
pkgs.dockerTools.buildLayeredImage {
  name = "run-command";
  contents = [ motd tools farm ];
  config.Cmd = [ "${tools}/bin/cat" "/etc/motd" ];
}
