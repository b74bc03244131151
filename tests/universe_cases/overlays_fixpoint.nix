# expect: {"closure_includes": ["greet", "hello-2.12.1"], "files": {"greet/bin/greet": "#!<bash-5.2p26>/bin/bash\n<hello-2.12.1>/bin/hello -g hey\n\n"},
#   "config": {"Cmd": ["<greet>/bin/greet"]}}
# the first overlay uses `final.msg`, defined by the second overlay
let pkgs = import <nixpkgs> { overlays = [
      (final: prev: { greet = final.writeShellScriptBin "greet" "${final.hello}/bin/hello -g ${final.msg}\n"; })
      (final: prev: { msg = "hey"; })
    ]; };
in pkgs.dockerTools.buildLayeredImage { name = "greet"; contents = [ pkgs.greet ]; config.Cmd = [ (pkgs.lib.getExe pkgs.greet) ]; }
