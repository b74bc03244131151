# The modelled nixpkgs: what `import <nixpkgs> { ... }` gives a docker-image file under nix2image.
#
# Packages come from nix2image's catalog (real store paths, references and sizes); the trivial
# builders and dockerTools are modelled here with nixpkgs' arguments and defaults; builders that
# compile a project (buildRustPackage, buildGoModule, mkDerivation with a build, ...) give opaque
# packages. Overlays are applied with nixpkgs' fixed-point semantics.
{ system ? (if builtins ? __nix2imageSystem then builtins.__nix2imageSystem else builtins.currentSystem or "x86_64-linux")
, localSystem ? { inherit system; }
, crossSystem ? null
, overlays ? [ ]
, crossOverlays ? [ ]
, config ? { }
, ...
}:
import ./pkgs/top-level.nix {
  platform = if crossSystem != null then crossSystem else localSystem;
  overlays = overlays ++ crossOverlays;
  inherit config;
}
