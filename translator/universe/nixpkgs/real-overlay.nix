# nix2image's dockerTools over a real nixpkgs (translator/universe/real_nixpkgs.py adds this
# overlay to every real tree's top level): the image functions record image specs as they do over
# the modelled nixpkgs, with the real packages' exact store paths. The helpers that are not
# builders (fakeNss, binSh, caCertificates, usrBinEnv, shadowSetup) are the tree's own when its
# dockerTools has them, else ours (built from the tree's runCommand, symlinkJoin, ...).
final: prev:
let
  b = builtins;
  lib = final.lib;
  host = final.stdenv.hostPlatform;
  # the architecture names OCI images use, from the platform's CPU
  dockerArchs = {
    x86_64 = "amd64"; i686 = "386"; aarch64 = "arm64"; armv7l = "arm"; armv6l = "arm";
    powerpc64le = "ppc64le"; riscv64 = "riscv64"; s390x = "s390x"; mips64el = "mips64le";
  };
  cpu = host.parsed.cpu.name or (b.head (lib.splitString "-" host.system));
  ours = import ./pkgs/docker-tools.nix {
    inherit lib final;
    hooks = import ./hooks.nix;
    hostPlatform = host // { dockerArch = dockerArchs.${cpu} or cpu; };
  };
  theirs = let r = b.tryEval (prev.dockerTools or { }); in if r.success && b.isAttrs r.value then r.value else { };
  helpers = [ "fakeNss" "binSh" "caCertificates" "usrBinEnv" "shadowSetup" ];
in
{
  dockerTools = ours // lib.filterAttrs (n: _: b.elem n helpers) theirs;
}
