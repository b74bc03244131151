# expect: {"include_store_paths": false, "closure": [], "roots": [], "contents": ["hello-2.12.1"]}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "nostore"; includeStorePaths = false; contents = [ pkgs.hello ];
  config.Cmd = [ "${pkgs.hello}/bin/hello" ];
}
