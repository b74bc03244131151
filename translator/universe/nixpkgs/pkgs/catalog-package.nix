# A catalog entry as a nixpkgs-like derivation value: `pkg.out`, `pkg.bin`, `outPath`,
# `meta.mainProgram`, `outputs`, ... Overriding gives an opaque package (its content differs from
# the catalog's and only a --bind or --placeholders can supply it).
{ lib }:
info:
let
  b = builtins;
  outputNames = info.outputNames or (b.attrNames info.outputs);
  hasOutput = o: b.elem o outputNames;
  meta = {
    outputsToInstall = [ (lib.findFirst hasOutput "out" ([ "bin" "out" ] ++ outputNames)) ] ++ lib.optional (hasOutput "man") "man";
  } // (info.meta or { }) // lib.optionalAttrs ((info.mainProgram or null) != null) { mainProgram = info.mainProgram; };
  # no `version` attribute for a name without one (a bound `./result`), as with mkDerivation
  versionOf = info.version or (b.parseDrvName info.name).version;
  common = {
    type = "derivation";
    inherit (info) name;
    pname = info.pname or (b.parseDrvName info.name).name;
    system = info.system or "x86_64-linux";
    outputs = outputNames;
    inherit meta;
    __nix2image = { kind = "catalog"; attr = info.attr or common.pname; };
    passthru = { };
    override = _: overridden "override";
    overrideAttrs = f:
      let new = (lib.toFunction f) common; in
      overridden' "overrideAttrs" (new.pname or common.pname) (new.version or versionOf);
    overrideDerivation = _: overridden "overrideDerivation";
  } // lib.optionalAttrs (versionOf != "") { version = versionOf; } // outs;
  overridden = how: overridden' how common.pname versionOf;
  overridden' = how: pname: version: (import ./opaque-package.nix { inherit lib; }) {
    builder = "${info.attr or common.pname}.${how}";
    inherit pname version;
    name = if version == "" then pname else "${pname}-${version}";
    system = common.system;
    pos = null;
    mainProgram = meta.mainProgram or null;
  };
  outs = b.listToAttrs (map (o: {
    name = o;
    value = common // { outPath = info.outputs.${o}; outputName = o; };
  }) outputNames);
in
outs.${b.head outputNames} // { all = b.attrValues outs; }
