# ipetkov/crane, modelled from its documented API: `mkLib pkgs` is the library for a package set.
# Builders give opaque packages (nix2image cannot compile Rust) named from the call or the crate's
# Cargo.toml, as crane names them; source helpers keep the source.
{ lib }:
pkgs:
let
  b = builtins;
  cargo = import ../cargo { inherit lib; };
  build = builder: suffix: argsOrFn:
    let
      args = if lib.isFunction argsOrFn then argsOrFn { } else argsOrFn;
      n = cargo.crateName args;
    # (names added through mapAttrs carry no position: errors point at the caller's attributes)
    in pkgs.mkOpaque "crane.${builder}" (args // b.mapAttrs (_: v: v) { pname = n.pname + suffix; inherit (n) version; });
  self = {
    buildPackage = build "buildPackage" "";
    buildDepsOnly = build "buildDepsOnly" "-deps";
    mkCargoDerivation = build "mkCargoDerivation" "";
    buildTrunkPackage = build "buildTrunkPackage" "";
    cargoBuild = build "cargoBuild" "";
    cargoClippy = build "cargoClippy" "-clippy";
    cargoDoc = build "cargoDoc" "-doc";
    cargoFmt = build "cargoFmt" "-fmt";
    cargoTest = build "cargoTest" "-test";
    cargoNextest = build "cargoNextest" "-nextest";
    cargoAudit = build "cargoAudit" "-audit";
    cargoDeny = build "cargoDeny" "-deny";
    cargoTarpaulin = build "cargoTarpaulin" "-tarpaulin";
    cargoLlvmCov = build "cargoLlvmCov" "-llvm-cov";
    cargoDocTest = build "cargoDocTest" "-doctest";
    taploFmt = build "taploFmt" "-taplo";
    vendorCargoDeps = args: pkgs.mkOpaque "crane.vendorCargoDeps" { name = "vendor-cargo-deps"; };
    vendorMultipleCargoDeps = args: pkgs.mkOpaque "crane.vendorMultipleCargoDeps" { name = "vendor-cargo-deps"; };
    buildWasmBindgenCli = args: pkgs.mkOpaque "crane.buildWasmBindgenCli" { pname = "wasm-bindgen-cli"; version = args.version or "0"; };
    crateNameFromCargoToml = args: cargo.crateName args;
    crateRegistries = { };
    cleanCargoSource = src: lib.cleanSource src;
    cleanCargoToml = args: cargo.cargoToml args;
    filterCargoSources = path: type: true;
    path = p: if b.isAttrs p then p.path else p;
    fileset = {
      commonCargoSources = root: lib.fileset.unions [ root ];
      cargoTomlAndLock = root: lib.fileset.unions [ root ];
      rust = root: lib.fileset.unions [ root ];
      toml = root: lib.fileset.unions [ root ];
    };
    writeTOML = name: value: pkgs.writeText name (b.toJSON value);
    overrideToolchain = _: self;
    overrideScope = _: self;
    appendCrateRegistries = _: self;
    registryFromGitIndex = _: { };
    registryFromDownloadUrl = _: { };
    registryFromSparse = _: { };
  };
in self
