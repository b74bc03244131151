# expect: {"closure_includes": ["curl-8.7.1-bin", "hello-2.12.1", "nss-cacert-3.98"], "contents": ["hello-2.12.1", "curl-8.7.1-bin", "nss-cacert-3.98"],
#   "config": {"Env": ["SSL_CERT_FILE=<nss-cacert-3.98>/etc/ssl/certs/ca-bundle.crt"]}}
with import <nixpkgs> { };
dockerTools.buildLayeredImage {
  name = "with";
  contents = [ hello curl cacert ];
  config.Env = [ "SSL_CERT_FILE=${cacert}/etc/ssl/certs/ca-bundle.crt" ];
}
