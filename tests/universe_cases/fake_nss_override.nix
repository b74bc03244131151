# expect: {"files": {"passwd/etc/passwd": "root:x:0:0:root user:/var/empty:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/var/empty:/bin/sh\n",
#   "group/etc/group": "root:x:0:\napp:x:1000:\nnobody:x:65534:\n"}}
let pkgs = import <nixpkgs> { }; in
pkgs.dockerTools.buildLayeredImage {
  name = "nss";
  contents = [ (pkgs.dockerTools.fakeNss.override { extraPasswdLines = [ "app:x:1000:1000::/home/app:/bin/sh" ]; extraGroupLines = [ "app:x:1000:" ]; }) ];
}
