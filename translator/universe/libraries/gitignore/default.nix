# hercules-ci/gitignore.nix, modelled: sources filtered like lib.cleanSource (nix2image does not
# read .gitignore files; the files a build sees are the same for what images contain).
{ lib ? import ../../nixpkgs/lib, ... }:
{
  gitignoreSource = src: lib.cleanSource src;
  gitignoreSourceWith = { path, ... }: lib.cleanSource path;
  gitignoreFilter = src: lib.cleanSourceFilter;
  gitignoreFilterWith = { basePath, ... }: lib.cleanSourceFilter;
}
