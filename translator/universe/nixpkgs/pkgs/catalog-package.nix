# A catalog entry as a nixpkgs-like derivation value: `pkg.out`, `pkg.bin`, `outPath`,
# `meta.mainProgram`, `outputs`, ... Overriding gives an opaque package (its content differs from
# the catalog's and only a --bind or --placeholders can supply it).
{ lib, stdenv ? null }:
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
  drvHash = b.substring 0 32 (b.replaceStrings [ "e" "o" "u" "t" ] [ "g" "p" "v" "w" ]
    (b.hashString "sha256" (b.unsafeDiscardStringContext (info.outputs.${b.head outputNames}))));
  common = {
    type = "derivation";
    inherit (info) name;
    pname = info.pname or (b.parseDrvName info.name).name;
    system = info.system or "x86_64-linux";
    outputs = outputNames;
    inherit meta;
    drvPath = "/nix/store/${drvHash}-${info.name}.drv";
    # what the catalog does not record: the build's inputs and source
    src = null;
    buildInputs = [ ];
    nativeBuildInputs = [ ];
    propagatedBuildInputs = [ ];
    __nix2image = { kind = "catalog"; attr = info.attr or common.pname; };
    inherit stdenv;
    passthru = { };
    override = _: overridden "override";
    overrideAttrs = f: overriddenBy "overrideAttrs" (applyOverride f);
    overrideDerivation = f: overriddenBy "overrideDerivation" (f prevAttrs);
  } // lib.optionalAttrs (versionOf != "") { version = versionOf; } // outs;
  prevAttrs = { inherit (common) name pname src buildInputs nativeBuildInputs propagatedBuildInputs passthru meta; }
    // lib.optionalAttrs (versionOf != "") { version = versionOf; };
  # `old: { ... }` or `final: prev: { ... }` (a fixed point over the new attributes)
  applyOverride = f':
    let f = lib.toFunction f'; r = f prevAttrs; in   # a set, `old: { }` or `final: prev: { }`
    if lib.isFunction r then (let fin = prevAttrs // ext; ext = f fin prevAttrs; in ext) else r;
  overridden = how: overridden' how common.pname versionOf { };
  overriddenBy = how: new: overridden' how (new.pname or common.pname) (new.version or versionOf) new;
  overridden' = how: pname: version: new: (import ./opaque-package.nix { inherit lib; }) ({
    builder = "${info.attr or common.pname}.${how}";
    inherit pname version;
    name = new.name or (if version == "" then pname else "${pname}-${version}");
    system = common.system;
    pos = null;
    mainProgram = (new.meta or { }).mainProgram or meta.mainProgram or null;
    identity = { override = b.toJSON (lib.mapAttrs (_: v: if lib.isDerivation v then "${v}" else if b.isString v || b.isInt v || b.isBool v then v else "<value>") new); };
    meta = b.removeAttrs meta [ "outputsToInstall" ] // (new.meta or { });
  } // b.intersectAttrs { src = 0; buildInputs = 0; nativeBuildInputs = 0; propagatedBuildInputs = 0; passthru = 0; } new);
  outs = b.listToAttrs (map (o: {
    name = o;
    value = common // { outPath = info.outputs.${o}; outputName = o; };
  }) outputNames);
  # outputs the catalog's build does not split off (`pkg.dev` of a single-output package, ...)
  # are the default output, as `lib.getDev` and friends would fall back
  merged = b.listToAttrs (map (o: { name = o; value = outs.${b.head outputNames}; })
    (b.filter (o: !(hasOutput o)) [ "bin" "dev" "lib" "out" "man" "doc" ]));
in
outs.${b.head outputNames} // merged // outs // { all = map (o: outs.${o}) outputNames; }
