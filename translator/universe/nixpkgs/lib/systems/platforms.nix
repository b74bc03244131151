# lib.systems.platforms: hardware descriptions (kernel and gcc settings) some platforms carry.
# The model keeps the names and the shapes; images never build kernels.
{ lib }:
let
  kernel = name: target: { linux-kernel = { inherit name target; autoModules = true; baseConfig = "defconfig"; }; };
in
rec {
  pc = kernel "pc" "bzImage";
  pc_simplekernel = pc;
  raspberrypi = kernel "raspberrypi" "zImage" // { gcc = { arch = "armv6kz"; fpu = "vfp"; }; };
  armv7l-hf-multiplatform = kernel "armv7l-hf-multiplatform" "zImage" // { gcc = { arch = "armv7-a"; fpu = "vfpv3-d16"; }; };
  aarch64-multiplatform = kernel "aarch64-multiplatform" "Image" // { gcc = { arch = "armv8-a"; }; };
  riscv-multiplatform = kernel "riscv-multiplatform" "Image";
  powernv = kernel "PowerNV" "zImage";
  # the description a platform gets when it names none
  select = platform:
    if platform.isx86 then pc
    else if platform.isAarch64 then aarch64-multiplatform
    else if platform.parsed.cpu.name == "armv6l" then raspberrypi
    else if platform.isAarch32 then armv7l-hf-multiplatform
    else if platform.isRiscV then riscv-multiplatform
    else if platform.isPower64 && platform.isLittleEndian then powernv
    else { };
}
