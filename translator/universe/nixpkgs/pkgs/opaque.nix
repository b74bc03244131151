# Builders that compile a project: nix2image cannot run them, so they give opaque packages whose
# name/version/outPath work but whose content must be bound (--bind NAME=PATH) or synthesised
# (--placeholders). `stdenv.mkDerivation` with only a `buildCommand` and no `src` is runnable and
# becomes a runCommand.
{ lib, hooks, final, system }:
let
  b = builtins;
  opaquePackage = import ./opaque-package.nix { inherit lib hooks; };

  posOf = args: lib.findFirst (p: p != null) null
    (map (n: b.unsafeGetAttrPos n args) [ "pname" "name" "src" "version" ]);

  hashKeys = [ "cargoHash" "cargoSha256" "vendorHash" "vendorSha256" "npmDepsHash" "hash" "sha256" "outputHash" "rev" "url" "owner" "repo" ];

  mkOpaque = builder: argsOrFn:
    let
      args = if lib.isFunction argsOrFn then lib.fix (finalAttrs: argsOrFn finalAttrs) else argsOrFn;
      pname = args.pname or null;
      version = args.version or null;
      name = args.name or (if pname != null then "${pname}${lib.optionalString (version != null) "-${version}"}"
                           else throw "${builder}: neither `name` nor `pname` given");
      identity = b.listToAttrs (map (k: { name = k; value = b.toString args.${k}; })
        (b.filter (k: args ? ${k} && (b.isString args.${k} || b.isInt args.${k})) hashKeys));
    in opaquePackage {
      inherit builder name pname version system identity;
      pos = posOf args;
      mainProgram = args.meta.mainProgram or null;
      meta = args.meta or { };
      passthru = (args.passthru or { }) // { src = args.src or null; };
    };

  mkDerivation = argsOrFn:
    let args = if lib.isFunction argsOrFn then lib.fix (finalAttrs: argsOrFn finalAttrs) else argsOrFn; in
    if args ? buildCommand && !(args ? src) && !(args ? srcs) then
      final.runCommand (args.name or "${args.pname}-${args.version}")
        (b.removeAttrs args [ "name" "buildCommand" "pname" "version" ]) args.buildCommand
    else mkOpaque "stdenv.mkDerivation" args;

  fetcher = builder: args:
    let a = if b.isString args then { url = args; } else args; in
    mkOpaque builder (a // {
      name = a.name or (if a ? repo then "source" else b.baseNameOf (a.url or (b.head (a.urls or [ "source" ]))));
    });

  buildGo = mkOpaque "buildGoModule";
in
{
  stdenv = { inherit mkDerivation; cc = null; };
  rustPlatform = { buildRustPackage = mkOpaque "rustPlatform.buildRustPackage"; };
  buildGoModule = buildGo;
  buildGo121Module = buildGo;
  buildGo122Module = buildGo;
  buildGo123Module = buildGo;
  buildGoPackage = mkOpaque "buildGoPackage";
  buildNpmPackage = mkOpaque "buildNpmPackage";
  buildDotnetModule = mkOpaque "buildDotnetModule";
  maven = { buildMavenPackage = mkOpaque "maven.buildMavenPackage"; };
  buildMavenPackage = mkOpaque "buildMavenPackage";
  mkYarnPackage = mkOpaque "mkYarnPackage";
  haskellPackages = { callCabal2nix = name: src: args: mkOpaque "haskellPackages.callCabal2nix" { inherit name; }; };
  poetry2nix = {
    mkPoetryApplication = args: mkOpaque "poetry2nix.mkPoetryApplication"
      ({ pname = "poetry-app"; version = "0"; } // b.removeAttrs args [ "projectDir" ]);
    mkPoetryEnv = args: mkOpaque "poetry2nix.mkPoetryEnv" { name = "poetry-env"; };
  };
  pythonBuilders = {
    buildPythonApplication = mkOpaque "python3Packages.buildPythonApplication";
    buildPythonPackage = mkOpaque "python3Packages.buildPythonPackage";
  };
  fetchurl = fetcher "fetchurl";
  fetchzip = fetcher "fetchzip";
  fetchgit = fetcher "fetchgit";
  fetchFromGitHub = fetcher "fetchFromGitHub";
  fetchFromGitLab = fetcher "fetchFromGitLab";
  fetchpatch = fetcher "fetchpatch";
  inherit mkOpaque;
  crane = { mkLib = pkgs: final.craneLib; };
  craneLib = {
    buildPackage = mkOpaque "crane.buildPackage";
    buildDepsOnly = mkOpaque "crane.buildDepsOnly";
    cargoClippy = mkOpaque "crane.cargoClippy";
    cleanCargoSource = src: src;
    path = p: p;
    crateNameFromCargoToml = { src ? null, cargoToml ? null, ... }: { pname = "crate"; version = "0.0.0"; };
    overrideToolchain = _: final.craneLib;
  };
}
