# nix-community/naersk, modelled: `pkgs.callPackage naersk { cargo; rustc; }` gives
# `buildPackage`, whose result is an opaque package named from the call or Cargo.toml.
{ lib, mkOpaque, cargo ? null, rustc ? null, ... }:
let
  crate = import ../cargo { inherit lib; };
  build = builder: argsOrSrc:
    let
      args = if builtins.isAttrs argsOrSrc && !(argsOrSrc ? outPath) then argsOrSrc else { src = argsOrSrc; };
      n = crate.crateName args;
    in mkOpaque "naersk.${builder}" (args // builtins.mapAttrs (_: v: v) { inherit (n) pname version; });
in
{
  buildPackage = build "buildPackage";
  buildPackageWith = _: build "buildPackage";
}
