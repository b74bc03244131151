# Overlays with nixpkgs' fixed-point semantics: the overlay adds a script that uses a package
# from `final` and renames the image's tool set.
let
  pkgs = import <nixpkgs> {
    overlays = [
      (final: prev: {
        greet = final.writeShellScriptBin "greet" ''
          ${final.hello}/bin/hello -g "hi from an overlay"
        '';
      })
      (final: prev: {
        imageTools = [ prev.greet final.coreutils ];
      })
    ];
  };
in
pkgs.dockerTools.buildLayeredImage {
  name = "overlay-demo";
  contents = pkgs.imageTools;
  config.Cmd = [ (pkgs.lib.getExe pkgs.greet) ];
}
