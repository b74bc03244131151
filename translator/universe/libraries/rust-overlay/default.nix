# oxalica/rust-overlay, modelled: `import rust-overlay` is an overlay adding `rust-bin`, whose
# toolchains are opaque packages (nix2image cannot download or build them).
final: prev: {
  rust-bin =
    let
      toolchain = channel: final.mkOpaque "rust-overlay.rust-bin" { pname = "rust-${channel}"; version = "latest"; };
      channel = c: { latest = { default = toolchain c; minimal = toolchain c; complete = toolchain c; }; };
    in
    {
      stable = channel "stable";
      beta = channel "beta";
      nightly = channel "nightly";
      fromRustupToolchainFile = _: toolchain "from-file";
      fromRustupToolchain = _: toolchain "from-toolchain";
      selectLatestNightlyWith = _: toolchain "nightly";
    };
}
