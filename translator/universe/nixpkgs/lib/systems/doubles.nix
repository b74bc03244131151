# lib.systems.doubles (also lib.platforms): the "<cpu>-<kernel>" systems nixpkgs knows, and the
# lists of those matching each CPU family or operating system, computed from their parse.
{ lib }:
let
  b = builtins;
  parse = import ./parse.nix { inherit lib; };
  inherit (import ./inspect.nix { inherit lib; }) parsedPredicates;

  all = [
    # Linux
    "aarch64-linux" "armv5tel-linux" "armv6l-linux" "armv7a-linux" "armv7l-linux" "i686-linux"
    "loongarch64-linux" "m68k-linux" "microblaze-linux" "microblazeel-linux" "mips-linux" "mips64-linux"
    "mips64el-linux" "mipsel-linux" "powerpc64-linux" "powerpc64le-linux" "riscv32-linux" "riscv64-linux"
    "s390-linux" "s390x-linux" "x86_64-linux"
    # Darwin
    "x86_64-darwin" "aarch64-darwin"
    # BSDs
    "aarch64-freebsd" "i686-freebsd" "x86_64-freebsd"
    "i686-openbsd" "x86_64-openbsd"
    "aarch64-netbsd" "armv6l-netbsd" "armv7a-netbsd" "armv7l-netbsd" "i686-netbsd" "m68k-netbsd" "mipsel-netbsd"
    "powerpc-netbsd" "riscv32-netbsd" "riscv64-netbsd" "x86_64-netbsd"
    # illumos
    "x86_64-solaris"
    # WASI
    "wasm64-wasi" "wasm32-wasi"
    # Windows (Cygwin included)
    "i686-cygwin" "x86_64-cygwin" "aarch64-windows" "i686-windows" "x86_64-windows"
    # bare metal
    "aarch64-none" "aarch64_be-none" "arm-none" "armv6l-none" "avr-none" "i686-none" "m68k-none" "microblaze-none"
    "microblazeel-none" "mips-none" "mips64-none" "msp430-none" "or1k-none" "powerpc-none" "powerpcle-none"
    "riscv32-none" "riscv64-none" "rx-none" "s390-none" "s390x-none" "vc4-none" "x86_64-none"
    # others
    "mmix-mmixware" "javascript-ghcjs"
    "aarch64-genode" "i686-genode" "x86_64-genode"
    "x86_64-redox"
  ];

  parsedOf = b.listToAttrs (map (s: { name = s; value = parse.mkSystemFromString s; }) all);
  where = pred: b.filter (s: pred parsedOf.${s}) all;
  P = parsedPredicates;
in
{
  inherit all;
  none = [ ];

  arm = where P.isAarch32;
  armv7 = where (p: P.isAarch32 p && P.isArmv7 p);
  aarch64 = where P.isAarch64;
  x86 = where P.isx86;
  i686 = where P.isi686;
  x86_64 = where P.isx86_64;
  microblaze = where P.isMicroBlaze;
  mips = where P.isMips;
  mmix = where P.isMmix;
  power = where P.isPower;
  riscv = where P.isRiscV;
  riscv32 = where P.isRiscV32;
  riscv64 = where P.isRiscV64;
  rx = where P.isRx;
  vc4 = where P.isVc4;
  or1k = where P.isOr1k;
  m68k = where P.isM68k;
  s390 = where P.isS390;
  s390x = where P.isS390x;
  loongarch64 = where P.isLoongArch64;
  js = where P.isJavaScript;

  bigEndian = where P.isBigEndian;
  littleEndian = where P.isLittleEndian;

  cygwin = where P.isCygwin;
  darwin = where P.isDarwin;
  freebsd = where P.isFreeBSD;
  genode = where P.isGenode;
  redox = where P.isRedox;
  gnu = where (p: P.isLinux p && P.isGnu p);
  illumos = where P.isSunOS;
  linux = where P.isLinux;
  netbsd = where P.isNetBSD;
  openbsd = where P.isOpenBSD;
  unix = where P.isUnix;
  wasi = where P.isWasi;
  windows = where P.isWindows;
  embedded = where P.isNone;

  mesaPlatforms = [
    "i686-linux" "x86_64-linux" "x86_64-darwin" "armv5tel-linux" "armv6l-linux" "armv7l-linux" "armv7a-linux"
    "aarch64-linux" "powerpc64-linux" "powerpc64le-linux" "aarch64-darwin" "riscv64-linux"
  ];
}
