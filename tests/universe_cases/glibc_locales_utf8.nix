# expect: {"closure_includes": ["glibc-locales-2.39-52"], "config": {"Env": ["LOCALE_ARCHIVE=<glibc-locales-2.39-52>/lib/locale/locale-archive", "GREETING=hi"]}}
# glibcLocalesUtf8 (the UTF-8-only locales images use for LOCALE_ARCHIVE), passed by a
# lib.callPackageWith over pkgs extended with the project's own values
let
  pkgs = import <nixpkgs> { };
  myCallPackage = pkgs.lib.callPackageWith (pkgs // { greeting = "hi"; });
in myCallPackage
  ({ dockerTools, glibcLocalesUtf8, greeting }:
    dockerTools.buildLayeredImage {
      name = "locales";
      contents = [ glibcLocalesUtf8 ];
      config.Env = [ "LOCALE_ARCHIVE=${glibcLocalesUtf8}/lib/locale/locale-archive" "GREETING=${greeting}" ];
    })
  { }
