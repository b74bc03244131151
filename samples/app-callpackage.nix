# The most common real-world shape: a function called by callPackage (or a flake) with the
# project's own build output as `app`. Bind it: nix2image spec app-callpackage.nix --bind app=./result
{ dockerTools, lib, cacert, tzdata, app }:
dockerTools.buildLayeredImage {
  name = "my-app";
  tag = app.version or "latest";
  contents = [ app cacert tzdata ];
  config = {
    Entrypoint = [ (lib.getExe app) ];
    Env = [
      "SSL_CERT_FILE=${cacert}/etc/ssl/certs/ca-bundle.crt"
      "TZDIR=${tzdata}/share/zoneinfo"
    ];
    ExposedPorts."8080/tcp" = { };
    User = "1000:1000";
  };
}
