# lib.meta: package metadata (priorities, main program).
{ lib }:
let
  b = builtins;
  inherit (lib.attrsets) isDerivation getBin;
  inherit (lib.strings) getName;
in
rec {
  addMetaAttrs = newAttrs: drv: drv // { meta = (drv.meta or { }) // newAttrs; };
  lowPrio = drv: drv // { meta = (drv.meta or { }) // { priority = 10; }; };
  hiPrio = drv: drv // { meta = (drv.meta or { }) // { priority = -10; }; };
  getExe = x: getExe' x (x.meta.mainProgram or (b.trace
    "warning: getExe: Package ${b.toJSON (x.meta.name or x.pname or x.name)} does not have the meta.mainProgram attribute. We'll assume that the main program has the same name for now, but this behavior is deprecated, because it leads to surprising errors when the assumption does not hold. If the package has a main program, please set `meta.mainProgram` in its definition to make this warning go away. Otherwise, if the package does not have a main program, or if you don't control its definition, use getExe' to specify the name to the program, such as lib.getExe' foo \"bar\"."
    (getName x)));
  getExe' = x: y:
    assert (isDerivation x) || b.throw "lib.getExe': The first argument is of type ${b.typeOf x}, but it should be a derivation instead.";
    assert (b.isString y) || b.throw "lib.getExe': The second argument is of type ${b.typeOf y}, but it should be a string instead.";
    assert (b.match ".*/.*" y == null) || b.throw "lib.getExe': The second argument \"${y}\" is a nested path with a \"/\" character, but it should just be the name of the executable instead.";
    "${getBin x}/bin/${y}";

  setName = name: drv: drv // { inherit name; };
  updateName = updater: drv: drv // { name = updater (drv.name); };
  appendToName = suffix: updateName (name:
    let x = b.parseDrvName name; in "${x.name}-${suffix}-${x.version}");
  setPrio = priority: addMetaAttrs { inherit priority; };
  lowPrioSet = set: b.mapAttrs (_: lowPrio) set;
  hiPrioSet = set: b.mapAttrs (_: hiPrio) set;

  # Whether a meta.platforms entry matches a platform: a system string is compared with
  # platform.system; an attribute set is a pattern of the whole platform, or of its `parsed`
  # part when it has no `parsed` itself.
  platformMatch = platform: elem:
    if b.isString elem then platform ? system && platform.system == elem
    else lib.attrsets.matchAttrs (if elem ? parsed then elem else { parsed = elem; }) platform;
  availableOn = platform: pkg:
    (!(pkg ? meta.platforms) || lib.lists.any (platformMatch platform) pkg.meta.platforms)
    && !(lib.lists.any (platformMatch platform) (pkg.meta.badPlatforms or [ ]));

  # lib.licenses entry by SPDX identifier, compared case-insensitively.
  licensesBySpdxId =
    b.listToAttrs (map (l: { name = lib.strings.toLower l.spdxId; value = l; })
      (b.filter (l: l ? spdxId) (b.attrValues lib.licenses)));
  getLicenseFromSpdxIdOr = licstr: default: licensesBySpdxId.${lib.strings.toLower licstr} or default;
  getLicenseFromSpdxId = licstr:
    getLicenseFromSpdxIdOr licstr
      (lib.trivial.warn "getLicenseFromSpdxId: No license matches the given SPDX ID: ${licstr}" { shortName = licstr; });

  dontDistribute = drv: addMetaAttrs { hydraPlatforms = [ ]; } drv;
  mapDerivationAttrset = f: set: b.mapAttrs (_: v: if isDerivation v then f v else v) set;
}
