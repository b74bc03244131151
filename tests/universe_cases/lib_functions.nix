# expect: {"config": {"Env": ["PATH=<hello-2.12.1>/bin:<coreutils-9.5>/bin", "LD=<zlib-1.3.1>/lib", "Q='it'\\''s'", "V=3.11", "OPT=yes", "A=x-1", "N=3"]}}
let pkgs = import <nixpkgs> { }; lib = pkgs.lib; in
pkgs.dockerTools.buildLayeredImage {
  name = "lib";
  includeStorePaths = false;
  config.Env = [
    "PATH=${lib.makeBinPath [ pkgs.hello pkgs.coreutils ]}"
    "LD=${lib.makeLibraryPath [ pkgs.zlib ]}"
    "Q=${lib.escapeShellArg "it's"}"
    "V=${lib.versions.majorMinor "3.11.9"}"
  ] ++ lib.optional true "OPT=yes" ++ lib.optionals false [ "NO=1" ]
    ++ lib.mapAttrsToList (n: v: "${n}=${v}") (lib.mapAttrs' (n: v: lib.nameValuePair (lib.toUpper n) "x-${toString v}") { a = 1; })
    ++ [ "N=${toString (lib.foldl (a: b: a + b) 0 [ 1 2 ])}" ];
}
