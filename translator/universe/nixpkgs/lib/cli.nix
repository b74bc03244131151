# lib.cli: GNU-style command lines from attribute sets.
{ lib }:
let
  b = builtins;
in
rec {
  # { X = "PUT"; retry = 3; url = [ a c ]; verbose = true; quiet = false; x = null; }
  #   -> [ "-X" "PUT" "--retry" "3" "--url" a "--url" c "--verbose" ]
  # One-letter names get one dash; true is a bare flag; false and null are left out; a list
  # repeats the option. With optionValueSeparator = "=" an option and its value are one word.
  toGNUCommandLine =
    { mkOptionName ? (k: if b.stringLength k == 1 then "-${k}" else "--${k}")
    , mkBool ? (k: v: lib.lists.optional v (mkOptionName k))
    , mkList ? (k: v: lib.lists.concatMap (mkOption k) v)
    , mkOption ? (k: v:
        if v == null then [ ]
        else if optionValueSeparator == null then [ (mkOptionName k) (lib.generators.mkValueStringDefault { } v) ]
        else [ "${mkOptionName k}${optionValueSeparator}${lib.generators.mkValueStringDefault { } v}" ])
    , optionValueSeparator ? null
    }:
    options:
    let
      render = k: v:
        if b.isBool v then mkBool k v
        else if b.isList v then mkList k v
        else mkOption k v;
    in b.concatLists (lib.attrsets.mapAttrsToList render options);

  toGNUCommandLineShell = args: options: lib.strings.escapeShellArgs (toGNUCommandLine args options);

}
