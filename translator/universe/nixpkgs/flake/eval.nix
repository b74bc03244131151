# Evaluate a flake's outputs the way `nix build .#x` would, with modelled inputs.
#   dir        the flake's directory (a path)
#   modelled   input name -> which model stands for it ("nixpkgs", "flake-utils", "flake-parts",
#              "systems", "placeholder", or "unknown:<url>")
#   binds      "attr.path" -> package value, replacing those outputs (seen through `self` too)
{ dir, modelled, binds ? { }, tracked ? null }:
let
  b = builtins;
  lib = import ../lib;
  flake = import (dir + "/flake.nix");
  systems = lib.systems.flakeExposed;
  nixpkgsInput = {
    outPath = ./..;
    lib = lib;
    legacyPackages = lib.genAttrs systems (system: import ../default.nix { inherit system; });
    overlays = { };
    rev = "nix2image-modelled-nixpkgs";
    shortRev = "nix2image";
    lastModified = 0;
  };
  models = {
    nixpkgs = nixpkgsInput;
    flake-utils = import ./flake-utils.nix { inherit lib; };
    flake-parts = import ./flake-parts.nix { inherit lib; };
    systems = { outPath = ./systems; };
    crane = {
      outPath = ./crane;
      mkLib = pkgs: pkgs.craneLib;
      lib = lib.genAttrs systems (system: nixpkgsInput.legacyPackages.${system}.craneLib);
    };
    poetry2nix = {
      outPath = "/nix2image/poetry2nix";
      lib.mkPoetry2Nix = { pkgs }: pkgs.poetry2nix;
      legacyPackages = lib.genAttrs systems (system: nixpkgsInput.legacyPackages.${system}.poetry2nix);
      overlays.default = final: prev: { inherit (prev) poetry2nix; };
    };
    rust-overlay = let overlay = import ./rust-overlay; in {
      outPath = ./rust-overlay;
      overlays.default = overlay;
      overlays.rust-overlay = overlay;
      inherit overlay;
    };
    gitignore = {
      outPath = "/nix2image/gitignore";
      lib = { gitignoreSource = lib.cleanSource; gitignoreFilterWith = { basePath, ... }: lib.cleanSourceFilter; };
    };
    nix-filter = {
      outPath = "/nix2image/nix-filter";
      lib = { __functor = _: { root, ... }: lib.cleanSource root; inDirectory = d: d; matchExt = e: e; };
    };
    placeholder = { outPath = "/nix2image/placeholder-input"; lib = { }; packages = { }; legacyPackages = { }; overlays = { default = final: prev: { }; }; overlay = final: prev: { }; };
  };
  inputFor = name: kind:
    if models ? ${kind} then models.${kind}
    else throw "flake input '${name}' (${lib.removePrefix "unknown:" kind}) is not known to nix2image; known inputs: nixpkgs, flake-utils, flake-parts, systems, crane, poetry2nix, rust-overlay, gitignore, nix-filter (use --placeholders to stand in for it)";
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
  self = outputs // {
    outPath = source;
    inherit inputs outputs;
    sourceInfo = { outPath = source; lastModified = 0; };
    lastModified = 0;
    lastModifiedDate = "19700101000000";
    shortRev = "dirty";
    dirtyShortRev = "dirty";
    _type = "flake";
  };
in
self
