# lib.fixedPoints: fixed points of functions and overlay composition.
{ lib }:
let
  b = builtins;
in
rec {
  fix = f: let x = f x; in x;
  extends = f: rattrs: self: let super = rattrs self; in super // f self super;
  composeExtensions = f: g: final: prev:
    let fApplied = f final prev; prev' = prev // fApplied;
    in fApplied // g final prev';
  composeManyExtensions = b.foldl' (x: y: composeExtensions x y) (final: prev: { });

  # An attribute set, a `prev:` function or a `final: prev:` function, as an overlay.
  toExtension = f:
    if lib.trivial.isFunction f then
      (final: prev:
        let r = f prev; in
        if lib.trivial.isFunction r then f final prev else r)
    else (final: prev: f);

  makeExtensible = makeExtensibleWithCustomName "extend";
  makeExtensibleWithCustomName = extenderName: rattrs:
    fix (self: rattrs self // {
      ${extenderName} = f: makeExtensibleWithCustomName extenderName (extends (toExtension f) rattrs);
    });

  # fix, with the function kept as __unfix__ (so the fixed point can be re-taken later).
  fix' = f: let x = f x // { __unfix__ = f; }; in x;
  # Apply f until the value stops changing.
  converge = f: x: let x' = f x; in if x' == x then x else converge f x';
}
