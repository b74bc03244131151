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

  opt = n: if final ? ${n} then [ final.${n} ] else [ ];
  drvs = l: b.filter lib.isDerivation (lib.flatten l);

  # The runtime closure's roots of a builder's output, by toolchain: what its binaries load.
  runtimes = {
    c = args: opt "glibc" ++ drvs [ (args.buildInputs or [ ]) (args.propagatedBuildInputs or [ ]) ];
    go = args:
      let cgo = args.env.CGO_ENABLED or args.CGO_ENABLED or 1; in
      if cgo == 0 || cgo == "0" then [ ] else opt "glibc" ++ drvs [ (args.buildInputs or [ ]) ];
    rust = args: opt "glibc" ++ drvs [ (args.buildInputs or [ ]) (args.propagatedBuildInputs or [ ]) ];
    node = args: opt "nodejs" ++ drvs [ (args.buildInputs or [ ]) ];
    python = python: args: [ python ] ++ drvs [ (args.propagatedBuildInputs or [ ]) (args.dependencies or [ ])
                                               (args.buildInputs or [ ]) ];
    haskell = args: opt "gmp" ++ opt "libffi" ++ opt "glibc" ++ drvs [ (args.buildInputs or [ ]) (args.librarySystemDepends or [ ]) ];
    jvm = args: (if final ? openjdk_headless then [ final.openjdk_headless ] else opt "openjdk") ++ drvs [ (args.buildInputs or [ ]) ];
    beam = args: opt "erlang" ++ drvs [ (args.buildInputs or [ ]) ];
    none = args: [ ];
  };

  mkOpaque = mkOpaqueWith runtimes.c;
  mkOpaqueWith = runtime: builder: argsOrFn:
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
      passthru = args.passthru or { };
      src = args.src or null;
      buildInputs = args.buildInputs or [ ];
      nativeBuildInputs = args.nativeBuildInputs or [ ];
      propagatedBuildInputs = args.propagatedBuildInputs or [ ];
      deps = runtime args;
      attrs = b.removeAttrs args [ "name" "pname" "version" "src" "buildInputs" "nativeBuildInputs"
                                    "propagatedBuildInputs" "passthru" "meta" ];
      rebuild = mkOpaqueWith runtime builder;
      stdenv = final.stdenv;
    };

  mkDerivation = argsOrFn:
    let args = if lib.isFunction argsOrFn then lib.fix (finalAttrs: argsOrFn finalAttrs) else argsOrFn; in
    if args ? buildCommand && !(args ? src) && !(args ? srcs) then
      final.runCommand (args.name or "${args.pname}-${args.version}")
        (b.removeAttrs args [ "name" "buildCommand" "pname" "version" ]) args.buildCommand
    else mkOpaque "stdenv.mkDerivation" args;

  fetcher = builder: args:
    let a = if b.isString args then { url = args; } else args; in
    mkOpaqueWith runtimes.none builder (a // {
      name = a.name or (if a ? repo then "source" else b.baseNameOf (a.url or (b.head (a.urls or [ "source" ]))));
    });

  # crane and naersk name a crate from its Cargo.toml when no pname is given
  cargoName = args:
    let
      src = args.src or null;
      file = if args ? cargoToml then args.cargoToml
             else if src != null && (b.isPath src || b.isString src) then "${src}/Cargo.toml" else null;
      toml = if file != null && b.pathExists file then b.fromTOML (b.readFile file) else { };
      pkg = toml.package or { };
      ws = (toml.workspace or { }).package or { };
      version = pkg.version or null;
    in {
      pname = if b.isString (pkg.name or null) then pkg.name else "crate";
      version = if b.isString version then version else if b.isString (ws.version or null) then ws.version else "0.0.1";
    };
  rustBuilder = builder: argsOrFn:
    let args = if lib.isFunction argsOrFn then lib.fix argsOrFn else argsOrFn; in
    mkOpaqueWith runtimes.rust builder (lib.optionalAttrs (!(args ? name || args ? pname)) (cargoName args) // args);

  # builders are functions with `override` (`buildGoModule.override { go = go_1_22; }`): a
  # different toolchain gives the same kind of opaque package
  overridableBuilder = f: { __functor = _: f; override = _: overridableBuilder f; };
  goBuilder = name: overridableBuilder (mkOpaqueWith runtimes.go name);
  buildGo = goBuilder "buildGoModule";
  rustPlatform = {
    buildRustPackage = overridableBuilder (mkOpaqueWith runtimes.rust "rustPlatform.buildRustPackage");
    rust = { rustc = final.rustc or null; cargo = final.cargo or null; };
  };
  pythonBuildersFor = python: {
    buildPythonApplication = mkOpaqueWith (runtimes.python python) "buildPythonApplication";
    buildPythonPackage = mkOpaqueWith (runtimes.python python) "buildPythonPackage";
  };
  haskellBuilder = mkOpaqueWith runtimes.haskell;
  haskellSet = {
    mkDerivation = haskellBuilder "haskellPackages.mkDerivation";
    callCabal2nix = name: src: args: haskellBuilder "haskellPackages.callCabal2nix" { pname = name; version = "0"; inherit src; };
    callCabal2nixWithOptions = name: src: flags: args: haskellBuilder "haskellPackages.callCabal2nix" { pname = name; version = "0"; inherit src; };
    developPackage = { root, name ? b.baseNameOf (b.toString root), ... }:
      haskellBuilder "haskellPackages.developPackage" { pname = name; version = "0"; src = root; };
    ghcWithPackages = f: final.ghc or (haskellBuilder "ghcWithPackages" { name = "ghc-with-packages"; });
    shellFor = args: haskellBuilder "haskellPackages.shellFor" { name = "ghc-shell"; };
  };
  # haskell.lib: functions of a package give a (differently built) package of the same name
  haskellLib = let keep = drv: drv; keep2 = _: drv: drv; in {
    justStaticExecutables = keep; dontCheck = keep; doJailbreak = keep; dontHaddock = keep;
    enableStaticLibraries = keep; disableSharedExecutables = keep; disableLibraryProfiling = keep;
    overrideCabal = drv: _: drv; appendConfigureFlags = drv: _: drv; addBuildDepends = drv: _: drv;
    markUnbroken = keep; doCheck = keep; enableSharedExecutables = keep; failOnAllWarnings = keep;
    compose = { justStaticExecutables = keep; dontCheck = keep; doJailbreak = keep; overrideCabal = keep2;
                appendConfigureFlags = keep2; addBuildDepends = keep2; };
  };
in
{
  stdenv = {
    inherit mkDerivation;
    inherit lib;  # stdenv.lib: nixpkgs before 21.05
    # the C compiler (wrapped); `stdenv.cc.cc.lib` is libstdc++ & co. for autoPatchelf'd programs
    cc = mkOpaque "stdenv.cc" { pname = "gcc-wrapper"; version = (final."gcc-unwrapped" or { version = "13.2.0"; }).version; }
      // { cc = final."gcc-unwrapped" or null; libc = final.glibc or null; isGNU = true; isClang = false; targetPrefix = ""; };
  };
  inherit rustPlatform;
  makeRustPlatform = { rustc ? null, cargo ? null, ... }: rustPlatform;
  buildGoModule = buildGo;
  buildGo121Module = buildGo;
  buildGo122Module = buildGo;
  buildGo123Module = buildGo;
  buildGo124Module = buildGo;
  buildGo125Module = buildGo;
  buildGoPackage = goBuilder "buildGoPackage";
  buildNpmPackage = overridableBuilder (mkOpaqueWith runtimes.node "buildNpmPackage");
  mkYarnPackage = mkOpaqueWith runtimes.node "mkYarnPackage";
  buildDotnetModule = mkOpaque "buildDotnetModule";
  buildMavenPackage = mkOpaqueWith runtimes.jvm "buildMavenPackage";
  gradle2nix = { buildGradlePackage = mkOpaqueWith runtimes.jvm "gradle2nix.buildGradlePackage"; };
  haskellPackages = haskellSet;
  haskell = {
    lib = haskellLib;
    packages = b.listToAttrs (map (n: { name = n; value = haskellSet; })
      [ "ghc810" "ghc90" "ghc92" "ghc94" "ghc96" "ghc98" "ghc910" "ghc912" "ghc8107" "ghc902" "ghc928" "ghc948" "ghc965" "ghc982" "ghcHEAD" "native-bignum" ]);
    compiler = { };
  };
  beamPackages = {
    mixRelease = mkOpaqueWith runtimes.beam "beamPackages.mixRelease";
    buildMix = mkOpaqueWith runtimes.beam "beamPackages.buildMix";
    rebar3Relx = mkOpaqueWith runtimes.beam "beamPackages.rebar3Relx";
    fetchMixDeps = args: fetcher "fetchMixDeps" (args // { name = "mix-deps-${args.pname or "app"}"; });
  };
  poetry2nix = lib.fix (self: {
    overrideScope = f: self // f self self;
    "overrideScope'" = f: self // f self self;
    mkPoetryApplication = args: mkOpaqueWith (runtimes.python (final.python3 or null)) "poetry2nix.mkPoetryApplication"
      ({ pname = "poetry-app"; version = "0"; } // b.removeAttrs args [ "projectDir" ]);
    mkPoetryEnv = args: mkOpaqueWith (runtimes.python (final.python3 or null)) "poetry2nix.mkPoetryEnv" { name = "poetry-env"; };
  });
  inherit pythonBuildersFor;
  pythonBuilders = pythonBuildersFor (final.python3 or null);
  fetchurl = fetcher "fetchurl";
  fetchzip = fetcher "fetchzip";
  fetchgit = fetcher "fetchgit";
  fetchFromGitHub = fetcher "fetchFromGitHub";
  fetchFromGitLab = fetcher "fetchFromGitLab";
  fetchpatch = fetcher "fetchpatch";
  inherit mkOpaque mkOpaqueWith runtimes;
  crane = { mkLib = pkgs: final.craneLib; };
  craneLib = {
    buildPackage = rustBuilder "crane.buildPackage";
    buildDepsOnly = rustBuilder "crane.buildDepsOnly";
    cargoClippy = rustBuilder "crane.cargoClippy";
    cargoBuild = rustBuilder "crane.cargoBuild";
    cargoTest = rustBuilder "crane.cargoTest";
    cargoNextest = rustBuilder "crane.cargoNextest";
    cargoDoc = rustBuilder "crane.cargoDoc";
    cargoFmt = rustBuilder "crane.cargoFmt";
    cargoAudit = rustBuilder "crane.cargoAudit";
    mkCargoDerivation = rustBuilder "crane.mkCargoDerivation";
    buildTrunkPackage = args: mkOpaqueWith runtimes.none "crane.buildTrunkPackage"
      (lib.optionalAttrs (!(args ? name || args ? pname)) (cargoName args) // args);
    vendorCargoDeps = args: fetcher "crane.vendorCargoDeps" { name = "vendor-cargo-deps"; };
    filterCargoSources = path: type: true;
    cleanCargoToml = { cargoToml, ... }: b.fromTOML (b.readFile cargoToml);
    cleanCargoSource = src: src;
    path = p: p;
    crateNameFromCargoToml = args: cargoName args;
    overrideToolchain = _: final.craneLib;
  };
}
