# expect: {"error": ["You can not specify both contents and copyToRoot"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "both";
  contents = [ pkgs.hello ];
  copyToRoot = [ pkgs.hello ];
}
