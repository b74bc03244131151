# The same image with the app as a function argument, for --bind app=PATH.
{ dockerTools, app }:
dockerTools.buildLayeredImage {
  name = "e2e-bound";
  contents = [ app ];
  config.Cmd = [ "${app}/bin/app" ];
}
