# What `import <nix/fetchurl.nix>` gives in Nix 2.8 (its only corepkg, at /__corepkgs__/):
# a function making a fixed-output derivation that Nix's built-in `builtin:fetchurl` builder
# downloads. Written from its observable behaviour: the same arguments and defaults, the same
# derivation attributes, hence the same .drv and output paths.
#
# The expected hash comes from `hash` (SRI, its algorithm implied) or else from the first of
# sha512, sha1, md5, sha256 that is not empty; `unpack` or `executable` hash the result as a
# NAR ("recursive"), otherwise the file itself ("flat").
let
  legacy = args:
    let
      given = builtins.filter (n: args.${n} != "") [ "sha512" "sha1" "md5" ];
    in
      if given == [ ] then { algo = "sha256"; value = args.sha256; }
      else { algo = builtins.head given; value = args.${builtins.head given}; };
in
{ system ? "" # accepted and ignored: the builder runs as system "builtin"
, url
, hash ? ""
, md5 ? ""
, sha1 ? ""
, sha256 ? ""
, sha512 ? ""
, outputHash ? (if hash != "" then hash else (legacy { inherit md5 sha1 sha256 sha512; }).value)
, outputHashAlgo ? (if hash != "" then "" else (legacy { inherit md5 sha1 sha256 sha512; }).algo)
, executable ? false
, unpack ? false
, name ? baseNameOf (toString url)
}:

derivation {
  inherit name url executable unpack outputHash outputHashAlgo;
  urls = [ url ]; # what nix-prefetch-url reads
  builder = "builtin:fetchurl";
  system = "builtin";
  outputHashMode = if executable || unpack then "recursive" else "flat";
  preferLocalBuild = true;
  # a fixed-output download may use the caller's proxy settings
  impureEnvVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];
}
