{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.05";
  outputz = { self, nixpkgs }: { };
}
