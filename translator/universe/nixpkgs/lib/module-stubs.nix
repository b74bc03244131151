# Stand-ins for lib.modules / lib.options / lib.types used only while modules.nix, options.nix
# and types.nix are absent (default.nix picks the real files when they exist).
{ lib }:
let
  b = builtins;
  nv = n: { name = n; value = { name = n; }; };
in
{
  modules = {
    mkDefault = x: x;
    mkForce = x: x;
    mkOverride = _: x: x;
    mkIf = cond: content: { _type = "if"; condition = cond; inherit content; };
    mkMerge = contents: { _type = "merge"; inherit contents; };
  };
  options = rec {
    mkOption = { default ? null, type ? null, description ? null, example ? null, ... }@args: args // { _type = "option"; };
    mkEnableOption = name: mkOption { default = false; description = "Whether to enable ${name}."; };
  };
  types = b.listToAttrs (map nv [ "str" "int" "bool" "package" "path" "attrs" "anything" "raw" "unspecified" "lines" "port" ]) // {
    listOf = t: { name = "listOf"; }; attrsOf = t: { name = "attrsOf"; }; nullOr = t: { name = "nullOr"; };
    lazyAttrsOf = t: { name = "lazyAttrsOf"; }; submodule = m: { name = "submodule"; }; enum = l: { name = "enum"; };
  };
}
