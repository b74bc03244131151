# options: ["--placeholders"]
# expect: {"closure_includes": ["python3-3.11.9-env", "python3-3.11.9", "python3.11-flask-3.0.3"],
#   "files": {"python3-3.11.9-env/bin/python3": {"link": "<python3-3.11.9>/bin/python3"}}}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "py"; contents = [ (pkgs.python3.withPackages (ps: [ ps.flask ])) ]; }
