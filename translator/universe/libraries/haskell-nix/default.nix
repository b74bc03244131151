# input-output-hk/haskell.nix, modelled: `import haskellNix { }` gives `sources` (every pinned
# nixpkgs is the modelled nixpkgs), `nixpkgsArgs` (its overlay and config) and the overlays.
{ ... }:
let
  overlay = import ./overlay.nix;
  nixpkgs = ../../nixpkgs;
in
rec {
  sources = builtins.__nix2imageStandIn { label = "haskell.nix sources"; default = nixpkgs; };
  nixpkgsArgs = { overlays = [ overlay ]; config = { }; };
  overlays = { combined = overlay; haskell-nix = overlay; default = overlay; };
  inherit overlay;
  pkgs = import nixpkgs nixpkgsArgs;
  allOverlays = overlays;
}
