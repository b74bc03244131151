# lib.systems.parse: system strings ("x86_64-linux", "aarch64-unknown-linux-musl") to structured
# descriptions { cpu, vendor, kernel, abi } and back. The tables hold the facts the rest of
# lib.systems derives its predicates and lists from. Plain data: no functions inside `parsed`.
{ lib }:
let
  b = builtins;

  cpu = name: bits: family: endian: extra:
    { _type = "cpu-type"; inherit name bits family; significantByte = { _type = "significant-byte"; name = endian; }; } // extra;
  le = "littleEndian";
  be = "bigEndian";

  cpuTypes = b.listToAttrs (map (c: { name = c.name; value = c; }) [
    (cpu "i386" 32 "x86" le { arch = "i386"; })
    (cpu "i486" 32 "x86" le { arch = "i486"; })
    (cpu "i586" 32 "x86" le { arch = "i586"; })
    (cpu "i686" 32 "x86" le { arch = "i686"; })
    (cpu "x86_64" 64 "x86" le { arch = "x86-64"; })
    (cpu "arm" 32 "arm" le { })
    (cpu "armv5tel" 32 "arm" le { version = "5"; arch = "armv5te"; })
    (cpu "armv6m" 32 "arm" le { version = "6"; arch = "armv6-m"; })
    (cpu "armv6l" 32 "arm" le { version = "6"; arch = "armv6"; })
    (cpu "armv7a" 32 "arm" le { version = "7"; arch = "armv7-a"; })
    (cpu "armv7r" 32 "arm" le { version = "7"; arch = "armv7-r"; })
    (cpu "armv7m" 32 "arm" le { version = "7"; arch = "armv7-m"; })
    (cpu "armv7l" 32 "arm" le { version = "7"; arch = "armv7-a"; })
    (cpu "armv8a" 32 "arm" le { version = "8"; arch = "armv8-a"; })
    (cpu "aarch64" 64 "arm" le { version = "8"; arch = "armv8-a"; })
    (cpu "aarch64_be" 64 "arm" be { version = "8"; arch = "armv8-a"; })
    (cpu "loongarch64" 64 "loongarch" le { })
    (cpu "m68k" 32 "m68k" be { })
    (cpu "microblaze" 32 "microblaze" be { })
    (cpu "microblazeel" 32 "microblaze" le { })
    (cpu "mips" 32 "mips" be { })
    (cpu "mipsel" 32 "mips" le { })
    (cpu "mips64" 64 "mips" be { })
    (cpu "mips64el" 64 "mips" le { })
    (cpu "mmix" 64 "mmix" be { })
    (cpu "msp430" 16 "msp430" le { })
    (cpu "or1k" 32 "or1k" be { })
    (cpu "powerpc" 32 "power" be { })
    (cpu "powerpcle" 32 "power" le { })
    (cpu "powerpc64" 64 "power" be { })
    (cpu "powerpc64le" 64 "power" le { })
    (cpu "riscv32" 32 "riscv" le { })
    (cpu "riscv64" 64 "riscv" le { })
    (cpu "rx" 32 "rx" le { })
    (cpu "s390" 32 "s390" be { })
    (cpu "s390x" 64 "s390" be { })
    (cpu "sparc" 32 "sparc" be { })
    (cpu "sparc64" 64 "sparc" be { })
    (cpu "alpha" 64 "alpha" le { })
    (cpu "avr" 8 "avr" le { })
    (cpu "vc4" 32 "vc4" le { })
    (cpu "wasm32" 32 "wasm" le { })
    (cpu "wasm64" 64 "wasm" le { })
    (cpu "javascript" 32 "javascript" le { })
  ]);

  vendors = b.listToAttrs (map (n: { name = n; value = { _type = "vendor"; name = n; }; })
    [ "apple" "pc" "knuth" "w64" "none" "unknown" ]);

  kernel = name: execFormat: families: {
    _type = "kernel"; inherit name;
    execFormat = { _type = "exec-format"; name = execFormat; };
    families = b.listToAttrs (map (f: { name = f; value = { _type = "exec-family"; name = f; }; }) families);
  };
  kernels = {
    linux = kernel "linux" "elf" [ ];
    darwin = kernel "darwin" "macho" [ "darwin" "bsd" ];
    macos = kernel "darwin" "macho" [ "darwin" "bsd" ] // { name = "darwin"; };
    ios = kernel "ios" "macho" [ "darwin" "bsd" ];
    freebsd = kernel "freebsd" "elf" [ "bsd" ];
    netbsd = kernel "netbsd" "elf" [ "bsd" ];
    openbsd = kernel "openbsd" "elf" [ "bsd" ];
    solaris = kernel "solaris" "elf" [ ];
    windows = kernel "windows" "pe" [ ];
    none = kernel "none" "unknown" [ ];
    wasi = kernel "wasi" "wasm" [ ];
    ghcjs = kernel "ghcjs" "unknown" [ ];
    genode = kernel "genode" "elf" [ ];
    redox = kernel "redox" "elf" [ ];
    mmixware = kernel "mmixware" "unknown" [ ];
  };

  abis = b.listToAttrs (map (n: { name = n; value = { _type = "abi"; name = n; }; }) [
    "gnu" "gnuabi64" "gnuabin32" "gnuabielfv1" "gnuabielfv2" "gnueabi" "gnueabihf" "gnux32"
    "musl" "musleabi" "musleabihf" "muslabi64" "muslabin32" "musl64"
    "android" "androideabi" "cygnus" "msvc" "eabi" "eabihf" "elf" "uclibc" "uclibceabi" "uclibceabihf"
    "ilp32" "llvm" "simulator" "macabi" "unknown"
  ]);

  # The abi a bare "<cpu>-<kernel>" double means.
  defaultAbi = cpuName: kernelName:
    if kernelName == "linux" then
      (if cpuName == "armv5tel" then "gnueabi"
       else if b.elem cpuName [ "armv6l" "armv7a" "armv7l" "arm" ] then "gnueabihf"
       else if cpuName == "mips64" || cpuName == "mips64el" then "gnuabi64"
       else "gnu")
    else if kernelName == "cygwin" then "cygnus"
    else if kernelName == "windows" then "msvc"
    else if kernelName == "wasi" then "musl"
    else "unknown";
  defaultVendor = kernelName:
    if kernelName == "darwin" || kernelName == "ios" then "apple"
    else if kernelName == "cygwin" || kernelName == "solaris" then "pc"
    else if kernelName == "mmixware" then "knuth"
    else "unknown";

  mkSystem = { cpu, vendor, kernel, abi }:
    let known = set: what: n: set.${n} or (throw "Unknown ${what} `${n}' in system description"); in
    {
      _type = "system";
      cpu = known cpuTypes "CPU type" cpu;
      vendor = known vendors "vendor" vendor;
      kernel = known kernels "kernel" kernel;
      abi = known abis "ABI" abi;
    };

  # "cygwin" and "mingw32" are kernel+abi pairs in system strings.
  kernelAbi = k: defaultAbi':
    if k == "cygwin" then { kernel = "windows"; abi = "cygnus"; }
    else if k == "mingw32" || k == "w64" then { kernel = "windows"; abi = "gnu"; }
    else if k == "macos" || k == "darwin" then { kernel = "darwin"; abi = defaultAbi'; }
    else { kernel = k; abi = defaultAbi'; };

  mkSystemFromString = s:
    let
      parts = lib.splitString "-" s;
      n = b.length parts;
      p = b.elemAt parts;
      isKernel = k: kernels ? ${k} || k == "cygwin" || k == "mingw32";
      fields =
        if n == 1 then { cpu = p 0; vendor = "unknown"; kernel = "none"; abi = "unknown"; }
        else if n == 2 && !(isKernel (p 1)) && abis ? ${p 1} then
          { cpu = p 0; vendor = "unknown"; kernel = "none"; abi = p 1; }
        else if n == 2 then
          (let ka = kernelAbi (p 1) (defaultAbi (p 0) (p 1)); in
           { cpu = p 0; vendor = defaultVendor (p 1); inherit (ka) kernel abi; })
        else if n == 3 then
          (if p 1 == "linux" || (p 1 == "none" && !(isKernel (p 2)))
           then { cpu = p 0; vendor = "unknown"; kernel = p 1; abi = p 2; }
           else let ka = kernelAbi (p 2) (defaultAbi (p 0) (p 2)); in
             { cpu = p 0; vendor = p 1; inherit (ka) kernel abi; })
        else if n == 4 then
          (let ka = kernelAbi (p 2) (p 3); in { cpu = p 0; vendor = p 1; inherit (ka) kernel abi; })
        else throw "system string `${s}' has an unrecognised number of parts";
    in mkSystem fields;

  doubleFromSystem = { cpu, kernel, abi, ... }:
    if abi.name == "cygnus" then "${cpu.name}-cygwin"
    else "${cpu.name}-${kernel.name}";

  tripleFromSystem = { cpu, vendor, kernel, abi, ... }:
    let
      kernelName = if kernel.name == "windows" && abi.name == "gnu" then "mingw32"
        else if abi.name == "cygnus" then "cygwin" else kernel.name;
      abiPart = if abi.name == "unknown" || (kernel.name == "windows" && (abi.name == "gnu" || abi.name == "cygnus")) then "" else "-${abi.name}";
    in "${cpu.name}-${vendor.name}-${kernelName}${abiPart}";
in
{
  inherit cpuTypes vendors kernels abis mkSystem mkSystemFromString doubleFromSystem tripleFromSystem;
  mkSkeletonFromList = parts: mkSystemFromString (b.concatStringsSep "-" parts);
  isSystem = x: (x._type or null) == "system";
}
