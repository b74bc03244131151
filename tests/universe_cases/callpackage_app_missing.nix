# expect: {"error": ["argument 'app' of", "has no value", "--bind app=PATH", "callpackage_app_missing.nix:3"]}
# a project's own package is not in any catalog: it must be bound
{ dockerTools, app }:
dockerTools.buildLayeredImage { name = "app"; contents = [ app ]; }
