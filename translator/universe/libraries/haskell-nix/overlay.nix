# haskell.nix's overlay: `pkgs.haskell-nix` (project, cabalProject, stackProject, tool, compiler,
# haskellLib, ...). nix2image cannot plan or build Haskell projects, so it is an open stand-in:
# every attribute and call result is a package whose content is a labelled placeholder
# (--placeholders) or must be bound.
final: prev: {
  haskell-nix = builtins.__nix2imageStandIn { label = "haskell.nix"; };
}
