# lib.derivations: derivation values that stay lazy, and attributes dropped when null.
{ lib }:
let
  b = builtins;
in
{
  # A derivation-shaped set whose attribute names (and the passthru/meta given here) are known
  # without evaluating `derivation`: only reading an output path or drvPath evaluates it.
  lazyDerivation = { derivation, meta ? null, passthru ? { }, outputs ? [ "out" ] }:
    let
      checked =
        if derivation.type or null == "derivation" then derivation
        else throw "lazyDerivation: the `derivation` argument is not a derivation (type ${b.typeOf derivation})";
      outputAttrs = b.listToAttrs (map (o: { name = o; value = checked.${o}; }) outputs);
    in
    {
      type = "derivation";
      inherit outputs;
      outPath = checked.outPath;
      drvPath = checked.drvPath;
      name = checked.name;
      system = checked.system;
      outputName = checked.outputName;
      meta = if meta != null then meta else checked.meta;
    }
    // outputAttrs
    // passthru;

  # null makes derivation { __ignoreNulls = true; } leave the attribute out.
  optionalDrvAttr = cond: value: if cond then value else null;

  warnOnInstantiate = msg: drv:
    let wrap = x: lib.trivial.warn msg x; in
    drv // { drvPath = wrap drv.drvPath; outPath = wrap drv.outPath; };
}
