# options: ["--bind", "tool=@TMP@/tool"]
# expect: {"closure": ["tool"], "files": {"tool/README": "tool\n"}}
# an opaque package is bound by its pname
let pkgs = import <nixpkgs> { };
    tool = pkgs.buildGoModule { pname = "tool"; version = "1.0"; src = ./.; vendorHash = null; };
in pkgs.dockerTools.buildLayeredImage { name = "tool"; contents = [ tool ]; }
