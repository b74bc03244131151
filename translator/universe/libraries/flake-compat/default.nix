# edolstra/flake-compat, modelled: the flake at `src` evaluated as nix2image evaluates flakes
# (its inputs modelled from flake.nix and flake.lock).
{ src, system ? builtins.currentSystem or "x86_64-linux", ... }:
let
  flake = builtins.__nix2imageFlake (if builtins.isAttrs src then src.outPath else src);
  pick = name: flake.${name}.${system} or { };
in
{
  defaultNix = flake // { default = flake.packages.${system}.default or flake.defaultPackage.${system} or null; };
  shellNix = flake // { default = flake.devShells.${system}.default or flake.devShell.${system} or null; };
}
