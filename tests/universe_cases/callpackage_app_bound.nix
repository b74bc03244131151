# options: ["--bind", "app=@TMP@/result"]
# expect: {"roots": ["result"], "closure": ["result"], "config": {"Entrypoint": ["<result>/bin/app"]},
#   "files": {"result/bin/app": "#!/bin/sh\necho app\n"}, "tag": "latest"}
{ dockerTools, lib, app }:
dockerTools.buildLayeredImage {
  name = "app";
  tag = app.version or "latest";  # a bare ./result has no version, as mkDerivation with only a name
  contents = [ app ];
  config.Entrypoint = [ "${app}/bin/app" ];
}
