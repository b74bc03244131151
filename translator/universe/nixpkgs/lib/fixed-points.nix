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
}
