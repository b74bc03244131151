# nginx with users from fakeNss (extra nginx user/group), a config file from writeText and
# fakeRootCommands creating the runtime directories.
{ pkgs ? import <nixpkgs> { } }:
let
  nginxConf = pkgs.writeText "nginx.conf" ''
    user nginx nginx;
    daemon off;
    error_log /dev/stdout info;
    pid /dev/null;
    events { }
    http {
      access_log /dev/stdout;
      server {
        listen 80;
        index index.html;
        location / { root ${webRoot}; }
      }
    }
  '';
  webRoot = pkgs.writeTextDir "index.html" ''
    <html><body><h1>Hello from nix2image</h1></body></html>
  '';
in
pkgs.dockerTools.buildLayeredImage {
  name = "nginx-container";
  tag = "latest";
  contents = [
    (pkgs.dockerTools.fakeNss.override {
      extraPasswdLines = [ "nginx:x:101:101:nginx:/var/empty:/bin/sh" ];
      extraGroupLines = [ "nginx:x:101:" ];
    })
    pkgs.nginx
  ];
  extraCommands = ''
    mkdir -p tmp/nginx_client_body
  '';
  fakeRootCommands = ''
    mkdir -p /var/log/nginx
    chown 101:101 /var/log/nginx
  '';
  enableFakechroot = true;
  config = {
    Cmd = [ "nginx" "-c" nginxConf ];
    ExposedPorts = { "80/tcp" = { }; };
  };
}
