# nix-community/fenix, modelled: Rust toolchains per system (opaque packages) with its documented
# attribute names; `combine`, `withComponents`, `fromToolchainFile` give a toolchain too.
{ lib, pkgs }:
let
  tool = name: pkgs.mkOpaque "fenix" { pname = name; version = "latest"; };
  components = [ "cargo" "clippy" "rust-src" "rustc" "rustfmt" "rust-analyzer" "rust-std" "llvm-tools" "miri" "rustc-dev" ];
  channel = name:
    lib.genAttrs components (c: tool "${c}-${name}") // {
      toolchain = tool "rust-${name}-toolchain";
      withComponents = cs: tool "rust-${name}-with-components";
      completeToolchain = tool "rust-${name}-complete";
      defaultToolchain = tool "rust-${name}-default";
      minimalToolchain = tool "rust-${name}-minimal";
    };
  targetsOf = lib.genAttrs [ "wasm32-unknown-unknown" "x86_64-unknown-linux-musl" "aarch64-unknown-linux-musl" "x86_64-unknown-linux-gnu" "aarch64-unknown-linux-gnu" "wasm32-wasip1" "wasm32-wasi" ]
    (t: { stable = channel "stable-${t}"; latest = channel "latest-${t}"; beta = channel "beta-${t}"; });
in
{
  stable = channel "stable"; beta = channel "beta"; latest = channel "latest"; minimal = channel "minimal";
  default = channel "default"; complete = channel "complete";
  combine = _: tool "rust-combined";
  fromToolchainFile = _: tool "rust-from-toolchain-file";
  fromToolchainName = _: channel "named";
  toolchainOf = _: channel "pinned";
  targets = targetsOf;
  rust-analyzer = tool "rust-analyzer";
  rust-analyzer-vscode-extension = tool "rust-analyzer-vscode-extension";
}
