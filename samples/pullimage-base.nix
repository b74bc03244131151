# `import <nixpkgs> {}` with a pullImage base: the application layer goes on top of Debian.
# Resolve the base offline with --pull-cache DIR.
let
  pkgs = import <nixpkgs> { };
  debian = pkgs.dockerTools.pullImage {
    imageName = "debian";
    imageDigest = "sha256:b5ace515e78743215a1b101a6f17e59ed74b17132139ca3af3c37e605205e973";
    sha256 = "sha256-8XdUV7IAeD1bt6C8WHi5LqAqexk0tybCdXv7bC1ZXVk=";
    finalImageName = "debian";
    finalImageTag = "bookworm-slim";
  };
in
pkgs.dockerTools.buildImage {
  name = "hello-on-debian";
  tag = "latest";
  fromImage = debian;
  copyToRoot = [ pkgs.hello ];
  config.Cmd = [ "/bin/hello" ];
}
