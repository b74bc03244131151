# Real store paths for nix2image's store tests, built without nixpkgs.
#
# Every derivation is a plain `builtins.derivation` run by the host's /bin/sh (no sandbox), so
# the outputs are input-addressed and identical on every x86_64-linux machine. `busybox` is
# Debian's static busybox (package busybox-static, /bin/busybox) copied into the store: a real
# executable without references, like nixpkgs' pkgsStatic.busybox.
#
#   NIX_CONFIG=$'sandbox = false\nbuild-users-group =' nix-build samples/store/store.nix -A all
#
{ tag ? "1" }:
let
  system = builtins.currentSystem;
  mk = name: script: builtins.derivation {
    inherit name system;
    builder = "/bin/sh";
    args = [ "-e" "-c" script ];
    PATH = "/usr/bin:/bin";
    nix2imageTag = tag;
  };

  busybox = mk "n2i-busybox-1.36.1" ''
    mkdir -p $out/bin
    cp /bin/busybox $out/bin/busybox
    chmod 555 $out/bin/busybox
    for a in sh ls cat echo env; do ln -s busybox $out/bin/$a; done
  '';

  # Leaf data, no references.
  tzinfo = mk "n2i-tzinfo-2024a" ''
    mkdir -p $out/share/zoneinfo
    printf 'UTC0\n' > $out/share/zoneinfo/UTC
  '';

  # A "library" that references tzinfo through a symlink only.
  libgreet = mk "n2i-libgreet-0.3" ''
    mkdir -p $out/lib $out/share
    printf 'hello from libgreet\n' > $out/share/greeting
    ln -s ${tzinfo}/share/zoneinfo $out/share/zoneinfo
  '';

  # A multi-output package: `out` refers to `lib`, `bin` to both.
  tool = builtins.derivation {
    name = "n2i-tool-2.0";
    inherit system;
    builder = "/bin/sh";
    outputs = [ "bin" "out" "lib" ];
    PATH = "/usr/bin:/bin";
    args = [ "-e" "-c" ''
      mkdir -p $lib/lib $out/share $bin/bin
      printf 'lib of tool\n' > $lib/lib/libtool.txt
      printf 'uses %s\n' "$lib" > $out/share/tool.conf
      printf '#!%s/bin/sh\ncat %s/share/tool.conf\n' ${busybox} "$out" > $bin/bin/tool
      chmod 555 $bin/bin/tool
    '' ];
  };

  # The application: a script run by busybox's sh, reading libgreet's data.
  app = mk "n2i-app-1.0" ''
    mkdir -p $out/bin
    printf '#!${busybox}/bin/sh\ncat ${libgreet}/share/greeting\n' > $out/bin/app
    chmod 555 $out/bin/app
  '';

  # Root of everything: names every path in a file.
  root = mk "n2i-root" ''
    mkdir -p $out
    printf '%s\n' ${app} ${tool.bin} > $out/paths
  '';
in
{
  inherit busybox tzinfo libgreet tool app root;
  all = [ busybox tzinfo libgreet tool.bin tool.out tool.lib app root ];
}
