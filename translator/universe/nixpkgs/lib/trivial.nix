# lib.trivial: small combinators, booleans, numbers, warnings and release information.
{ lib }:
let
  b = builtins;
in
rec {
  id = x: x;
  const = x: _: x;
  flip = f: a: c: f c a;
  pipe = b.foldl' (x: f: f x);
  isFunction = f: b.isFunction f || (f ? __functor && isFunction (f.__functor f));
  functionArgs = f:
    if f ? __functor then f.__functionArgs or (functionArgs (f.__functor f))
    else b.functionArgs f;
  setFunctionArgs = f: args: { __functor = self: f; __functionArgs = args; };
  mirrorFunctionArgs = f: g: setFunctionArgs g (functionArgs f);
  toFunction = v: if isFunction v then v else _: v;

  warn = msg: b.trace "[1;31mwarning: ${msg}[0m";
  warnIf = cond: msg: if cond then warn msg else x: x;
  throwIf = cond: msg: if cond then throw msg else x: x;
  throwIfNot = cond: msg: if cond then x: x else throw msg;
  boolToString = x: if x then "true" else "false";
  mergeAttrs = x: y: x // y;
  inNixShell = false;

  version = "24.05pre-nix2image";
  release = "24.05";
  codeName = "Uakari";
  oldestSupportedRelease = 2311;
  inPureEvalMode = !b ? currentSystem;
  importJSON = path: b.fromJSON (b.readFile path);
  importTOML = path: b.fromTOML (b.readFile path);
  seq = b.seq;
  deepSeq = b.deepSeq;
  concat = x: y: x ++ y;
  or = x: y: x || y;
  and = x: y: x && y;
  bitAnd = b.bitAnd;
  bitOr = b.bitOr;
  bitXor = b.bitXor;
  min = x: y: if x < y then x else y;
  max = x: y: if x > y then x else y;
  mod = base: int: base - (int * (b.div base int));
  compare = a: c: if a < c then -1 else if a > c then 1 else 0;
}
