# A minimal niv-style sources.nix: every tarball source is fetched with builtins.fetchTarball.
let
  sources = builtins.fromJSON (builtins.readFile ./sources.json);
in
builtins.mapAttrs (name: spec: builtins.fetchTarball { inherit name; inherit (spec) url sha256; }) sources
