# hercules-ci/flake-parts, modelled: mkFlake with systems, perSystem (pkgs, system, self',
# inputs', config, lib) and flake. Per-system outputs are transposed to <output>.<system>.
{ lib }:
let
  b = builtins;
  perSystemOutputs = [ "packages" "apps" "checks" "devShells" "legacyPackages" "formatter" "overlayAttrs" ];
  mkFlake = { inputs, specialArgs ? { }, ... }: moduleArg:
    let
      self = inputs.self;
      withSystem = system: f: f (perSystemArgs system // { config = perSystem system; });
      topArgs = { inherit self inputs lib withSystem; flake-parts-lib = flakePartsLib; config = { flake = self; }; options = { }; moduleWithSystem = f: f; getSystem = perSystem; } // specialArgs;
      load = m: if lib.isFunction m then m topArgs else if b.isPath m || b.isString m then load (import m) else m;
      collect = m: let mm = load m; in [ mm ] ++ b.concatMap collect (mm.imports or [ ]);
      modules = collect moduleArg;
      systems = lib.unique (b.concatMap (m: m.systems or [ ]) modules);
      perSystemFns = b.concatMap (m: if m ? perSystem then [ m.perSystem ] else [ ]) modules;
      perInput = system: input:
        if !(b.isAttrs input) then input else
        input // b.listToAttrs (b.concatMap (k: if input ? ${k} && b.isAttrs input.${k} && input.${k} ? ${system}
                                                  then [ { name = k; value = input.${k}.${system}; } ] else [ ])
                                             perSystemOutputs);
      perSystemArgs = system:
        let pkgs = inputs.nixpkgs.legacyPackages.${system} or (import inputs.nixpkgs { inherit system; }); in {
          inherit system pkgs lib;
          inputs' = b.mapAttrs (_: perInput system) inputs;
          self' = perInput system self;
          final = pkgs;
        };
      perSystem = system:
        let
          args = perSystemArgs system // { config = result; options = { }; };
          call = f: if lib.isFunction f then f (args // specialArgs) else f;
          result = b.foldl' lib.recursiveUpdate { } (map call perSystemFns);
        in result;
      transposed = b.foldl' (acc: system:
        let r = perSystem system; in
        b.foldl' (acc2: key: acc2 // { ${key} = (acc2.${key} or { }) // { ${system} = r.${key}; }; }) acc
          (b.filter (k: b.elem k perSystemOutputs) (b.attrNames r))) { } systems;
      flakeAttrs = b.foldl' lib.recursiveUpdate { } (map (m: m.flake or { }) modules);
    in transposed // flakeAttrs;
  flakePartsLib = {
    mkPerSystemOption = x: x;
    mkTransposedPerSystemModule = x: { };
    importApply = path: args: import path args;
  };
in
{ lib = { inherit mkFlake; } // flakePartsLib; inherit mkFlake; flakeModules = { }; outPath = "/nix2image/flake-parts"; }
