# Evaluate a flake's outputs the way `nix build .#x` would, with modelled inputs.
#   dir         the flake's directory (a path)
#   modelled    input name -> the library model standing for it (a name in
#               ../../libraries/inputs.nix, or "unknown:<what>"), or the input's value itself
#               (a stand-in under --placeholders)
#   binds       "attr.path" -> package value, replacing those outputs (seen through `self` too)
#   tracked     paths git tracks (the flake's source is those files), or null
#   sourceInfo  rev, shortRev, dirtyRev, lastModified, ... as Nix gives them for this tree
{ dir, modelled, binds ? { }, tracked ? null, sourceInfo ? { lastModified = 0; lastModifiedDate = "19700101000000"; } }:
let
  b = builtins;
  lib = import ../lib;
  flake = import (dir + "/flake.nix");
  models = import ../../libraries/inputs.nix { inherit lib; };
  known = b.concatStringsSep ", " (b.attrNames models);
  inputFor = name: kind:
    if !(b.isString kind) then kind
    else if models ? ${kind} then models.${kind}
    else throw "flake input '${name}' (${lib.removePrefix "unknown:" kind}) is not known to nix2image; known inputs: ${known} (use --placeholders to stand in for it)";
  inputs = b.mapAttrs inputFor modelled // { inherit self; };
  bindTree = b.foldl' (acc: path: lib.recursiveUpdate acc (lib.setAttrByPath (lib.splitString "." path) binds.${path})) { } (b.attrNames binds);
  rawOutputs = flake.outputs inputs;
  outputs = if binds == { } then rawOutputs else lib.recursiveUpdate rawOutputs bindTree;
  # a flake in a git repository is its tracked files, copied to the store as "source"
  dirStr = b.toString dir;
  source = if tracked == null then dir else b.path {
    path = dir;
    name = "source";
    filter = p: t: tracked ? ${lib.removePrefix (dirStr + "/") (b.toString p)};
  };
  info = sourceInfo // { outPath = source; };
  self = outputs // info // {
    inherit inputs outputs;
    sourceInfo = info;
    _type = "flake";
  };
in
self
