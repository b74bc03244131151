# lib.customisation: overridable package functions and callPackage.
{ lib }:
let
  b = builtins;
  inherit (lib) isFunction functionArgs setFunctionArgs mirrorFunctionArgs filterAttrs;
in
rec {
  # f's result with `override` (call f again with changed arguments) and, for derivations,
  # `overrideDerivation`/`overrideAttrs` that keep the override chain. The returned function and
  # every `override` report f's own functionArgs.
  makeOverridable = f:
    mirrorFunctionArgs f (origArgs:
      let
        result = f origArgs;
        overrideWith = newArgs: origArgs // (if isFunction newArgs then newArgs origArgs else newArgs);
        override = mirrorFunctionArgs f (newArgs: makeOverridable f (overrideWith newArgs));
        overrideResult = g: makeOverridable (mirrorFunctionArgs f (args: g (f args))) origArgs;
      in
      if b.isAttrs result then
        result // {
          inherit override;
          overrideDerivation = fdrv: overrideResult (x: (x.overrideDerivation or (_: x)) fdrv);
        } // (if result ? overrideAttrs then { overrideAttrs = fdrv: overrideResult (x: x.overrideAttrs fdrv); } else { })
      else if isFunction result then
        setFunctionArgs result (functionArgs result) // { inherit override; }
      else result);

  callPackageWith = autoArgs: fn: args:
    let f = if isFunction fn then fn else import fn;
        fargs = functionArgs f;
        allArgs = b.intersectAttrs fargs autoArgs // args;
        missingArgs = filterAttrs (name: value: !value) (removeAttrs fargs (b.attrNames allArgs));
        loc = b.unsafeGetAttrPos (b.head (b.attrNames missingArgs)) fargs;
        error = "Function called without required argument \"${b.head (b.attrNames missingArgs)}\""
          + (if loc != null then " at ${loc.file}:${b.toString loc.line}" else "");
    in if missingArgs == { } then makeOverridable f allArgs else abort "lib.customisation.callPackageWith: ${error}";
  # Like callPackageWith for a function returning a set of packages: each of them gets its own
  # `override` (re-calling the function with changed arguments and taking that package).
  callPackagesWith = autoArgs: fn: args:
    let
      f = if isFunction fn then fn else import fn;
      auto = b.intersectAttrs (functionArgs f) autoArgs;
      mirrored = mirrorFunctionArgs f;
      origArgs = auto // args;
      pkgs = f origArgs;
      mkAttrOverridable = name: _: makeOverridable (mirrored (newArgs: (f newArgs).${name})) origArgs;
    in
    if (pkgs.type or null) == "derivation" then makeOverridable f origArgs
    else if b.isAttrs pkgs then b.mapAttrs mkAttrOverridable pkgs
    else pkgs;

  # A package set whose members are called with the set itself (plus what newScope adds):
  # it carries callPackage, newScope (a nested scope seeing this one), overrideScope (an
  # overlay on f) and packages (f itself).
  makeScope = newScope: f:
    let
      self = f self // {
        newScope = scope: newScope (self // scope);
        callPackage = self.newScope { };
        overrideScope = g: makeScope newScope (lib.fixedPoints.extends g f);
        packages = f;
      };
    in self;

  makeScopeWithSplicing' = { splicePackages ? null, newScope }: { f, ... }: makeScope newScope f;

  # `drv` with attributes changed as `f` says, keeping outputs consistent.
  overrideDerivation = drv: f:
    let newDrv = derivation (drv.drvAttrs // (f drv)); in
    b.mapAttrs (_: v: v) (drv // newDrv) // { drvAttrs = drv.drvAttrs // (f drv); };

  extendDerivation = condition: passthru: drv:
    assert condition; drv // passthru;

  # What Hydra would build of a derivation: its outputs and meta (the model keeps the value).
  hydraJob = drv: drv;
  makeScopeWithSplicing = splicePackages: newScope: otherSplices: keep: extra: f: makeScope newScope f;
}
