# nix-community/gomod2nix, modelled: buildGoApplication gives an opaque package (a Go program);
# mkGoEnv an opaque environment; the gomod2nix tool itself is opaque too.
{ mkOpaque }:
{
  buildGoApplication = args: mkOpaque "gomod2nix.buildGoApplication" args;
  mkGoEnv = args: mkOpaque "gomod2nix.mkGoEnv" { name = "${args.pname or "go"}-env"; };
  gomod2nix = mkOpaque "gomod2nix" { pname = "gomod2nix"; version = "modelled"; };
}
