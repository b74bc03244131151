# The few things the modelled nixpkgs needs from its host, as one attribute set:
#
#   catalog { system; prefix; }  flat set "attr.path" -> package info (pname, version, name,
#                                outputs = { out = "/nix/store/..."; ... } with string context,
#                                outputNames, mainProgram, meta, system)
#   mk recipe                    the store path (string with context) of a builder whose recipe
#                                nix2image knows how to realise (or an opaque package)
#   open { prefix; synth; } set  `set` (a package set at attribute path `prefix`) made open: an
#                                attribute it lacks, selected without `or`, is `synth "path"`
#                                (translator/universe/openworld.py); plain Nix keeps it closed
#   missingArg fn name pkgs      a stand-in for a required argument of `fn` that `pkgs` lacks
#                                (callPackage); plain Nix selects it, failing as nixpkgs would
#
# Under nix2image these are primops registered by translator/universe/primops.py. Under real Nix
# (used to test this Nix code differentially) the fallback below reads the catalog from the JSON
# file named by $NIX2IMAGE_CATALOG_JSON and computes store paths with `derivation`.
let
  b = builtins;
  sanitize = v:
    if b.isFunction v then "<lambda>"
    else if b.isList v then map sanitize v
    else if b.isPath v then b.toString v
    else if b.isAttrs v then (if v ? outPath then "${v.outPath}" else b.mapAttrs (_: sanitize) v)
    else v;
  fallback = {
    catalog = { system, prefix }:
      let file = b.getEnv "NIX2IMAGE_CATALOG_JSON";
          all = if file == "" then { } else b.fromJSON (b.readFile file);
          pre = if prefix == "" then "" else prefix + ".";
          lp = b.stringLength pre;
          names = b.filter (n: b.substring 0 lp n == pre
                               && (prefix != "" || b.match "(pkgsStatic|pkgsCross|pkgsMusl)[.].*" n == null)) (b.attrNames all);
          withCtx = s: b.appendContext s { ${s} = { path = true; }; };
      in b.listToAttrs (map (n: { name = b.substring lp (-1) n;
                                  value = all.${n} // { outputs = b.mapAttrs (_: withCtx) all.${n}.outputs; }; }) names);
    mk = recipe: (derivation {
      name = recipe.name;
      system = recipe.system or "x86_64-linux";
      builder = "/bin/sh";
      args = [ "-c" "exit 1" ];
      nix2imageKind = recipe.kind;
      nix2imageRecipe = b.toJSON (sanitize recipe);
    }).outPath;
    open = _info: set: set;
    missingArg = _fn: name: pkgs: pkgs.${name};
    openWorld = false;
    isOpen = _: false;
  };
in
if b ? __nix2imageMk then {
  catalog = b.__nix2imageCatalog;
  mk = b.__nix2imageMk;
  open = b.__nix2imageOpen;
  missingArg = b.__nix2imageMissingArg;
  openWorld = true;
  isOpen = b.__nix2imageIsOpen;
} else fallback
