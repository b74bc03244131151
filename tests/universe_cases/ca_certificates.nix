# expect: {"closure": ["ca-certificates", "nss-cacert-3.98"],
#   "files": {"ca-certificates/etc/ssl/certs/ca-certificates.crt": {"link": "<nss-cacert-3.98>/etc/ssl/certs/ca-bundle.crt"},
#             "ca-certificates/etc/pki/tls/certs/ca-bundle.crt": {"link": "<nss-cacert-3.98>/etc/ssl/certs/ca-bundle.crt"}}}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "certs"; contents = [ pkgs.dockerTools.caCertificates ]; }
