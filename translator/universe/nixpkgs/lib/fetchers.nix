# lib.fetchers: what fixed-output fetchers share (impure proxy variables, hash arguments).
{ lib }:
let
  b = builtins;
in
rec {
  proxyImpureEnvVars = [
    "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy"
    "HTTP_PROXY" "HTTPS_PROXY" "FTP_PROXY" "ALL_PROXY" "NO_PROXY"
    "NIX_SSL_CERT_FILE"
  ];
  # The fixed-output attributes (outputHash, outputHashAlgo) from a fetcher's arguments: from `hash`
  # (an SRI hash, algorithm null) or from one of `hashTypes` (sha256 = "..."); an empty hash
  # becomes the matching fake hash. Arguments already normalized are kept; other attributes pass
  # through. Without any hash: an error, or (required = false) the arguments unchanged.
  normalizeHash = { hashTypes ? [ "sha256" ], required ? true }: args:
    let
      known = [ "md5" "sha1" "sha256" "sha512" ];
      fakes = { sha256 = lib.fakeSha256; sha512 = lib.fakeSha512; };
      given = b.filter (t: args ? ${t}) (hashTypes ++ [ "hash" ]);
      refused = b.filter (t: args ? ${t} && !(b.elem t hashTypes)) known;
      rest = b.removeAttrs args (hashTypes ++ [ "hash" ]);
    in
    if args ? outputHash then args
    else if refused != [ ] then
      throw "fetcher: ${b.head refused} is not an accepted hash type here (accepted: hash, ${b.concatStringsSep ", " hashTypes})"
    else if b.length given > 1 then
      throw "fetcher: only one of ${b.concatStringsSep ", " given} may be given"
    else if given == [ ] then
      (if required then throw "fetcher called without `hash` (or one of ${b.concatStringsSep ", " hashTypes})" else args)
    else
      let t = b.head given; v = args.${t}; in
      rest // (if t == "hash"
        then { outputHash = if v == "" then lib.fakeHash else v; outputHashAlgo = null; }
        else { outputHash = if v == "" then fakes.${t} or (throw "fetcher: no fake hash for ${t}") else v; outputHashAlgo = t; });

  # A fetcher taking outputHash/outputHashAlgo, turned into one taking `hash` (or hashTypes):
  # its functionArgs have `hash` instead (optional when outputHash is).
  withNormalizedHash = { hashTypes ? [ "sha256" ] }: fetcher:
    let
      fargs = lib.trivial.functionArgs fetcher;
      required = !fargs.outputHash;
    in
    if !(fargs ? outputHash && fargs ? outputHashAlgo) then
      throw "withNormalizedHash: the fetcher must take `outputHash` and `outputHashAlgo` arguments"
    else
      lib.trivial.setFunctionArgs
        (args: fetcher (normalizeHash { inherit hashTypes required; } args))
        (b.removeAttrs fargs [ "outputHash" "outputHashAlgo" ] // { hash = fargs.outputHash; });
}
