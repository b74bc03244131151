# numtide/flake-utils, modelled: eachSystem / eachDefaultSystem and friends.
{ lib }:
let
  b = builtins;
  defaultSystems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
  allSystems = lib.systems.flakeExposed;
  # { packages = x; apps = y; } for each system -> { packages.<system> = x; apps.<system> = y; }
  eachSystem = systems: f:
    b.foldl' (acc: system:
      let ret = f system; in
      b.foldl' (acc2: key: acc2 // { ${key} = (acc2.${key} or { }) // { ${system} = ret.${key}; }; }) acc (b.attrNames ret))
      { } systems;
  eachSystemMap = systems: f: lib.genAttrs systems f;
  systemNames = lib.genAttrs allSystems (s: s);
  flakeLib = {
    inherit defaultSystems allSystems eachSystem eachSystemMap;
    eachDefaultSystem = eachSystem defaultSystems;
    eachDefaultSystemMap = eachSystemMap defaultSystems;
    eachDefaultSystemPassThrough = f: f;
    system = systemNames;
    flattenTree = tree: tree;
    filterPackages = system: packages: packages;
    mkApp = { drv, name ? drv.pname or drv.name, exePath ? drv.passthru.exePath or "/bin/${name}" }:
      { type = "app"; program = "${drv}${exePath}"; };
    meld = _: _: throw "flake-utils.lib.meld is not modelled by nix2image";
    simpleFlake = _: throw "flake-utils.lib.simpleFlake is not modelled by nix2image";
  };
in
{ lib = flakeLib; outPath = "/nix2image/flake-utils"; }
