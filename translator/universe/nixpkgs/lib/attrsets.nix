# lib.attrsets: attribute-set functions (paths, filtering, mapping, merging) and package outputs.
{ lib }:
let
  b = builtins;
  inherit (lib.lists) concatMap foldr foldl all take;
in
rec {
  attrNames = b.attrNames;
  attrValues = b.attrValues;
  hasAttr = b.hasAttr;
  getAttr = b.getAttr;
  mapAttrs = b.mapAttrs;
  listToAttrs = b.listToAttrs;
  catAttrs = b.catAttrs;
  removeAttrs = b.removeAttrs;
  intersectAttrs = b.intersectAttrs;
  nameValuePair = name: value: { inherit name value; };
  attrByPath = attrPath: default: set:
    let lenAttrPath = b.length attrPath;
        attrByPath' = n: s:
          if n == lenAttrPath then s
          else let attr = b.elemAt attrPath n; in
            if s ? ${attr} then attrByPath' (n + 1) s.${attr} else default;
    in attrByPath' 0 set;
  hasAttrByPath = attrPath: e:
    let attr = b.head attrPath; in
    if attrPath == [ ] then true
    else if e ? ${attr} then hasAttrByPath (b.tail attrPath) e.${attr}
    else false;
  setAttrByPath = attrPath: value:
    let len = b.length attrPath;
        atDepth = n: if n == len then value else { ${b.elemAt attrPath n} = atDepth (n + 1); };
    in atDepth 0;
  getAttrFromPath = attrPath: set:
    attrByPath attrPath (abort ("cannot find attribute '" + b.concatStringsSep "." attrPath + "'")) set;
  attrVals = nameList: set: map (x: set.${x}) nameList;
  getAttrs = names: attrs: b.listToAttrs (map (n: nameValuePair n attrs.${n}) (b.filter (n: attrs ? ${n}) names));
  filterAttrs = pred: set:
    b.listToAttrs (concatMap (name: let v = set.${name}; in if pred name v then [ (nameValuePair name v) ] else [ ]) (b.attrNames set));
  filterAttrsRecursive = pred: set:
    b.listToAttrs (concatMap (name:
      let v = set.${name}; in
      if pred name v then [ (nameValuePair name (if b.isAttrs v then filterAttrsRecursive pred v else v)) ] else [ ]) (b.attrNames set));
  foldlAttrs = f: init: set: b.foldl' (acc: name: f acc name set.${name}) init (b.attrNames set);
  foldAttrs = op: nul: list_of_attrs:
    foldr (n: a: foldr (name: o: o // { ${name} = op n.${name} (a.${name} or nul); }) a (b.attrNames n)) { } list_of_attrs;
  mapAttrs' = f: set: b.listToAttrs (map (attr: f attr set.${attr}) (b.attrNames set));
  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (b.attrNames attrs);
  attrsToList = mapAttrsToList nameValuePair;
  concatMapAttrs = f: v: foldl (x: y: x // y) { } (mapAttrsToList f v);
  mapAttrsRecursive = f: set: mapAttrsRecursiveCond (as: true) f set;
  mapAttrsRecursiveCond = cond: f: set:
    let recurse = path: b.mapAttrs (name: value:
          if b.isAttrs value && cond value then recurse (path ++ [ name ]) value else f (path ++ [ name ]) value);
    in recurse [ ] set;
  genAttrs = names: f: b.listToAttrs (map (n: nameValuePair n (f n)) names);
  isDerivation = value: value.type or null == "derivation";
  toDerivation = path: { type = "derivation"; name = b.baseNameOf path; outPath = path; outputs = [ "out" ]; };
  optionalAttrs = cond: as: if cond then as else { };
  zipAttrsWithNames = names: f: sets: b.listToAttrs (map (name: { inherit name; value = f name (b.catAttrs name sets); }) names);
  zipAttrsWith = f: sets: b.zipAttrsWith or (zipAttrsWithNames (concatMap b.attrNames sets)) f sets;
  zipAttrs = zipAttrsWith (name: values: values);
  recursiveUpdateUntil = pred: lhs: rhs:
    let f = attrPath:
          zipAttrsWith (n: values:
            let here = attrPath ++ [ n ]; in
            if b.length values == 1 || pred here (b.elemAt values 1) (b.head values)
            then b.head values
            else f here values);
    in f [ ] [ rhs lhs ];
  recursiveUpdate = lhs: rhs:
    recursiveUpdateUntil (path: lhs: rhs: !(b.isAttrs lhs && b.isAttrs rhs)) lhs rhs;
  matchAttrs = pattern: attrs:
    all (attr: attrs ? ${attr} && (let pat = pattern.${attr}; val = attrs.${attr}; in
      if b.isAttrs pat && b.isAttrs val then matchAttrs pat val else pat == val)) (b.attrNames pattern);
  overrideExisting = old: new: b.mapAttrs (name: value: new.${name} or value) old;
  collect = pred: attrs:
    if pred attrs then [ attrs ]
    else if b.isAttrs attrs then concatMap (collect pred) (b.attrValues attrs)
    else [ ];
  recurseIntoAttrs = attrs: attrs // { recurseForDerivations = true; };
  dontRecurseIntoAttrs = attrs: attrs // { recurseForDerivations = false; };
  mapCartesianProduct = f: attrsOfLists: map f (cartesianProduct attrsOfLists);
  cartesianProduct = attrsOfLists:
    foldl (listOfAttrs: attrName: concatMap (attrs: map (listValue: attrs // { ${attrName} = listValue; }) attrsOfLists.${attrName}) listOfAttrs) [ { } ] (b.attrNames attrsOfLists);
  unionOfDisjoint = x: y:
    let intersection = b.intersectAttrs x y; collisions = b.concatStringsSep " " (b.attrNames intersection);
        mask = b.mapAttrs (name: value: throw "unionOfDisjoint: collision on ${name}; complete list: ${collisions}") intersection;
    in (x // y) // mask;

  getOutput = output: pkg:
    if !pkg ? outputSpecified || !pkg.outputSpecified then pkg.${output} or pkg.out or pkg else pkg;
  getBin = getOutput "bin";
  getLib = getOutput "lib";
  getDev = getOutput "dev";
  getMan = getOutput "man";

  # The longest prefix of attrPath that exists in v (path elements past it stay unevaluated).
  longestValidPathPrefix = attrPath: v:
    let
      len = b.length attrPath;
      go = n: x:
        if n == len then attrPath
        else let a = b.elemAt attrPath n; in
          if b.isAttrs x && x ? ${a} then go (n + 1) x.${a} else take n attrPath;
    in go 0 v;

  # `//` of a list of attribute sets, later ones winning; merged pairwise as a balanced tree.
  mergeAttrsList = list:
    let
      go = start: n:
        if n == 0 then { }
        else if n == 1 then b.elemAt list start
        else let half = n / 2; in go start half // go (start + half) (n - half);
    in go 0 (b.length list);

  # Apply { path; update; } updates: deeper paths first, updates of one path in list order.
  updateManyAttrsByPath = updates: value:
    let
      go = depth: present: v: ups:
        let
          here = b.filter (u: b.length u.path == depth) ups;
          deeper = b.filter (u: b.length u.path > depth) ups;
          old = if present then v else throw "updateManyAttrsByPath: the path to be updated does not exist";
          nested =
            if deeper == [ ] then old
            else if present && !b.isAttrs v then
              throw "updateManyAttrsByPath: path '${showAttrPath (take depth (b.head deeper).path)}' of the given value is not an attribute set, so it can't be updated with update paths: ${b.concatStringsSep ", " (map (u: showAttrPath u.path) deeper)}"
            else
              let
                base = if present then v else { };
                groups = b.groupBy (u: b.elemAt u.path depth) deeper;
              in base // b.mapAttrs (name: go (depth + 1) (base ? ${name}) (base.${name} or null)) groups;
        in foldl (acc: u: u.update acc) nested here;
    in go 0 true value updates;

  # An attribute path as Nix source would write it: a.b."c d".
  showAttrPath = path:
    if path == [ ] then "<root attribute path>"
    else b.concatStringsSep "." (map lib.strings.escapeNixIdentifier path);

  genAttrs' = xs: f: b.listToAttrs (map f xs);
  mapAttrsToListRecursive = f: mapAttrsToListRecursiveCond (_: _: true) f;
  mapAttrsToListRecursiveCond = cond: f: set:
    let
      go = path: s: concatMap (name:
        let v = s.${name}; p = path ++ [ name ]; in
        if b.isAttrs v && !isDerivation v && cond p v then go p v else [ (f p v) ]) (b.attrNames s);
    in go [ ] set;
  concatMapAttrsStringSep = sep: f: attrs: b.concatStringsSep sep (mapAttrsToList f attrs);
  chooseDevOutputs = map getDev;
  getFirstOutput = candidates: pkg:
    let outputs = b.filter (o: b.elem o (pkg.outputs or [ "out" ])) candidates;
    in if pkg.outputSpecified or false || outputs == [ ] then pkg else pkg.${b.head outputs};

  cartesianProductOfSets = cartesianProduct;
  zipWithNames = zipAttrsWithNames;
  zip = zipAttrsWith;
  isAttrs = b.isAttrs;
}
