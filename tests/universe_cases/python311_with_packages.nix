# options: ["--placeholders"]
# expect: {"closure_includes": ["python3-3.11.9-env", "python3.11-flask-3.0.3", "python3.11-gunicorn-22.0.0", "python3.11-click-8.1.7"],
#   "files": {"python3-3.11.9-env/bin/python3": {"link": "<python3-3.11.9>/bin/python3"}},
#   "config": {"Cmd": ["<python3-3.11.9-env>/bin/gunicorn", "app:app"], "Labels": {"org.nix2image.placeholders": "28"}}}
# pythonXY.withPackages gives an environment with the interpreter and the packages' closures;
# every path but the environment itself (29 in all) is a catalog-only placeholder
let pkgs = import <nixpkgs> { }; env = pkgs.python311.withPackages (ps: with ps; [ flask gunicorn ]); in
pkgs.dockerTools.buildLayeredImage { name = "py"; contents = [ env ]; config.Cmd = [ "${env}/bin/gunicorn" "app:app" ]; }
