# expect: {"files": {"env/etc": {"dir": true}, "env/etc/a.conf": {"link": "<a.conf>/etc/a.conf"},
#   "env/etc/b.conf": {"link": "<b.conf>/etc/b.conf"}, "env/opt": {"link": "<a.conf>/opt"}}}
# two packages share /etc: it becomes a real directory; /opt comes from one package: a link
let pkgs = import <nixpkgs> { };
    a = pkgs.runCommand "a.conf" { } "mkdir -p $out/etc $out/opt; echo a > $out/etc/a.conf; echo o > $out/opt/o";
    b = pkgs.writeTextDir "etc/b.conf" "b\n";
in pkgs.dockerTools.buildImage { name = "merge"; copyToRoot = pkgs.buildEnv { name = "env"; paths = [ a b ]; }; }
