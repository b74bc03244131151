# Flake inputs nix2image models: each is what `inputs.<name>` is in a flake's outputs (the
# library's flake outputs plus `outPath`, so `import inputs.<name>` gives its default.nix).
{ lib }:
let
  b = builtins;
  systems = lib.systems.flakeExposed;
  nixpkgsDir = ../nixpkgs;
  pkgsFor = system: import nixpkgsDir { inherit system; };
  perSystem = f: lib.genAttrs systems f;
  source = { lastModified = 0; lastModifiedDate = "19700101000000"; narHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; };
  withSource = outPath: attrs: attrs // source // { inherit outPath; sourceInfo = source // { inherit outPath; }; _type = "flake"; };
  rustOverlay = import ./rust-overlay;
  gomod2nixOverlay = import ./gomod2nix/overlay.nix;
in
{
  nixpkgs = withSource nixpkgsDir {
    inherit lib;
    legacyPackages = perSystem pkgsFor;
    overlays = { };
    nixosModules = { };
    rev = "nix2image-modelled-nixpkgs";
    shortRev = "nix2image";
  };
  flake-utils = withSource ./flake-utils { lib = import ./flake-utils/lib.nix { inherit lib; }; };
  flake-parts = withSource ./flake-parts (import ./flake-parts/lib.nix { inherit lib; });
  systems = withSource ./systems { };
  crane = withSource ./crane {
    mkLib = pkgs: import ./crane/lib.nix { inherit lib; } pkgs;
    lib = perSystem (system: import ./crane/lib.nix { inherit lib; } (pkgsFor system));
  };
  # `pkgs.callPackage naersk { ... }` on the input itself: callable, with naersk's arguments
  naersk = withSource ./naersk {
    __functor = _: import ./naersk;
    __functionArgs = b.functionArgs (import ./naersk);
    lib = perSystem (system: (pkgsFor system).callPackage ./naersk { });
    overlay = final: prev: { naersk = final.callPackage ./naersk { }; };
    overlays.default = final: prev: { naersk = final.callPackage ./naersk { }; };
  };
  fenix = withSource ./fenix {
    packages = perSystem (system: import ./fenix/lib.nix { inherit lib; pkgs = pkgsFor system; });
    overlays.default = final: prev: { fenix = import ./fenix/lib.nix { inherit lib; pkgs = final; }; };
    overlay = final: prev: { fenix = import ./fenix/lib.nix { inherit lib; pkgs = final; }; };
  };
  poetry2nix = withSource ./poetry2nix {
    lib.mkPoetry2Nix = { pkgs }: import ./poetry2nix/lib.nix { inherit pkgs; };
    legacyPackages = perSystem (system: import ./poetry2nix/lib.nix { pkgs = pkgsFor system; });
    overlay = final: prev: { poetry2nix = import ./poetry2nix/lib.nix { pkgs = final; }; };
    overlays.default = final: prev: { poetry2nix = import ./poetry2nix/lib.nix { pkgs = final; }; };
  };
  rust-overlay = withSource ./rust-overlay {
    overlays = { default = rustOverlay; rust-overlay = rustOverlay; };
    overlay = rustOverlay;
    packages = perSystem (system: let p = (pkgsFor system).extend rustOverlay; in { default = p.rust-bin.stable.latest.default; rust = p.rust-bin.stable.latest.default; });
  };
  nixpkgs-mozilla = withSource ./nixpkgs-mozilla { overlay = import ./nixpkgs-mozilla; overlays.default = import ./nixpkgs-mozilla; };
  gitignore = withSource ./gitignore { lib = import ./gitignore { inherit lib; }; };
  nix-filter = withSource ./nix-filter { lib = import ./nix-filter; overlays.default = final: prev: { nix-filter = import ./nix-filter; }; };
  flake-compat = withSource ./flake-compat { };
  haskell-nix = let hn = import ./haskell-nix { }; in withSource ./haskell-nix {
    inherit (hn) overlay overlays nixpkgsArgs sources;
    legacyPackages = perSystem (system: import nixpkgsDir (hn.nixpkgsArgs // { inherit system; }));
  };
  gomod2nix = withSource ./gomod2nix {
    legacyPackages = perSystem (system: import ./gomod2nix/lib.nix { inherit (pkgsFor system) mkOpaque; });
    packages = perSystem (system: let g = import ./gomod2nix/lib.nix { inherit (pkgsFor system) mkOpaque; }; in { default = g.gomod2nix; inherit (g) gomod2nix; });
    overlays.default = gomod2nixOverlay;
    overlay = gomod2nixOverlay;
  };
}
