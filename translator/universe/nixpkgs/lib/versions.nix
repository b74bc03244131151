# lib.versions: parts of dotted version strings.
{ lib }:
let
  b = builtins;
  inherit (lib.strings) splitVersion splitString removePrefix;
  inherit (lib.lists) take;
in
{
  inherit splitVersion;
  major = v: b.elemAt (splitVersion v) 0;
  minor = v: b.elemAt (splitVersion v) 1;
  patch = v: b.elemAt (splitVersion v) 2;
  majorMinor = v: b.concatStringsSep "." (take 2 (splitVersion v));
  pad = n: version:
    let numericVersion = b.head (splitString "-" version);
        versionSuffix = removePrefix numericVersion version;
    in b.concatStringsSep "." (take n (splitVersion numericVersion ++ b.genList (_: "0") n)) + versionSuffix;
}
