# expect: {"files": {"env/LIST": "a.txt\nb.txt\n", "env/share/a.txt": {"link": "<a.txt>/share/a.txt"}}}
# postBuild runs with bash in the finished tree
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildImage {
  name = "pb";
  copyToRoot = pkgs.buildEnv { name = "env"; paths = [ (pkgs.writeTextDir "share/a.txt" "a") (pkgs.writeTextDir "share/b.txt" "b") ];
    postBuild = "ls $out/share > $out/LIST"; };
}
