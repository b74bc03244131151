# lib.kernel: values of Linux kernel configuration options (structuredExtraConfig).
{ lib }:
let
  b = builtins;
in
rec {
  yes = { tristate = "y"; optional = false; };
  no = { tristate = "n"; optional = false; };
  module = { tristate = "m"; optional = false; };
  unset = { tristate = null; optional = false; };
  freeform = x: { freeform = x; optional = false; };
  option = x: x // { optional = true; };
  whenHelpers = version: {
    whenAtLeast = ver: lib.mkIf (lib.strings.versionAtLeast version ver);
    whenOlder = ver: lib.mkIf (lib.strings.versionOlder version ver);
    whenBetween = verLow: verHigh: lib.mkIf (lib.strings.versionAtLeast version verLow && lib.strings.versionOlder version verHigh);
  };
}
