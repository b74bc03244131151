# hercules-ci/flake-parts, modelled from its documented interface:
#   mkFlake { inputs; specialArgs?; } module
# where a module is a set or a function of { self, inputs, lib, config, withSystem, getSystem,
# flake-parts-lib, moduleWithSystem, ... } (or a path to one) with `imports`, `systems`,
# `perSystem`, `flake` and `_module.args`. perSystem modules are functions of { pkgs, system,
# self', inputs', config, lib, final, ... } plus every `_module.args` any perSystem module sets
# (arguments are looked up lazily by name, as the module system does). Per-system outputs are
# transposed to <output>.<system>; `flake` is merged on top. Modules that are not modelled
# (another flake's flakeModule, a stand-in) contribute nothing.
{ lib }:
let
  b = builtins;
  perSystemOutputs = [ "packages" "apps" "checks" "devShells" "legacyPackages" "formatter" ];
  isStandIn = m: b.isAttrs m && m ? __nix2imageStandIn;
  # strip the module-system wrappers a value may carry (mkIf, mkMerge, mkDefault, mkForce)
  unwrap = v:
    if b.isAttrs v && v ? _type then
      (if v._type == "if" then (if v.condition then unwrap v.content else { })
       else if v._type == "merge" then b.foldl' lib.recursiveUpdate { } (map unwrap v.contents)
       else if v._type == "override" || v._type == "order" then unwrap v.content
       else v)
    else v;
  # call a module function with the arguments it names (lazily, from `args`)
  # (a function without formals gets the framework's arguments as they are)
  callWith = getArg: all: f:
    let fa = lib.functionArgs f; in
    if fa == { } then f all else f (b.mapAttrs (name: _: getArg name) fa);

  mkFlake = { inputs, specialArgs ? { }, moduleLocation ? null, ... }: moduleArg:
    let
      self = inputs.self or { };
      topArgs = {
        inherit self inputs lib withSystem getSystem;
        flake-parts-lib = flakePartsLib;
        config = { flake = flakeAttrs; systems = systems; allSystems = lib.genAttrs systems perSystem; };
        options = { };
        moduleWithSystem = f: f;
      } // specialArgs;
      # names the framework gives are fixed; any other comes from a module's _module.args
      topArg = name: if topArgs ? ${name} then topArgs.${name} else topModuleArgs.${name};
      load = m:
        if isStandIn m then { }
        else if b.isPath m || b.isString m then load (import m)
        else if lib.isFunction m then unwrap (callWith topArg topArgs m)
        else unwrap m;
      # the module's own settings (`config = { ... }` form or the set itself)
      body = mm: if mm ? config && b.isAttrs mm.config && !(mm ? perSystem || mm ? flake) then mm.config // { imports = mm.imports or [ ]; } else mm;
      collect = m: let mm = body (load m); in [ mm ] ++ b.concatMap collect (mm.imports or [ ]);
      modules = collect moduleArg;
      topModuleArgs = b.foldl' (acc: m: acc // (m._module.args or { })) { } modules;
      systems = lib.unique (b.concatMap (m: unwrap (m.systems or [ ])) modules);
      perSystemModules = b.concatMap (m: if m ? perSystem then [ m.perSystem ] else [ ]) modules;
      perInput = sys: input:
        if !(b.isAttrs input) then input
        else if isStandIn input then input
        else input // b.listToAttrs (b.concatMap (k:
          if input ? ${k} && b.isAttrs input.${k} && input.${k} ? ${sys}
          then [ { name = k; value = input.${k}.${sys}; } ] else [ ]) perSystemOutputs);
      perSystemCache = lib.genAttrs systems perSystemUncached;
      perSystem = sys: perSystemCache.${sys} or (perSystemUncached sys);
      perSystemUncached = sys:
        let
          basePkgs = inputs.nixpkgs.legacyPackages.${sys} or (import inputs.nixpkgs { system = sys; });
          args = {
            system = sys;
            pkgs = basePkgs;
            inherit lib;
            inputs' = b.mapAttrs (_: perInput sys) inputs;
            self' = perInput sys self;
            final = arg "pkgs";
            config = result;
            options = { };
          } // specialArgs;
          fixed = [ "system" "config" "inputs'" "self'" "options" ];
          # `_module.args.pkgs = import inputs.nixpkgs { ... }` replaces pkgs (and final)
          arg = name: if b.elem name fixed then args.${name} else moduleArgs.${name} or args.${name};
          loadPs = m:
            if isStandIn m then { }
            else if b.isPath m || b.isString m then loadPs (import m)
            else if lib.isFunction m then unwrap (callWith arg args m)
            else unwrap m;
          collectPs = m: let mm = loadPs m; in [ mm ] ++ b.concatMap collectPs (mm.imports or [ ]);
          results = b.concatMap collectPs perSystemModules;
          moduleArgs = b.foldl' (acc: r: acc // (r._module.args or { })) { } results;
          result = b.foldl' lib.recursiveUpdate { }
            (map (r: b.mapAttrs (_: unwrap) (b.removeAttrs r [ "_module" "imports" "options" ])) results);
        in result;
      withSystem = sys: f: f ((perSystemArgsOf sys) // { config = perSystem sys; });
      perSystemArgsOf = sys: {
        system = sys;
        pkgs = inputs.nixpkgs.legacyPackages.${sys} or (import inputs.nixpkgs { system = sys; });
        inherit lib;
        inputs' = b.mapAttrs (_: perInput sys) inputs;
        self' = perInput sys self;
      };
      getSystem = perSystem;
      transposed = b.foldl' (acc: sys:
        let r = perSystem sys; in
        b.foldl' (acc2: key: acc2 // { ${key} = (acc2.${key} or { }) // { ${sys} = r.${key}; }; }) acc
          (b.filter (k: b.elem k perSystemOutputs) (b.attrNames r))) { } systems;
      flakeAttrs = b.foldl' lib.recursiveUpdate { } (map (m: unwrap (m.flake or { })) modules);
    in lib.recursiveUpdate transposed flakeAttrs;
  flakePartsLib = {
    inherit mkFlake;
    mkPerSystemOption = x: x;
    mkPerSystemType = x: x;
    mkTransposedPerSystemModule = x: { };
    mkSubmoduleOptions = x: x;
    importApply = path: args: if lib.isFunction path then path args else import path args;
  };
in
{
  lib = flakePartsLib;
  inherit mkFlake;
  flakeModules = { easyOverlay = { }; flakeModules = { }; modules = { }; partitions = { }; };
}
