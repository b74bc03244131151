# mozilla/nixpkgs-mozilla, modelled: `import nixpkgs-mozilla` (or its rust-overlay.nix) is an
# overlay adding `rustChannelOf` and `latest.rustChannels`; toolchains are opaque packages.
import ./rust-overlay.nix
