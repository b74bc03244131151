# expect: {"builder": "streamLayeredImage", "contents": ["image-root"], "closure_includes": ["image-root", "hello-2.12.1"], "tag": "t"}
# newer nixpkgs: streamLayeredImage takes copyToRoot; images have passthru and overrideAttrs
let pkgs = import <nixpkgs> { };
    img = pkgs.dockerTools.streamLayeredImage {
      name = "s"; tag = "t";
      copyToRoot = pkgs.buildEnv { name = "image-root"; paths = [ pkgs.hello ]; pathsToLink = [ "/bin" ]; };
      passthru.x = "1";
    };
    img2 = img.overrideAttrs (final: prev: { passthru = prev.passthru // { y = "2"; }; });
    img3 = img.overrideAttrs (old: { passthru = old.passthru // { z = "3"; }; });
in assert img2.x == "1" && img2.y == "2" && img2.passthru.y == "2" && img3.z == "3" && !(img3 ? y); img2
