# options: ["--bind", "app=@TMP@/result"]
# expect: {"roots": ["result"], "closure": ["result"], "config": {"Entrypoint": ["<result>/bin/app"]},
#   "files": {"result/bin/app": "#!/bin/sh\necho app\n"}, "tag": "latest"}
{ dockerTools, lib, app }:
dockerTools.buildLayeredImage {
  name = "app";
  tag = if app.version == "" then "latest" else app.version;
  contents = [ app ];
  config.Entrypoint = [ "${app}/bin/app" ];
}
