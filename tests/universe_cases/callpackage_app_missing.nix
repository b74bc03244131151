# expect: {"error": ["1 package is not in nix2image's catalog", "pkgs.app  at ", "callpackage_app_missing.nix:3:16", "--bind app=./result", "--catalog FILE", "--placeholders"]}
# a project's own package is not in any catalog: it must be bound
{ dockerTools, app }:
dockerTools.buildLayeredImage { name = "app"; contents = [ app ]; }
