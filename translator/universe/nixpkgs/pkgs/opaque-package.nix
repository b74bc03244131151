# An opaque package: built by a builder nix2image cannot run (a compiler, a package manager), or
# a synthetic stand-in for a package the catalog lacks. It has the shape of a mkDerivation result
# (name pname version outputs out all drvPath outPath type meta passthru src buildInputs
# nativeBuildInputs propagatedBuildInputs override overrideAttrs overrideDerivation); its content
# must come from `--bind` (or `--placeholders`), and `deps` are its runtime closure's roots (the
# toolchain's runtime: glibc for C, the interpreter for Python, nothing for a static Go binary).
# The host hook may return a bound store path instead of a computed one.
{ lib, hooks ? import ../hooks.nix }:
{ builder, name, pname ? null, version ? null, system ? "x86_64-linux", pos ? null, mainProgram ? null
, identity ? { }, passthru ? { }, meta ? { }, deps ? [ ], src ? null, buildInputs ? [ ]
, nativeBuildInputs ? [ ], propagatedBuildInputs ? [ ], attrs ? { }, rebuild ? null, synthetic ? false
, stdenv ? null }:
let
  b = builtins;
  pname' = if pname == null then (b.parseDrvName name).name else pname;
  # Like mkDerivation given only a `name`: no `version` attribute when the name has none, so
  # that `pkg.version or "latest"` falls back as it would with the real package.
  versionOf = if version == null then (b.parseDrvName name).version else version;
  outPath = hooks.mk ({
    kind = "opaque";
    inherit builder name system identity;
    pname = pname';
    version = versionOf;
  } // lib.optionalAttrs (pos != null) { inherit pos; }
    // lib.optionalAttrs (deps != [ ]) { deps = map (d: "${d}") deps; }
    // lib.optionalAttrs synthetic { inherit synthetic; });
  # a .drv-like path of its own (no context: nothing builds it)
  drvHash = b.substring 0 32 (b.replaceStrings [ "e" "o" "u" "t" ] [ "g" "p" "v" "w" ]
    (b.hashString "sha256" (b.unsafeDiscardStringContext outPath)));
  # the arguments the package was made from, as overrideAttrs' `prev` sees them
  prevAttrs = { name = name; pname = pname'; inherit src buildInputs nativeBuildInputs propagatedBuildInputs passthru meta; }
    // lib.optionalAttrs (versionOf != "") { version = versionOf; } // attrs;
  # `old: { ... }` or `final: prev: { ... }` (a fixed point over the new attributes)
  applyOverride = f':
    let f = lib.toFunction f'; r = f prevAttrs; in   # a set, `old: { }` or `final: prev: { }`
    if lib.isFunction r then (let fin = prevAttrs // ext; ext = f fin prevAttrs; in ext) else r;
  remake = newAttrs:
    let
      a = prevAttrs // newAttrs;
      # a new `version` (or `pname`) renames the package unless `name` itself was overridden
      name' = if newAttrs ? name then a.name
              else if (newAttrs ? version || newAttrs ? pname) then "${a.pname}${lib.optionalString ((a.version or "") != "") "-${a.version}"}"
              else a.name;
    in if rebuild != null then rebuild (b.removeAttrs a [ "name" ] // { name = name'; })
    else (import ./opaque-package.nix { inherit lib hooks; }) {
      builder = if lib.hasSuffix ".overrideAttrs" builder then builder else "${builder}.overrideAttrs";
      name = name';
      pname = a.pname or null;
      version = a.version or null;
      inherit system deps synthetic stdenv;
      identity = identity // { override = b.toJSON (lib.mapAttrs (_: v: if lib.isDerivation v then "${v}" else if b.isString v || b.isInt v || b.isBool v then v else "<value>") newAttrs); };
      src = a.src or null;
      buildInputs = a.buildInputs or [ ];
      nativeBuildInputs = a.nativeBuildInputs or [ ];
      propagatedBuildInputs = a.propagatedBuildInputs or [ ];
      passthru = a.passthru or { };
      meta = a.meta or { };
      mainProgram = (a.meta or { }).mainProgram or mainProgram;
      attrs = b.removeAttrs a [ "name" "pname" "version" "src" "buildInputs" "nativeBuildInputs" "propagatedBuildInputs" "passthru" "meta" ];
    };
  # like a derivation, every other argument the builder was given is an attribute too
  self = b.removeAttrs attrs [ "override" "overrideAttrs" "overrideDerivation" "__functor" ] // {
    type = "derivation";
    inherit name outPath system src buildInputs nativeBuildInputs propagatedBuildInputs passthru stdenv;
    pname = pname';
    drvPath = "/nix/store/${drvHash}-${name}.drv";
    outputs = [ "out" ];
    out = self;
    # outputs a split build would have; an opaque build is one output
    bin = self; dev = self; lib = self; man = self; doc = self;
    all = [ self ];
    outputName = "out";
    meta = { name = name; outputsToInstall = [ "out" ]; } // meta // lib.optionalAttrs (mainProgram != null) { inherit mainProgram; };
    __nix2image = { kind = "opaque"; inherit builder synthetic; };
    override = _: self;
    overrideAttrs = f: remake (applyOverride f);
    overrideDerivation = f: remake (f prevAttrs);
  } // lib.optionalAttrs (versionOf != "") { version = versionOf; } // passthru;
in
self
