# nix-community/poetry2nix, modelled: applications and environments are opaque packages named from
# the call or from pyproject.toml's [tool.poetry] / [project] table.
{ pkgs }:
let
  b = builtins;
  lib = pkgs.lib;
  project = args:
    let
      given = args.projectDir or null;
      # a store path of a copied local source: read the folder it came from
      dir = if given == null || b.isPath given || !(b ? __nix2imageSourceOf) then given
            else b.__nix2imageSourceOf (b.toString given);
      file = args.pyproject or (if dir != null then dir + "/pyproject.toml" else null);
      toml = if file != null && b.pathExists file then b.fromTOML (b.readFile file) else { };
    in toml.tool.poetry or toml.project or { };
  app = builder: args:
    let p = project args; in
    pkgs.mkOpaque "poetry2nix.${builder}" (b.mapAttrs (_: v: v) {
      pname = args.pname or p.name or "poetry-app";
      version = args.version or p.version or "0.0.0";
    } // lib.optionalAttrs (args ? meta) { inherit (args) meta; });
  self = {
    mkPoetryApplication = app "mkPoetryApplication";
    mkPoetryEnv = args: pkgs.mkOpaque "poetry2nix.mkPoetryEnv" { name = "${(project args).name or "poetry"}-env"; };
    mkPoetryPackages = args: { python = pkgs.python3; poetryPackages = [ ]; poetryLock = { }; pyProject = project args; };
    mkPoetryEditablePackage = app "mkPoetryEditablePackage";
    mkPoetryScriptsPackage = app "mkPoetryScriptsPackage";
    cleanPythonSources = { src, ... }: lib.cleanSource src;
    overrides = { withDefaults = f: f; withoutDefaults = f: f; };
    defaultPoetryOverrides = { extend = _: self.defaultPoetryOverrides; };
    mkPoetry2Nix = { pkgs }: import ./lib.nix { inherit pkgs; };
    # poetry2nix is a scope: overrideScope' (final: prev: { ... }) gives a new one
    overrideScope' = f: let extended = self // f extended self; in extended;
    overrideScope = self.overrideScope';
    version = "modelled";
  };
in self
