# One package set: catalog packages + modelled builders, closed under overlays (final/prev).
{ platform, overlays ? [ ], config ? { }, static ? false, prefix ? "" }:
let
  lib = import ../lib;
  hooks = import ../hooks.nix;
  b = builtins;

  hostPlatform = lib.systems.elaborate (
    if static then (if b.isString platform then { system = platform; } else platform) // { isStatic = true; }
    else platform);
  system = hostPlatform.system;

  catalogFlat = hooks.catalog { inherit system prefix; };

  # what a package's `stdenv` tells about the platform (the full stdenv is `pkgs.stdenv`)
  platformStdenv = { inherit hostPlatform; buildPlatform = hostPlatform; targetPlatform = hostPlatform;
                     isLinux = hostPlatform.isLinux; isDarwin = hostPlatform.isDarwin; inherit system; };
  mkCatalogPackage = import ./catalog-package.nix { inherit lib; stdenv = platformStdenv; };

  # "python3Packages.flask" -> { python3Packages = { flask = ...; }; }
  unflatten = flat:
    let
      names = b.attrNames flat;
      splitName = n: let m = b.match "([^.]+)[.](.*)" n; in
        if m == null then { h = n; t = null; } else { h = b.elemAt m 0; t = b.elemAt m 1; };
      groups = b.groupBy (n: (splitName n).h) names;
    in b.mapAttrs (h: ns:
      if b.elem h ns && b.length ns == 1 then mkCatalogPackage flat.${h}
      else (if b.elem h ns then mkCatalogPackage flat.${h} else { })
        // unflatten (b.listToAttrs (map (n: { name = (splitName n).t; value = flat.${n}; })
                                        (b.filter (n: n != h) ns)))) groups;

  catalogTree = unflatten catalogFlat;

  # the open world (translator/universe/openworld.py): a set at attribute path `path` whose
  # missing packages become labelled stand-ins made by `synthOf final`
  synthOf = final: import ./top-level/synthetic.nix {
    inherit lib hooks final system catalogTree;
    opaquePackage = import ./opaque-package.nix { inherit lib hooks; };
    inherit (opaqueOf final) mkOpaqueWith runtimes;
  };
  opaqueOf = final: import ./opaque.nix { inherit lib hooks final system; };
  openSet = final: path: set: hooks.open { prefix = lib.concatStringsSep "." (b.filter (p: p != "") [ prefix path ]); synth = synthOf final; } set;
  # nixpkgs' catalog package sets (python3Packages, xorg, ...) are open too
  # A group without a package of its own whose name is no package set (`bind.dnsutils`: an
  # output of `bind`, which the catalog lacks) is left to the open world: `pkgs.bind` is then
  # a stand-in that carries the known sub-attributes (synthetic.nix).
  isPackageSet = n: b.match ".*Packages.*|xorg|gnome.*|qt[0-9]+|kde.*|libsForQt.*|plasma.*|.*Plugins|pkgs.*|haskell|beam|llvmPackages.*|nodePackages.*|emacs.*Packages" n != null;
  headless = n: v: b.isAttrs v && !(v ? type) && !(isPackageSet n);
  openGroups = final: b.mapAttrs (n: v: if b.isAttrs v && !(v ? type) then openSet final n v else v)
    (lib.filterAttrs (n: v: !(headless n v)) catalogTree);

  # callPackage: a required argument that the package set lacks is a stand-in (recorded, with
  # the position of the argument, as a missing package)
  fillMissing = final: f: args:
    let
      formals = if b.isFunction f then b.functionArgs f else if f ? __functor then lib.functionArgs f else { };
      # (plain Nix has no open world: callPackageWith reports the missing argument itself)
      missing = if !hooks.openWorld then [ ] else
        b.filter (n: !formals.${n} && !(args ? ${n}) && !(final ? ${n})) (b.attrNames formals);
    in b.listToAttrs (map (n: { name = n; value = hooks.missingArg f n final; }) missing) // args;
  callPackageOpen = final: auto: fn: args:
    let f = if b.isFunction fn || b.isAttrs fn then fn else import fn; in
    lib.callPackageWith auto f (fillMissing auto f args);

  base = final:
    let
      trivial = import ./trivial.nix { inherit lib hooks final system; };
      opaque = opaqueOf final;
      docker = lib.makeOverridable (import ./docker-tools.nix) { inherit lib hooks final hostPlatform; };
      callPackageWith = auto: fn: args: lib.callPackageWith auto fn args;
    in
    openGroups final // trivial
    // b.removeAttrs opaque [ "pythonBuilders" "pythonBuildersFor" "runtimes" "mkOpaqueWith" ] // {
      inherit system hostPlatform;
      # pkgs.lib: callPackageWith on an open package set (`lib.callPackageWith haskellPackages`)
      # fills missing arguments from the open world as pkgs.callPackage does
      lib = lib // {
        callPackageWith = auto: fn: args:
          if hooks.isOpen auto then callPackageOpen final auto fn args else lib.callPackageWith auto fn args;
      };
      pkgs = final;
      path = ../.;
      config = { allowUnfree = false; } // config;
      buildPlatform = hostPlatform;
      targetPlatform = hostPlatform;
      buildPackages = final;
      pkgsBuildHost = final;
      pkgsHostTarget = final;
      targetPackages = final;
      __splicedPackages = final;
      newScope = extra: callPackageOpen final (openSet final "" (final // extra));
      callPackage = callPackageOpen final final;
      callPackages = lib.callPackagesWith final;
      dockerTools = docker;
      runtimeShellPackage = final.bash;
      runtimeShell = "${final.runtimeShellPackage}/bin/bash";
      stdenv = opaque.stdenv // { inherit hostPlatform; buildPlatform = hostPlatform; targetPlatform = hostPlatform;
                                  isLinux = hostPlatform.isLinux; isDarwin = hostPlatform.isDarwin;
                                  system = system; shell = final.runtimeShell; };
      stdenvNoCC = final.stdenv;
      invalidateFetcherByDrvHash = f: args: f args;
      nix-gitignore = {
        gitignoreSource = _patterns: src: lib.cleanSource src;
        gitignoreSourcePure = _patterns: src: lib.cleanSource src;
      };
      python3Packages = pythonScope final "python3Packages"
        ((catalogTree.python3Packages or { }) // opaque.pythonBuildersFor final.python3);
      fakeNss = final.dockerTools.fakeNss;
      haskellPackages = haskellScope final "haskellPackages" opaque.haskellPackages;
      haskell = openSet final "haskell" (opaque.haskell // {
        packages = openSet final "haskell.packages"
          (b.mapAttrs (n: set: haskellScope final "haskell.packages.${n}" set) opaque.haskell.packages);
        lib = openSet final "haskell.lib" opaque.haskell.lib;
        compiler = openSet final "haskell.compiler" opaque.haskell.compiler;
      });
      beamPackages = openSet final "beamPackages" (opaque.beamPackages // {
        callPackage = callPackageOpen final (final // opaque.beamPackages);
      });
    } // b.listToAttrs (b.concatMap (py:
      let setName = "${py}Packages"; in
      if !(catalogTree ? ${py}) then [ ] else [
        { name = py; value = withPython final py; }
      ] ++ lib.optional (py != "python3") {
        name = setName; value = pythonScope final setName ((catalogTree.${setName} or { }) // opaque.pythonBuildersFor final.${py});
      }) [ "python3" "python311" "python312" "python3Minimal" ]) // {
      pkgsStatic = if static then final else import ./top-level.nix {
        inherit platform overlays config; static = true; prefix = "pkgsStatic";
      };
      pkgsMusl = final.pkgsStatic;
      pkgsCross = b.mapAttrs (n: sys: import ./top-level.nix {
        platform = sys; inherit overlays config; prefix = "pkgsCross.${n}";
      }) lib.systems.examples;
      appendOverlays = extra: import ./top-level.nix { inherit platform config static prefix; overlays = overlays ++ extra; };
      extend = o: final.appendOverlays [ o ];
    };

  # a Haskell package set: its builders, callPackage with them in scope, open for the rest
  haskellScope = final: path: set:
    let scope = openSet final path (set // {
      callPackage = callPackageOpen final (openSet final path (final // scope));
      callHackage = name: version: args: set.mkDerivation { pname = name; inherit version; };
      override = _: scope;
      extend = f: haskellScope final path (set // f scope scope);
      overrideScope = f: haskellScope final path (set // f scope scope);
      ghc = final.ghc or (set.mkDerivation { pname = "ghc"; version = "0"; });
    }); in scope;

  # a Python package set: callPackage sees its packages first, then the top-level ones (as
  # nixpkgs' python3Packages.callPackage, a scope over pkgs), open for the rest
  pythonScope = final: path: set:
    let scope = openSet final path (set // {
      callPackage = callPackageOpen final (openSet final path (final // scope));
    }); in scope;

  # python.withPackages (a buildEnv of the interpreter and the chosen packages) and python.pkgs
  withPython = final: py: pythonWith final py (final."${py}Packages" or final.python3Packages);
  pythonWith = final: py: set:
    let interp = catalogTree.${py}; in
    interp // {
      pkgs = set;
      # python.override { packageOverrides = self: super: { ... }; }: the same interpreter
      # with its package set extended (an open set still)
      override = args:
        let
          a = (lib.toFunction args) { packageOverrides = _: _: { }; };
          po = a.packageOverrides or (_: _: { });
          set' = pythonScope final "${py}Packages" (lib.fix (self: set // po self set));
        in pythonWith final py set';
      withPackages = f: final.buildEnv { name = "${interp.name}-env"; paths = [ interp ] ++ f set; };
      buildEnv = { extraLibs ? [ ], ... }: final.buildEnv { name = "${interp.name}-env"; paths = [ interp ] ++ extraLibs; };
    };

  # lib.extends, with every layer an overlay sees as `prev` open as well
  extendsOpen = overlay: f: final: let prev = openSet final "" (f final); in prev // overlay final prev;
  applied = b.foldl' (acc: overlay: extendsOpen overlay acc) base overlays;
in
lib.fix (final: openSet final "" (applied final))
