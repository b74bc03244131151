# python3.withPackages: an environment (a buildEnv) with Flask, run by gunicorn-less `flask`.
{ pkgs ? import <nixpkgs> { } }:
let
  python = pkgs.python3.withPackages (ps: [ ps.flask ]);
  app = pkgs.writeTextDir "app/app.py" ''
    from flask import Flask
    app = Flask(__name__)

    @app.get("/")
    def index():
        return "hello"
  '';
in
pkgs.dockerTools.buildLayeredImage {
  name = "flask-app";
  tag = "latest";
  contents = [ python app ];
  config = {
    Cmd = [ "${python}/bin/python3" "-m" "flask" "--app" "${app}/app/app.py" "run" "--host=0.0.0.0" ];
    ExposedPorts."5000/tcp" = { };
  };
}
