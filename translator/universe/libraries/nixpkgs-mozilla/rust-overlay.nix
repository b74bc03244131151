final: prev:
let
  toolchain = channel: part: final.mkOpaque "nixpkgs-mozilla.rustChannelOf" { pname = "${part}-${channel}"; version = "latest"; };
  channelOf = { channel ? "stable", date ? null, sha256 ? null, ... }:
    let c = if date == null then channel else "${channel}-${date}"; in {
      rust = toolchain c "rust"; rustc = toolchain c "rustc"; cargo = toolchain c "cargo";
      rust-src = toolchain c "rust-src"; rust-std = toolchain c "rust-std";
    };
in
{
  rustChannelOf = channelOf;
  rustChannelOfTargets = channel: date: targets: (channelOf { inherit channel date; }).rust;
  rustChannels = { stable = channelOf { }; beta = channelOf { channel = "beta"; }; nightly = channelOf { channel = "nightly"; }; };
  latest = (prev.latest or { }) // { rustChannels = final.rustChannels; };
}
