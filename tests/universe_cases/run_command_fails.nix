# expect: {"error": ["the build script of 'broken'", "exit code 3", "oops"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "broken";
  contents = [ (pkgs.runCommand "broken" { } "echo oops >&2; exit 3") ];
}
