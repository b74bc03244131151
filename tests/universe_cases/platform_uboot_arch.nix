# expect: {"architecture": "amd64", "config": {"Labels": {"native": "x86_64", "i686": "x86", "aarch64": "arm64", "mips64": "mips64"}}}
# stdenv.hostPlatform.ubootArch (some images name their architecture after it): the kernel's
# architecture name except for 32-bit x86 and 64-bit MIPS
let
  pkgs = import <nixpkgs> { };
  uboot = system: (pkgs.lib.systems.elaborate system).ubootArch;
in
pkgs.dockerTools.buildImage {
  name = "uboot";
  config.Labels = {
    native = pkgs.stdenv.hostPlatform.ubootArch;
    i686 = uboot "i686-linux";
    aarch64 = uboot "aarch64-linux";
    mips64 = uboot "mips64el-linux";
  };
}
