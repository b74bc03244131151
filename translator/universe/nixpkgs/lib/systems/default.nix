# lib.systems: platform descriptions. `elaborate` turns a system double, a configuration triple or
# an attribute set (`{ system = ...; }`, `{ config = ...; }`, plus overrides such as `isStatic`)
# into the platform record stdenv.hostPlatform/buildPlatform carry: `system`, `config`, `parsed`,
# the inspect predicates as booleans (isLinux, isAarch64, isMusl, ...), libc, linuxArch,
# qemuArch, uname, go/rust target names, canExecute and friends. Image files read these, and
# dockerTools takes the image architecture from them (`dockerArch`/`dockerVariant`, model
# extras written as nixpkgs' dockerTools maps GOARCH/GOARM).
{ lib }:
let
  b = builtins;
  parse = import ./parse.nix { inherit lib; };
  inspect = import ./inspect.nix { inherit lib; };
  doubles = import ./doubles.nix { inherit lib; };
  examples = import ./examples.nix { inherit lib; };
  platforms = import ./platforms.nix { inherit lib; };

  # Elaborated platforms hold functions (canExecute, ...), which never compare equal in Nix:
  # compare everything else.
  equals = x: y:
    let dataOf = lib.filterAttrs (_: v: !b.isFunction v); in dataOf x == dataOf y;

  flakeExposed = [
    "x86_64-linux" "aarch64-linux" "x86_64-darwin" "armv6l-linux" "armv7l-linux" "i686-linux"
    "aarch64-darwin" "powerpc64le-linux" "riscv64-linux" "x86_64-freebsd"
  ];

  elaborate = spec:
    let
      args = if b.isString spec then { system = spec; } else spec;
      # a static Linux platform given only by its double means musl, as pkgsStatic does
      staticMusl = (args.isStatic or false) && !(args ? config) && args ? system
        && (parse.mkSystemFromString args.system).kernel.name == "linux";
      parsed =
        if args ? config then parse.mkSystemFromString args.config
        else if staticMusl then
          (let p = parse.mkSystemFromString args.system; in
           p // { abi = parse.abis.${if p.cpu.family == "arm" && p.cpu.bits == 32 then "musleabihf" else "musl"}; })
        else if args ? system then parse.mkSystemFromString args.system
        else throw "lib.systems.elaborate: expected a system string or an attribute set with `system` or `config`";
      cpu = parsed.cpu;
      kernelName = parsed.kernel.name;
      preds = b.mapAttrs (_: pred: pred parsed) inspect.parsedPredicates;

      libc =
        if preds.isDarwin then "libSystem"
        else if preds.isMinGW then "msvcrt"
        else if preds.isWasi then "wasilibc"
        else if preds.isRedox then "relibc"
        else if preds.isMusl then "musl"
        else if preds.isUClibc then "uclibc"
        else if preds.isAndroid then "bionic"
        else if preds.isLinux then "glibc"
        else if preds.isFreeBSD then "fblibc"
        else if preds.isNetBSD then "nblibc"
        else if preds.isOpenBSD then "oblibc"
        else if preds.isNone && !preds.isAvr then "newlib"
        else if preds.isAvr then "avrlibc"
        else if preds.isGenode then "genode-libc"
        else null;

      linuxArch =
        if preds.isAarch32 then "arm"
        else if preds.isAarch64 then "arm64"
        else if preds.isx86_32 then "i386"
        else if preds.isx86_64 then "x86_64"
        else if preds.isMicroBlaze then "microblaze"
        else if preds.isMips32 || preds.isMips64 then "mips"
        else if preds.isPower then "powerpc"
        else if preds.isRiscV then "riscv"
        else if preds.isS390 then "s390"
        else if preds.isLoongArch64 then "loongarch"
        else if preds.isM68k then "m68k"
        else cpu.name;

      qemuArch =
        if preds.isAarch32 then "arm"
        else if preds.isS390 && !preds.isS390x then null
        else if preds.isx86_64 then "x86_64"
        else if preds.isx86 then "i386"
        else if cpu.name == "powerpc64le" then "ppc64le"
        else if cpu.name == "powerpc64" then "ppc64"
        else if cpu.name == "powerpc" then "ppc"
        else if cpu.name == "powerpcle" then "ppcle"
        else if cpu.name == "mips64el" then "mips64el"
        else cpu.name;

      goArch =
        if preds.isx86_64 then "amd64"
        else if preds.isx86_32 then "386"
        else if preds.isAarch64 then "arm64"
        else if preds.isAarch32 then "arm"
        else if cpu.name == "powerpc64le" then "ppc64le"
        else if cpu.name == "powerpc64" then "ppc64"
        else if cpu.name == "mips64el" then "mips64le"
        else if cpu.name == "mipsel" then "mipsle"
        else if cpu.name == "loongarch64" then "loong64"
        else cpu.name;
      goArm = if preds.isAarch32 then (cpu.version or "7") else null;

      system = parse.doubleFromSystem parsed;
      isStatic = args.isStatic or (preds.isWasm || preds.isRedox);

      final = preds // {
        inherit parsed system libc linuxArch qemuArch isStatic;
        config = parse.tripleFromSystem parsed;
        hasSharedLibraries = !isStatic && !preds.isWasm && !preds.isNone;
        useAndroidPrebuilt = false;
        useiOSPrebuilt = false;
        uname = {
          system =
            if kernelName == "linux" then "Linux" else if kernelName == "windows" then "Windows"
            else if preds.isDarwin then "Darwin" else if kernelName == "netbsd" then "NetBSD"
            else if kernelName == "freebsd" then "FreeBSD" else if kernelName == "openbsd" then "OpenBSD"
            else if kernelName == "solaris" then "SunOS" else if kernelName == "redox" then "Redox"
            else if kernelName == "genode" then "Genode" else null;
          processor =
            if preds.isPower64 then "ppc64${if preds.isLittleEndian then "le" else ""}"
            else if preds.isAarch64 && preds.isDarwin then "arm64"
            else if preds.isAarch32 then "arm" else cpu.name;
          release = null;
        };
        efiArch =
          if preds.isx86_64 then "x64" else if preds.isx86_32 then "ia32" else if preds.isAarch64 then "aa64"
          else if preds.isAarch32 then "arm" else if preds.isRiscV64 then "riscv64" else if preds.isLoongArch64 then "loongarch64"
          else cpu.name;
        # U-Boot's ARCH= name: the kernel's, but "x86" for 32-bit x86 and "mips64" for 64-bit MIPS
        ubootArch = if preds.isx86_32 then "x86" else if preds.isMips64 then "mips64" else linuxArch;
        darwinArch = if preds.isAarch64 then "arm64" else cpu.name;
        linker = if preds.isDarwin then "cctools" else "bfd";
        extensions = {
          sharedLibrary = if preds.isDarwin then ".dylib" else if preds.isWindows then ".dll" else ".so";
          staticLibrary = if preds.isWindows && !preds.isCygwin then ".lib" else ".a";
          library = if isStatic then (if preds.isWindows then ".lib" else ".a")
            else if preds.isDarwin then ".dylib" else if preds.isWindows then ".dll" else ".so";
          executable = if preds.isWindows then ".exe" else "";
        };
        go = { GOARCH = goArch; GOOS = if kernelName == "windows" then "windows" else if preds.isDarwin then "darwin" else kernelName; GOARM = goArm; };
        rust = {
          rustcTarget =
            if preds.isDarwin then "${if preds.isAarch64 then "aarch64" else cpu.name}-apple-darwin"
            else if preds.isLinux then "${cpu.name}-unknown-linux-${parsed.abi.name}"
            else parse.tripleFromSystem parsed;
          platform = { arch = if preds.isx86_64 then "x86_64" else cpu.name; os = kernelName; };
        };
        gcc = { };
        linux-kernel = { };
        # the image architecture, as nixpkgs' dockerTools derives it from GOARCH/GOARM
        dockerArch = goArch;
        dockerVariant = if goArm == null then null else "v${goArm}";

        isCompatible = other: compatibleCpu cpu (elaborate other).parsed.cpu;
        canExecute = platform:
          let other = if b.isString platform then elaborate platform else platform; in
          final.isAndroid == other.isAndroid
          && compatibleCpu cpu other.parsed.cpu
          && parsed.kernel.name == other.parsed.kernel.name;
        emulator = pkgs: null;
        emulatorAvailable = pkgs: false;
        staticEmulatorAvailable = pkgs: false;
      } // b.removeAttrs args [ "system" "config" "parsed" ];
    in final;

  # Can code for cpu `b'` run on `a`? (same cpu, or a 32-bit cpu of the same family run by its
  # 64-bit sibling as the common multilib cases do)
  compatibleCpu = a: b': a.name == b'.name
    || (a.name == "x86_64" && b.elem b'.name [ "i386" "i486" "i586" "i686" ])
    || (b.elem a.name [ "i486" "i586" "i686" ] && b.elem b'.name [ "i386" "i486" "i586" ]);
in
{
  inherit elaborate equals flakeExposed parse inspect doubles examples platforms;
  architectures = { features = { }; inferiors = { }; };
  supported = {
    tier1 = [ "x86_64-linux" ];
    tier2 = [ "aarch64-linux" "x86_64-darwin" ];
    tier3 = [ "armv6l-linux" "armv7l-linux" "i686-linux" "mipsel-linux" ];
    hydra = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
  };
}
