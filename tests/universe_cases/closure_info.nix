# expect: {"closure_includes": ["closure-info", "hello-2.12.1", "closure"],
#   "files": {"closure-info/store-paths": "<xgcc-13.2.0-libgcc>\n<glibc-2.39-52>\n<libidn2-2.3.7>\n<hello-2.12.1>\n<libunistring-1.1>\n",
#             "closure-info/total-nar-size": {"exec": false},
#             "closure": "<xgcc-13.2.0-libgcc>\n<glibc-2.39-52>\n<libidn2-2.3.7>\n<hello-2.12.1>\n<libunistring-1.1>\n"}}
# closureInfo and writeClosure list a closure, sorted by store path (the files refer to every
# path they list)
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "ci";
  contents = [ (pkgs.closureInfo { rootPaths = [ pkgs.hello ]; }) (pkgs.writeClosure [ pkgs.hello ]) ];
}
