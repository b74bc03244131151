{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputs = { self, nixpkgs }:
    let pkgs = import nixpkgs { system = "x86_64-linux"; }; in {
      packages.x86_64-linux.default = pkgs.stdenv.mkDerivation {
        pname = "webapp"; version = "2.1"; src = self;
        buildPhase = "make";
      };
      packages.x86_64-linux.docker = pkgs.dockerTools.buildLayeredImage {
        name = "webapp";
        tag = self.packages.x86_64-linux.default.version or "bound";
        contents = [ self.packages.x86_64-linux.default pkgs.cacert ];
        config.Cmd = [ "${self.packages.x86_64-linux.default}/bin/app" ];
      };
    };
}
