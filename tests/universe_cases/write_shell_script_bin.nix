# expect: {"closure_includes": ["bash-5.2p26", "greet"], "files": {"greet/bin/greet": "#!<bash-5.2p26>/bin/bash\necho greetings\n"}}
# writeShellScriptBin starts with runtimeShell: bash is in the closure
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "greet";
  contents = [ (pkgs.writeShellScriptBin "greet" "echo greetings") ];
}
