# expect: {"closure": ["index.html"], "files": {"index.html/var/www/index.html": "<h1>hi</h1>\n", "index.html/var": {"dir": true}}}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "www";
  copyToRoot = pkgs.writeTextDir "var/www/index.html" "<h1>hi</h1>\n";
}
