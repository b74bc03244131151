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
  xor = x: y: x != y;
  splitByAndCompare = p: yes: no: a: c:
    if p a then (if p c then yes a c else -1) else if p c then 1 else no a c;

  # Digits of a non-negative integer in a base, most significant first.
  toBaseDigits = base: n:
    assert base >= 2; assert n >= 0;
    let go = acc: v: if v < base then [ v ] ++ acc else go ([ (v - (v / base) * base) ] ++ acc) (v / base);
    in go [ ] n;
  toHexString = n:
    let digit = d: b.substring d 1 "0123456789ABCDEF";
    in b.concatStringsSep "" (map digit (toBaseDigits 16 n));
  # Parsed as TOML does (so an optional 0x/0X prefix is accepted, and too large values saturate
  # as Nix's TOML reader does).
  fromHexString = str:
    let
      lower = b.replaceStrings [ "A" "B" "C" "D" "E" "F" "X" ] [ "a" "b" "c" "d" "e" "f" "x" ] str;
      digits = if b.substring 0 2 lower == "0x" then b.substring 2 (-1) lower else lower;
    in
    if b.match "[0-9a-f]+" digits == null then throw "fromHexString: ${b.toJSON str} is not a hexadecimal number"
    else (b.fromTOML "v = 0x${digits}").v;

  add = x: y: x + y;
  sub = x: y: x - y;
  lessThan = x: y: x < y;
  bitNot = b.sub (-1);
  info = msg: b.trace "INFO: ${msg}";
  warnIfNot = cond: msg: if cond then x: x else warn msg;
  showWarnings = warnings: res: lib.lists.foldr (w: x: warn w x) res warnings;
  checkListOfEnum = msg: valid: given:
    let unexpected = lib.lists.subtractLists valid given; in
    lib.trivial.throwIfNot (unexpected == [ ])
      "${msg}: ${b.concatStringsSep ", " (map b.toString unexpected)} unexpected; valid ones: ${b.concatStringsSep ", " (map b.toString valid)}";
  mapNullable = f: a: if a == null then a else f a;
  versionSuffix = "pre-nix2image";
  nixpkgsVersion = version;
  revisionWithDefault = default: default;
  isInOldestRelease = release: release <= oldestSupportedRelease;
  oldestSupportedReleaseIsAtLeast = release: release <= oldestSupportedRelease;
  pathExists = b.pathExists;
  readFile = b.readFile;
  genericClosure = b.genericClosure;
}
