# nixpkgs pinned with fetchTarball (as niv and many READMEs do): the pin stands for the modelled
# nixpkgs, whatever revision it names.
let
  nixpkgs = fetchTarball {
    url = "https://github.com/NixOS/nixpkgs/archive/63dacb46bf939521bdc93981b4cbb7ecb58427a0.tar.gz";
    sha256 = "1lr1h35prqkd1mkmzriwlpvxcb34kmhc9dnr48gkm8hh089hifmx";
  };
  pkgs = import nixpkgs { config = { }; overlays = [ ]; };
in
pkgs.dockerTools.buildLayeredImage {
  name = "pinned";
  contents = [ pkgs.curl ];
  config.Entrypoint = [ (pkgs.lib.getExe pkgs.curl) ];
}
