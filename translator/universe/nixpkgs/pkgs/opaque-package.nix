# An opaque package: built by a builder nix2image cannot run (a compiler, a package manager).
# `name`, `pname`, `version` and `outPath` work; its content must come from `--bind` (or
# `--placeholders`). The host hook may return a bound store path instead of a computed one.
{ lib, hooks ? import ../hooks.nix }:
{ builder, name, pname ? null, version ? null, system ? "x86_64-linux", pos ? null, mainProgram ? null, identity ? { }, passthru ? { }, meta ? { } }:
let
  outPath = hooks.mk ({
    kind = "opaque";
    inherit builder name system identity;
    pname = if pname == null then (builtins.parseDrvName name).name else pname;
    version = if version == null then (builtins.parseDrvName name).version else version;
  } // lib.optionalAttrs (pos != null) { inherit pos; });
  # Like mkDerivation given only a `name`: no `version` attribute when the name has none, so
  # that `pkg.version or "latest"` falls back as it would with the real package.
  versionOf = if version == null then (builtins.parseDrvName name).version else version;
  self = {
    type = "derivation";
    inherit name outPath system;
    pname = if pname == null then (builtins.parseDrvName name).name else pname;
    outputs = [ "out" ];
    out = self;
    outputName = "out";
    meta = meta // lib.optionalAttrs (mainProgram != null) { inherit mainProgram; };
    __nix2image = { kind = "opaque"; inherit builder; };
    override = _: self;
    overrideAttrs = _: self;
  } // lib.optionalAttrs (versionOf != "") { version = versionOf; } // passthru;
in
self
