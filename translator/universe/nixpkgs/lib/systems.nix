# lib.systems: the platform descriptions image files look at (`hostPlatform.isLinux`, `.system`,
# `.linuxArch`, `lib.systems.examples.*`) and the Docker/OCI architecture of each system.
{ lib }:
let
  b = builtins;
  cpus = {
    x86_64 = { docker = "amd64"; linux = "x86_64"; bits = 64; isx86 = true; };
    i686 = { docker = "386"; linux = "x86"; bits = 32; isx86 = true; };
    aarch64 = { docker = "arm64"; linux = "arm64"; bits = 64; isAarch64 = true; };
    armv7l = { docker = "arm"; variant = "v7"; linux = "arm"; bits = 32; isAarch32 = true; };
    armv6l = { docker = "arm"; variant = "v6"; linux = "arm"; bits = 32; isAarch32 = true; };
    riscv64 = { docker = "riscv64"; linux = "riscv"; bits = 64; isRiscV = true; };
    powerpc64le = { docker = "ppc64le"; linux = "powerpc"; bits = 64; isPower = true; };
    s390x = { docker = "s390x"; linux = "s390"; bits = 64; isS390 = true; };
  };
  elaborate = sys:
    let
      args = if b.isString sys then { system = sys; } else sys;
      system = args.system or (
        let cfg = args.config or "x86_64-unknown-linux-gnu"; parts = lib.splitString "-" cfg;
        in "${b.head parts}-${if lib.hasInfix "darwin" cfg then "darwin" else "linux"}");
      parts = lib.splitString "-" system;
      cpuName = b.head parts;
      kernel = lib.last parts;
      cpu = cpus.${cpuName} or { docker = cpuName; linux = cpuName; bits = 64; };
      isStatic = args.isStatic or false;
      libc = args.libc or (if isStatic then "musl" else if kernel == "darwin" then "libSystem" else "glibc");
      config = args.config or "${cpuName}-unknown-${kernel}-${if libc == "musl" then "musl" else "gnu"}";
    in {
      inherit system config isStatic libc;
      parsed = { cpu = { name = cpuName; inherit (cpu) bits; }; kernel = { name = kernel; }; };
      linuxArch = cpu.linux;
      uname = { system = if kernel == "linux" then "Linux" else "Darwin"; processor = cpuName; };
      isLinux = kernel == "linux";
      isDarwin = kernel == "darwin";
      isx86_64 = cpuName == "x86_64";
      isx86 = cpu.isx86 or false;
      isAarch64 = cpu.isAarch64 or false;
      isAarch32 = cpu.isAarch32 or false;
      isRiscV = cpu.isRiscV or false;
      isMusl = libc == "musl";
      isGnu = libc == "glibc";
      is64bit = cpu.bits == 64;
      is32bit = cpu.bits == 32;
      isStatic' = isStatic;
      emulatorAvailable = _: false;
      canExecute = other: (elaborate other).system == system;
      # what dockerTools writes into the image config
      go = { GOARCH = cpu.docker; GOOS = kernel; };
      darwinArch = cpuName;
      dockerArch = cpu.docker;
      dockerVariant = cpu.variant or null;
    };
in
{
  inherit elaborate;
  flakeExposed = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" "armv6l-linux" "armv7l-linux" "i686-linux" "powerpc64le-linux" "riscv64-linux" ];
  doubles = { all = b.attrNames cpus; linux = map (c: "${c}-linux") (b.attrNames cpus); };
  examples = {
    aarch64-multiplatform = { config = "aarch64-unknown-linux-gnu"; system = "aarch64-linux"; };
    aarch64-multiplatform-musl = { config = "aarch64-unknown-linux-musl"; system = "aarch64-linux"; libc = "musl"; };
    gnu64 = { config = "x86_64-unknown-linux-gnu"; system = "x86_64-linux"; };
    musl64 = { config = "x86_64-unknown-linux-musl"; system = "x86_64-linux"; libc = "musl"; };
    gnu32 = { config = "i686-unknown-linux-gnu"; system = "i686-linux"; };
    musl32 = { config = "i686-unknown-linux-musl"; system = "i686-linux"; libc = "musl"; };
    armv7l-hf-multiplatform = { config = "armv7l-unknown-linux-gnueabihf"; system = "armv7l-linux"; };
    raspberryPi = { config = "armv6l-unknown-linux-gnueabihf"; system = "armv6l-linux"; };
    riscv64 = { config = "riscv64-unknown-linux-gnu"; system = "riscv64-linux"; };
    powernv = { config = "powerpc64le-unknown-linux-gnu"; system = "powerpc64le-linux"; };
    s390x = { config = "s390x-unknown-linux-gnu"; system = "s390x-linux"; };
  };
}
