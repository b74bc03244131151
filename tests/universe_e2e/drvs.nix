# Real derivations built with nix-build in the end-to-end test: a static busybox copied from the
# host (Debian's busybox-static) and an app whose script refers to it.
let
  system = "x86_64-linux";
  busybox = derivation {
    name = "n2i-e2e-busybox";
    inherit system;
    PATH = "/usr/bin:/bin";
    builder = "/bin/sh";
    args = [ "-c" "mkdir -p $out/bin && cp /bin/busybox $out/bin/busybox" ];
  };
  app = derivation {
    name = "n2i-e2e-app-1.0";
    inherit system;
    PATH = "/usr/bin:/bin";
    builder = "/bin/sh";
    args = [ "-c" ''
      mkdir -p $out/bin
      printf '#!%s/bin/busybox sh\necho hello from the e2e app\n' ${busybox} > $out/bin/app
      chmod +x $out/bin/app
    '' ];
  };
in
{ inherit busybox app; }
