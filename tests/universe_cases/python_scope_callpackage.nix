# expect: {"builder": "streamLayeredImage", "name": "py-scope", "closure_includes": ["python3.11-flask-3.0.3", "busybox-1.36.1"], "config": {"Cmd": ["<busybox-1.36.1>/bin/sh"], "Env": ["FLASK=<python3.11-flask-3.0.3>"]}}
# python3Packages.callPackage: the Python packages first, then the top-level packages
# (dockerTools, busybox), as nixpkgs' Python package scope does
let pkgs = import <nixpkgs> { };
in pkgs.python3Packages.callPackage
  ({ dockerTools, busybox, flask, lib }:
    dockerTools.streamLayeredImage {
      name = "py-scope";
      contents = [ busybox flask ];
      config.Cmd = [ "${busybox}/bin/sh" ];
      config.Env = [ "FLASK=${flask}" ];
    })
  { }
