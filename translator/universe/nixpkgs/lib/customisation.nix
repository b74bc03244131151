# lib.customisation: overridable package functions and callPackage.
{ lib }:
let
  b = builtins;
  inherit (lib) isFunction functionArgs setFunctionArgs mirrorFunctionArgs filterAttrs;
in
rec {
  makeOverridable = f: origArgs:
    let result = f origArgs;
        overrideWith = newArgs: origArgs // (if isFunction newArgs then newArgs origArgs else newArgs);
        overrideResult = g: makeOverridable (mirrorFunctionArgs f (args: g (f args))) origArgs;
    in if b.isAttrs result then
         result // {
           override = newArgs: makeOverridable f (overrideWith newArgs);
           overrideDerivation = fdrv: overrideResult (x: (x.overrideDerivation or (_: x)) fdrv);
         } // (if result ? overrideAttrs then { overrideAttrs = fdrv: overrideResult (x: x.overrideAttrs fdrv); } else { })
       else if isFunction result then
         setFunctionArgs result (functionArgs result) // { override = newArgs: makeOverridable f (overrideWith newArgs); }
       else result;

  callPackageWith = autoArgs: fn: args:
    let f = if isFunction fn then fn else import fn;
        fargs = functionArgs f;
        allArgs = b.intersectAttrs fargs autoArgs // args;
        missingArgs = filterAttrs (name: value: !value) (removeAttrs fargs (b.attrNames allArgs));
        loc = b.unsafeGetAttrPos (b.head (b.attrNames missingArgs)) fargs;
        error = "Function called without required argument \"${b.head (b.attrNames missingArgs)}\""
          + (if loc != null then " at ${loc.file}:${b.toString loc.line}" else "");
    in if missingArgs == { } then makeOverridable f allArgs else abort "lib.customisation.callPackageWith: ${error}";
  callPackagesWith = autoArgs: fn: args:
    let f = if isFunction fn then fn else import fn;
        auto = b.intersectAttrs (functionArgs f) autoArgs;
    in f (auto // args);
}
