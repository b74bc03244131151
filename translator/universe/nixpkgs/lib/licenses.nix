# lib.licenses: the licenses packages name in meta.license.
{ lib }:
let
  b = builtins;
  mk = n: { name = n; value = { shortName = n; spdxId = n; free = true; }; };
in
b.listToAttrs (map mk
  [ "mit" "asl20" "gpl2Only" "gpl2Plus" "gpl3Only" "gpl3Plus" "bsd2" "bsd3" "mpl20" "isc" "lgpl21Plus" "lgpl3Plus" "unlicense" "zlib" "publicDomain" "agpl3Only" "agpl3Plus" "cc0" "unfree" ])
