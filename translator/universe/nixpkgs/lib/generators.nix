# lib.generators: configuration-file writers commonly used to fill writeText contents.
{ lib }:
let
  b = builtins;
  mkValueStringDefault = { }: v:
    if b.isInt v then b.toString v
    else if b.isString v then v
    else if v == true then "true"
    else if v == false then "false"
    else if v == null then "null"
    else if b.isFloat v then b.toString v
    else if v ? outPath then "${v}"
    else b.toJSON v;
  mkKeyValueDefault = { mkValueString ? mkValueStringDefault { } }: sep: k: v:
    "${lib.escape [ sep ] k}${sep}${mkValueString v}";
  toKeyValue = { mkKeyValue ? mkKeyValueDefault { } "=", listsAsDuplicateKeys ? false, indent ? "" }: attrs:
    let mkLine = k: v: indent + mkKeyValue k v + "\n";
        mkLines = if listsAsDuplicateKeys then k: v: map (mkLine k) (if b.isList v then v else [ v ]) else k: v: [ (mkLine k v) ];
    in lib.concatStrings (lib.concatLists (lib.mapAttrsToList mkLines attrs));
  toINI = { mkSectionName ? (name: lib.escape [ "[" "]" ] name), mkKeyValue ? mkKeyValueDefault { } "=", listsAsDuplicateKeys ? false }: attrsOfAttrs:
    let mkSection = sectName: sectValues: ''
          [${mkSectionName sectName}]
        '' + toKeyValue { inherit mkKeyValue listsAsDuplicateKeys; } sectValues;
    in lib.concatStringsSep "\n" (lib.mapAttrsToList mkSection attrsOfAttrs);
  toJSON = { }: b.toJSON;
  toYAML = { }: b.toJSON;
  toPretty = { multiline ? true, ... }: v: b.toJSON v;
in
{
  inherit mkValueStringDefault mkKeyValueDefault toKeyValue toINI toJSON toYAML toPretty;
  toGitINI = toINI { };
}
