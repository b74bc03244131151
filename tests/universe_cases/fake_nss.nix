# expect: {"files": {"fake-nss/etc/passwd": {"link": "<passwd>/etc/passwd"}, "passwd/etc/passwd": "root:x:0:0:root user:/var/empty:/bin/sh\nnobody:x:65534:65534:nobody:/var/empty:/bin/sh\n",
#   "group/etc/group": "root:x:0:\nnobody:x:65534:\n", "fake-nss/var/empty": {"dir": true}},
#   "closure": ["fake-nss", "group", "nsswitch.conf", "passwd"]}
# (an empty directory has no link into var-empty, so var-empty is not referenced, as Nix would scan it)
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage { name = "nss"; contents = [ pkgs.dockerTools.fakeNss ]; }
