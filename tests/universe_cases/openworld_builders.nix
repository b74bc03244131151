# options: ["--placeholders"]
# expect: {"closure_includes": ["gosvc-1.0", "gosvc-cgo-1.0", "glibc-2.39-52", "web-2.0", "nodejs-20.12.2", "libuv-1.48.0",
#   "pyapp-0.3", "python3-3.11.9", "python3.11-flask-3.0.3", "python3.11-werkzeug-3.0.3"]}
# builders of a project's own code: the closure follows the toolchain's runtime
let pkgs = import <nixpkgs> { };
    go = pkgs.buildGoModule { pname = "gosvc"; version = "1.0"; src = ./.; vendorHash = null; env.CGO_ENABLED = 0; };
    gocgo = pkgs.buildGoModule { pname = "gosvc-cgo"; version = "1.0"; src = ./.; vendorHash = null; };
    web = pkgs.buildNpmPackage { pname = "web"; version = "2.0"; src = ./.; npmDepsHash = ""; };
    py = pkgs.python3Packages.buildPythonApplication { pname = "pyapp"; version = "0.3"; src = ./.;
                                                       propagatedBuildInputs = [ pkgs.python3Packages.flask ]; };
in pkgs.dockerTools.buildLayeredImage { name = "b"; contents = [ go gocgo web py ]; }
