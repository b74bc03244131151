# lib.fetchers: what fixed-output fetchers share (impure proxy variables, hash arguments).
{ lib }:
let
  b = builtins;
in
{
  proxyImpureEnvVars = [
    "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy"
    "HTTP_PROXY" "HTTPS_PROXY" "FTP_PROXY" "ALL_PROXY" "NO_PROXY"
    "NIX_SSL_CERT_FILE"
  ];
  # { hash } from whichever of hash / sha256 / sha512 / ... was given (an empty hash if none).
  normalizeHash = { hashTypes ? [ "sha256" ], required ? true }: args:
    let
      given = b.filter (t: args ? ${t}) hashTypes;
      rest = b.removeAttrs args ([ "hash" ] ++ hashTypes);
    in
    if args ? hash then rest // { inherit (args) hash; }
    else if given != [ ] then
      let t = b.head given; v = args.${t}; in
      rest // { hash = if v == "" then "" else if lib.strings.hasPrefix "${t}-" v then v else "${t}:${v}"; }
    else if required then throw "fetcher called without `hash`"
    else rest;
}
