# What Rust builders (crane, naersk) read from a crate: pname and version from Cargo.toml, as
# they do when the call gives neither. `src` may be a path, a filtered source (origSrc) or a
# string; a Cargo.toml that cannot be read gives the builder's fallback names.
{ lib }:
let
  b = builtins;
  # a path, a filtered source (origSrc) or a store path of a copied local source
  sourceOf = s: if b ? __nix2imageSourceOf then b.__nix2imageSourceOf s else s;
  rootOf = src:
    let
      s = if b.isAttrs src then src.origSrc or src.outPath or null else src;
      local = if b.isPath s || s == null then s else sourceOf (b.toString s);
    in if b.isPath local || (b.isString local && lib.hasPrefix "/" local && !(lib.hasPrefix b.storeDir local)) then local else null;
  readToml = path: if path != null && b.pathExists path then b.fromTOML (b.readFile path) else { };
in
rec {
  cargoToml = args:
    if args ? cargoToml then readToml args.cargoToml
    else let root = if args ? root then rootOf args.root else if args ? src then rootOf args.src else null; in
      if root == null then { } else readToml (root + "/Cargo.toml");
  # { pname; version; } of the crate (the workspace's version when the package inherits it)
  crateName = args:
    let
      toml = cargoToml args;
      pkg = toml.package or { };
      wsVersion = toml.workspace.package.version or null;
      version = if b.isString (pkg.version or null) then pkg.version else if wsVersion != null then wsVersion else "0.0.1";
    in
    {
      pname = args.pname or (if args ? name then lib.removeSuffix "-${args.version or version}" args.name else pkg.name or "cargo-package");
      version = args.version or version;
    };
}
