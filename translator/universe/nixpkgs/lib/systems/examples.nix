# lib.systems.examples: named platforms for cross compilation (pkgsCross.<name>), each given by
# its GNU configuration triple (elaborate derives the rest).
{ lib }:
let
  cfg = config: { inherit config; };
in
{
  # Linux, glibc
  gnu64 = cfg "x86_64-unknown-linux-gnu";
  gnu64_simplekernel = cfg "x86_64-unknown-linux-gnu";
  gnu32 = cfg "i686-unknown-linux-gnu";
  aarch64-multiplatform = cfg "aarch64-unknown-linux-gnu";
  armv7l-hf-multiplatform = cfg "armv7l-unknown-linux-gnueabihf";
  armv7a-android-prebuilt = cfg "armv7a-unknown-linux-androideabi" // { useAndroidPrebuilt = true; };
  aarch64-android-prebuilt = cfg "aarch64-unknown-linux-android" // { useAndroidPrebuilt = true; };
  aarch64-android = cfg "aarch64-unknown-linux-android";
  raspberryPi = cfg "armv6l-unknown-linux-gnueabihf";
  remarkable1 = cfg "armv7l-unknown-linux-gnueabihf";
  remarkable2 = cfg "armv7l-unknown-linux-gnueabihf";
  pogoplug4 = cfg "armv5tel-unknown-linux-gnueabi";
  sheevaplug = cfg "armv5tel-unknown-linux-gnueabi";
  bluefield2 = cfg "aarch64-unknown-linux-gnu";
  powernv = cfg "powerpc64le-unknown-linux-gnu";
  ppc64 = cfg "powerpc64-unknown-linux-gnuabielfv2";
  riscv64 = cfg "riscv64-unknown-linux-gnu";
  riscv32 = cfg "riscv32-unknown-linux-gnu";
  s390 = cfg "s390-unknown-linux-gnu";
  s390x = cfg "s390x-unknown-linux-gnu";
  loongarch64-linux = cfg "loongarch64-unknown-linux-gnu";
  m68k = cfg "m68k-unknown-linux-gnu";
  mips-linux-gnu = cfg "mips-unknown-linux-gnu";
  mipsel-linux-gnu = cfg "mipsel-unknown-linux-gnu";
  mips64-linux-gnuabi64 = cfg "mips64-unknown-linux-gnuabi64";
  mips64el-linux-gnuabi64 = cfg "mips64el-unknown-linux-gnuabi64";
  mips64-linux-gnuabin32 = cfg "mips64-unknown-linux-gnuabin32";
  mips64el-linux-gnuabin32 = cfg "mips64el-unknown-linux-gnuabin32";
  fuloongminipc = cfg "mips64el-unknown-linux-gnuabi64";
  ben-nanonote = cfg "mipsel-unknown-linux-uclibc";

  # Linux, musl
  musl64 = cfg "x86_64-unknown-linux-musl";
  musl32 = cfg "i686-unknown-linux-musl";
  aarch64-multiplatform-musl = cfg "aarch64-unknown-linux-musl";
  muslpi = cfg "armv6l-unknown-linux-musleabihf";
  musl-power = cfg "powerpc-unknown-linux-musl";
  ppc64-musl = cfg "powerpc64-unknown-linux-musl";

  # Darwin and iOS
  x86_64-darwin = cfg "x86_64-apple-darwin";
  aarch64-darwin = cfg "aarch64-apple-darwin";
  iphone64 = cfg "aarch64-apple-ios";
  iphone32 = cfg "armv7a-apple-ios";
  iphone64-simulator = cfg "x86_64-apple-ios-simulator";
  iphone32-simulator = cfg "i686-apple-ios-simulator";

  # Windows
  mingw32 = cfg "i686-w64-mingw32";
  mingwW64 = cfg "x86_64-w64-mingw32";
  ucrt64 = cfg "x86_64-w64-mingw32";

  # BSDs and others
  x86_64-freebsd = cfg "x86_64-unknown-freebsd";
  x86_64-netbsd = cfg "x86_64-unknown-netbsd";
  x86_64-netbsd-llvm = cfg "x86_64-unknown-netbsd";
  x86_64-unknown-redox = cfg "x86_64-unknown-redox";
  wasi32 = cfg "wasm32-unknown-wasi";
  ghcjs = cfg "javascript-unknown-ghcjs";
  mmix = cfg "mmix-unknown-mmixware";

  # bare metal
  arm-embedded = cfg "arm-none-eabi";
  armhf-embedded = cfg "arm-none-eabihf";
  aarch64-embedded = cfg "aarch64-none-elf";
  aarch64be-embedded = cfg "aarch64_be-none-elf";
  i686-embedded = cfg "i686-elf";
  x86_64-embedded = cfg "x86_64-elf";
  mips-embedded = cfg "mips-none-elf";
  mips64-embedded = cfg "mips64-none-elf";
  ppc-embedded = cfg "powerpc-none-eabi";
  ppcle-embedded = cfg "powerpcle-none-eabi";
  riscv32-embedded = cfg "riscv32-none-elf";
  riscv64-embedded = cfg "riscv64-none-elf";
  microblaze-embedded = cfg "microblazeel-none-elf";
  rx-embedded = cfg "rx-none-elf";
  or1k = cfg "or1k-elf";
  avr = cfg "avr";
  msp430 = cfg "msp430-elf";
  vc4 = cfg "vc4-elf";
}
