# numtide/flake-utils, modelled from its documented interface: the `lib` of the flake, which is
# also what `import flake-utils` gives.
{ lib }:
let
  b = builtins;
  defaultSystems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
  allSystems = lib.systems.flakeExposed;
  system = lib.genAttrs allSystems (s: s);

  # f system = { packages = x; hydraJobs = { job = y; }; } for each system ->
  # { packages.<system> = x; hydraJobs.job.<system> = y; }  (hydraJobs put the system last)
  eachSystem = systems: f:
    b.foldl' (acc: sys:
      let ret = f sys; in
      b.foldl' (acc2: key:
        acc2 // {
          ${key} = (acc2.${key} or { }) // (
            if key == "hydraJobs"
            then b.mapAttrs (job: v: ((acc2.${key} or { }).${job} or { }) // { ${sys} = v; }) ret.${key}
            else { ${sys} = ret.${key}; });
        }) acc (b.attrNames ret))
      { } systems;

  # f system = outputs, merged as they are (no system inserted)
  eachSystemPassThrough = systems: f: b.foldl' (acc: sys: lib.recursiveUpdate acc (f sys)) { } systems;

  eachSystemMap = systems: f: lib.genAttrs systems f;

  isDerivation = v: b.isAttrs v && (v.type or null) == "derivation";

  # nested sets of packages -> one flat set named "a/b/c"; only sets marked
  # recurseForDerivations = true are entered (as `nix flake check` wants packages flat)
  flattenTree = tree:
    let
      go = path: v:
        if isDerivation v then [ { name = b.concatStringsSep "/" path; value = v; } ]
        else if b.isAttrs v && (v.recurseForDerivations or false) == true
        then b.concatMap (k: go (path ++ [ k ]) v.${k}) (b.filter (k: k != "recurseForDerivations") (b.attrNames v))
        else [ ];
    in b.listToAttrs (b.concatMap (k: go [ k ] tree.${k}) (b.attrNames tree));

  # the packages that build on `system`: derivations whose meta.platforms (when given) has it
  # and that are not marked broken
  filterPackages = sys: packages:
    let
      ok = v: isDerivation v
        && !(v.meta.broken or false)
        && (!(v ? meta.platforms) || b.elem sys v.meta.platforms)
        && (!(v ? meta.badPlatforms) || !(b.elem sys v.meta.badPlatforms));
    in lib.filterAttrs (_: ok) (flattenTree packages);

  mkApp = { drv, name ? drv.pname or drv.name, exePath ? drv.passthru.exePath or "/bin/${name}" }:
    { type = "app"; program = "${drv}${exePath}"; };

  # a list of flake-like files (functions of the inputs returning outputs), merged recursively
  meld = inputs: flakes: b.foldl' lib.recursiveUpdate { } (map (f: (if b.isFunction f then f else import f) inputs) flakes);

  # the documented one-call flake: the package `name` of nixpkgs after the overlays
  simpleFlake = { self, nixpkgs, name, systems ? defaultSystems, preOverlays ? [ ], overlay ? null,
                  shell ? null, config ? { } }:
    let
      overlayFn = if overlay == null then (_: _: { }) else if b.isFunction overlay then overlay else import overlay;
      outputs = eachSystem systems (sys:
        let
          pkgs = import nixpkgs { system = sys; inherit config; overlays = preOverlays ++ [ overlayFn ]; };
          own = pkgs.${name} or { };
          packages = if isDerivation own then { ${name} = own; } else flattenTree (own // { recurseForDerivations = true; });
        in
        { legacyPackages = own; inherit packages; }
        // lib.optionalAttrs (packages ? ${name}) { defaultPackage = packages.${name}; }
        // lib.optionalAttrs (shell != null) { devShell = (if b.isFunction shell then shell else import shell) { inherit pkgs; }; }
        // lib.optionalAttrs (own ? defaultPackage) { defaultPackage = own.defaultPackage; });
    in outputs // lib.optionalAttrs (overlay != null) { overlay = overlayFn; };
in
{
  inherit defaultSystems allSystems system eachSystem eachSystemPassThrough eachSystemMap flattenTree
    filterPackages mkApp meld simpleFlake;
  eachDefaultSystem = eachSystem defaultSystems;
  eachDefaultSystemPassThrough = eachSystemPassThrough defaultSystems;
  eachDefaultSystemMap = eachSystemMap defaultSystems;
}
