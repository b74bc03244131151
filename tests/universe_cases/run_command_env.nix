# expect: {"files": {"vars/v": "v1 a b 1\n"}}
# runCommand's attributes are environment variables (lists joined by spaces, true -> 1)
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "env";
  contents = [ (pkgs.runCommandLocal "vars" { version = "v1"; items = [ "a" "b" ]; flag = true; } ''
    mkdir $out; echo "$version $items $flag" > $out/v
  '') ];
}
