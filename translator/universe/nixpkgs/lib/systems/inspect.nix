# lib.systems.inspect: the platform predicates (isLinux, isAarch64, isMusl, ...) as patterns over
# a parsed system, and as functions of an elaborated platform.
{ lib }:
let
  b = builtins;

  # name -> predicate on `parsed`
  cpuIs = n: p: p.cpu.name == n;
  familyIs = f: p: p.cpu.family == f;
  kernelIs = k: p: p.kernel.name == k;
  abiIn = names: p: b.elem p.abi.name names;
  bitsAre = n: p: p.cpu.bits == n;

  muslAbis = [ "musl" "musleabi" "musleabihf" "muslabin32" "muslabi64" "musl64" ];
  gnuAbis = [ "gnu" "gnueabi" "gnueabihf" "gnuabi64" "gnuabin32" "gnuabielfv1" "gnuabielfv2" "gnux32" ];

  parsedPredicates = {
    isi686 = cpuIs "i686";
    isx86_32 = p: familyIs "x86" p && bitsAre 32 p;
    isx86_64 = cpuIs "x86_64";
    isx86 = familyIs "x86";
    isPower = familyIs "power";
    isPower64 = p: familyIs "power" p && bitsAre 64 p;
    isAbiElfv2 = p: p.cpu.name == "powerpc64le" || (p.cpu.name == "powerpc64" && abiIn [ "gnuabielfv2" "musl" ] p);
    isSparc = familyIs "sparc";
    isSparc64 = p: familyIs "sparc" p && bitsAre 64 p;
    isWasm = familyIs "wasm";
    isMsp430 = familyIs "msp430";
    isVc4 = familyIs "vc4";
    isOr1k = familyIs "or1k";
    isM68k = familyIs "m68k";
    isS390 = familyIs "s390";
    isS390x = cpuIs "s390x";
    isLoongArch64 = cpuIs "loongarch64";
    isJavaScript = familyIs "javascript";
    isAarch = familyIs "arm";
    isAarch32 = p: familyIs "arm" p && bitsAre 32 p;
    isAarch64 = p: familyIs "arm" p && bitsAre 64 p;
    isArmv7 = p: (p.cpu.version or null) == "7";
    isMicroBlaze = familyIs "microblaze";
    isMips = familyIs "mips";
    isMips32 = p: familyIs "mips" p && bitsAre 32 p;
    isMips64 = p: familyIs "mips" p && bitsAre 64 p;
    isMips64n32 = p: familyIs "mips" p && bitsAre 64 p && abiIn [ "gnuabin32" "muslabin32" ] p;
    isMips64n64 = p: familyIs "mips" p && bitsAre 64 p && !(abiIn [ "gnuabin32" "muslabin32" ] p);
    isMmix = familyIs "mmix";
    isRiscV = familyIs "riscv";
    isRiscV32 = p: familyIs "riscv" p && bitsAre 32 p;
    isRiscV64 = p: familyIs "riscv" p && bitsAre 64 p;
    isRx = familyIs "rx";
    isAlpha = familyIs "alpha";
    isAvr = familyIs "avr";
    is32bit = bitsAre 32;
    is64bit = bitsAre 64;
    isILP32 = p: bitsAre 32 p || abiIn [ "gnuabin32" "muslabin32" "gnux32" "ilp32" ] p;
    isBigEndian = p: p.cpu.significantByte.name == "bigEndian";
    isLittleEndian = p: p.cpu.significantByte.name == "littleEndian";

    isLinux = kernelIs "linux";
    isDarwin = p: p.kernel.families ? darwin;
    isMacOS = kernelIs "darwin";
    isiOS = kernelIs "ios";
    isBSD = p: p.kernel.families ? bsd;
    isFreeBSD = kernelIs "freebsd";
    isNetBSD = kernelIs "netbsd";
    isOpenBSD = kernelIs "openbsd";
    isSunOS = kernelIs "solaris";
    isWindows = kernelIs "windows";
    isCygwin = p: kernelIs "windows" p && p.abi.name == "cygnus";
    isMinGW = p: kernelIs "windows" p && abiIn [ "gnu" "msvc" ] p;
    isWasi = kernelIs "wasi";
    isRedox = kernelIs "redox";
    isGhcjs = kernelIs "ghcjs";
    isGenode = kernelIs "genode";
    isNone = kernelIs "none";
    isUnix = p: b.elem p.kernel.name [ "linux" "darwin" "ios" "freebsd" "netbsd" "openbsd" "solaris" "redox" ]
      || (kernelIs "windows" p && p.abi.name == "cygnus");

    isAndroid = abiIn [ "android" "androideabi" ];
    isGnu = abiIn gnuAbis;
    isMusl = abiIn muslAbis;
    isUClibc = abiIn [ "uclibc" "uclibceabi" "uclibceabihf" ];
    isEfi = p: b.elem p.cpu.family [ "x86" "arm" "riscv" "loongarch" ] && !(p.cpu.name == "armv6l" || p.cpu.name == "armv5tel");
    isElf = p: p.kernel.execFormat.name == "elf";
    isMacho = p: p.kernel.execFormat.name == "macho";
  };
  # The same tests as partial `parsed` descriptions (a list means any of them), for meta.platforms
  # and meta.badPlatforms, which lib.meta.platformMatch compares with matchAttrs.
  cpuFamily = family: bits: { cpu = { inherit family; } // (if bits == null then { } else { inherit bits; }); };
  abiNamed = names: map (name: { abi = { inherit name; }; }) names;
  patterns = {
    isLinux = { kernel = { name = "linux"; }; };
    isDarwin = { kernel = { families = { darwin = { _type = "exec-family"; name = "darwin"; }; }; }; };
    isMacOS = { kernel = { name = "darwin"; }; };
    isFreeBSD = { kernel = { name = "freebsd"; }; };
    isNetBSD = { kernel = { name = "netbsd"; }; };
    isOpenBSD = { kernel = { name = "openbsd"; }; };
    isBSD = { kernel = { families = { bsd = { _type = "exec-family"; name = "bsd"; }; }; }; };
    isWindows = { kernel = { name = "windows"; }; };
    isNone = { kernel = { name = "none"; }; };
    isx86 = cpuFamily "x86" null;
    isx86_32 = cpuFamily "x86" 32;
    isx86_64 = { cpu = { name = "x86_64"; }; };
    isi686 = { cpu = { name = "i686"; }; };
    isAarch = cpuFamily "arm" null;
    isAarch32 = cpuFamily "arm" 32;
    isAarch64 = cpuFamily "arm" 64;
    isPower = cpuFamily "power" null;
    isPower64 = cpuFamily "power" 64;
    isRiscV = cpuFamily "riscv" null;
    isRiscV64 = cpuFamily "riscv" 64;
    isMips = cpuFamily "mips" null;
    isS390 = cpuFamily "s390" null;
    isWasm = cpuFamily "wasm" null;
    is32bit = { cpu = { bits = 32; }; };
    is64bit = { cpu = { bits = 64; }; };
    isMusl = abiNamed muslAbis;
    isGnu = abiNamed gnuAbis;
    isUnix = map (name: { kernel = { inherit name; }; }) [ "linux" "darwin" "ios" "freebsd" "netbsd" "openbsd" "solaris" "redox" ]
      ++ [ { kernel = { name = "windows"; }; abi = { name = "cygnus"; }; } ];
  };
in
{
  inherit parsedPredicates patterns;
  # predicates of an elaborated platform (or anything with `parsed`)
  predicates = b.mapAttrs (_: pred: platform: pred platform.parsed) parsedPredicates;
}
