# The modelled nixpkgs `lib`: the functions docker-image files use, with nixpkgs' behaviour.
# Written from nixpkgs' documented semantics; plain Nix so that it runs both under nix2image's
# evaluator and under real Nix (used for differential tests).
let
  b = builtins;

  fix = f: let x = f x; in x;
  extends = f: rattrs: self: let super = rattrs self; in super // f self super;
  composeExtensions = f: g: final: prev:
    let fApplied = f final prev; prev' = prev // fApplied;
    in fApplied // g final prev';
  composeManyExtensions = b.foldl' (x: y: composeExtensions x y) (final: prev: { });

  id = x: x;
  const = x: _: x;
  flip = f: a: c: f c a;
  pipe = b.foldl' (x: f: f x);
  isFunction = f: b.isFunction f || (f ? __functor && isFunction (f.__functor f));
  functionArgs = f:
    if f ? __functor then f.__functionArgs or (functionArgs (f.__functor f))
    else b.functionArgs f;
  setFunctionArgs = f: args: { __functor = self: f; __functionArgs = args; };
  mirrorFunctionArgs = f: g: setFunctionArgs g (functionArgs f);
  toFunction = v: if isFunction v then v else _: v;

  # ---- lists -------------------------------------------------------------
  foldr = op: nul: list:
    let len = b.length list;
        fold' = n: if n == len then nul else op (b.elemAt list n) (fold' (n + 1));
    in fold' 0;
  foldl = op: nul: list:
    let foldl' = n: if n == -1 then nul else op (foldl' (n - 1)) (b.elemAt list n);
    in foldl' (b.length list - 1);
  optional = cond: elem: if cond then [ elem ] else [ ];
  optionals = cond: elems: if cond then elems else [ ];
  toList = x: if b.isList x then x else [ x ];
  singleton = x: [ x ];
  forEach = xs: f: map f xs;
  imap0 = f: list: b.genList (n: f n (b.elemAt list n)) (b.length list);
  imap1 = f: list: b.genList (n: f (n + 1) (b.elemAt list n)) (b.length list);
  concatMap = f: list: b.concatLists (map f list);
  flatten = x: if b.isList x then concatMap flatten x else [ x ];
  remove = e: b.filter (x: x != e);
  findSingle = pred: default: multiple: list:
    let found = b.filter pred list; len = b.length found;
    in if len == 0 then default else if len != 1 then multiple else b.head found;
  findFirst = pred: default: list:
    let found = b.filter pred list; in if found == [ ] then default else b.head found;
  findFirstIndex = pred: default: list:
    let r = b.foldl' (acc: x: if acc.found != null then acc else if pred x then acc // { found = acc.i; } else acc // { i = acc.i + 1; }) { i = 0; found = null; } list;
    in if r.found == null then default else r.found;
  any = b.any;
  all = b.all;
  count = pred: b.foldl' (c: x: if pred x then c + 1 else c) 0;
  range = first: last: if first > last then [ ] else b.genList (n: first + n) (last - first + 1);
  replicate = n: elem: b.genList (_: elem) n;
  partition = b.partition;
  groupBy' = op: nul: pred: lst: mapAttrs (name: foldl op nul) (b.groupBy pred lst);
  groupBy = b.groupBy;
  zipListsWith = f: fst: snd: b.genList (n: f (b.elemAt fst n) (b.elemAt snd n)) (min (b.length fst) (b.length snd));
  zipLists = zipListsWith (fst: snd: { inherit fst snd; });
  reverseList = xs: let l = b.length xs; in b.genList (n: b.elemAt xs (l - n - 1)) l;
  sort = b.sort;
  sortOn = f: list: map (x: x.snd) (b.sort (a: c: a.fst < c.fst) (map (x: { fst = f x; snd = x; }) list));
  take = count: sublist 0 count;
  drop = count: list: sublist count (b.length list) list;
  takeEnd = n: xs: drop (b.max 0 (b.length xs - n)) xs;
  dropEnd = n: xs: take (b.max 0 (b.length xs - n)) xs;
  sublist = start: count: list:
    let len = b.length list; in
    b.genList (n: b.elemAt list (n + start))
      (if start >= len then 0 else if start + count > len then len - start else count);
  last = list: assert list != [ ]; b.elemAt list (b.length list - 1);
  init = list: assert list != [ ]; take (b.length list - 1) list;
  unique = foldl (acc: e: if b.elem e acc then acc else acc ++ [ e ]) [ ];
  uniqueStrings = list: b.attrNames (b.groupBy id list);
  intersectLists = e: b.filter (x: b.elem x e);
  subtractLists = e: b.filter (x: !(b.elem x e));
  mutuallyExclusive = a: c: a == [ ] || !(any (x: b.elem x a) c);
  head = b.head;
  tail = b.tail;
  elem = b.elem;
  elemAt = b.elemAt;
  length = b.length;
  filter = b.filter;
  genList = b.genList;
  concatLists = b.concatLists;
  listDfs = null;
  crossLists = f: foldl (fs: args: concatMap (f: map f args) fs) [ f ];
  min = x: y: if x < y then x else y;
  max = x: y: if x > y then x else y;
  ifilter0 = ipred: input: map (idx: b.elemAt input idx) (b.filter (idx: ipred idx (b.elemAt input idx)) (range 0 (b.length input - 1)));
  commonPrefixLength = a: c: let m = min (b.length a) (b.length c); go = i: if i < m && b.elemAt a i == b.elemAt c i then go (i + 1) else i; in go 0;
  hasPrefixList = list1: list2: take (b.length list1) list2 == list1;
  removePrefixList = list1: list2: if hasPrefixList list1 list2 then drop (b.length list1) list2 else throw "lib.lists.removePrefix: First argument is not a list prefix of the second argument";
  allUnique = list: b.length (unique list) == b.length list;

  # ---- attrsets ----------------------------------------------------------
  attrNames = b.attrNames;
  attrValues = b.attrValues;
  hasAttr = b.hasAttr;
  getAttr = b.getAttr;
  mapAttrs = b.mapAttrs;
  listToAttrs = b.listToAttrs;
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
  catAttrs = b.catAttrs;
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
  cartesianProduct = attrsOfLists:
    foldl (listOfAttrs: attrName: concatMap (attrs: map (listValue: attrs // { ${attrName} = listValue; }) attrsOfLists.${attrName}) listOfAttrs) [ { } ] (b.attrNames attrsOfLists);
  unionOfDisjoint = x: y:
    let intersection = b.intersectAttrs x y; collisions = b.concatStringsSep " " (b.attrNames intersection);
        mask = b.mapAttrs (name: value: throw "unionOfDisjoint: collision on ${name}; complete list: ${collisions}") intersection;
    in (x // y) // mask;
  removeAttrs = b.removeAttrs;
  intersectAttrs = b.intersectAttrs;

  # ---- strings -----------------------------------------------------------
  concatStrings = b.concatStringsSep "";
  concatStringsSep = b.concatStringsSep;
  concatMapStrings = f: list: concatStrings (map f list);
  concatMapStringsSep = sep: f: list: b.concatStringsSep sep (map f list);
  concatImapStrings = f: list: concatStrings (imap1 f list);
  concatImapStringsSep = sep: f: list: b.concatStringsSep sep (imap1 f list);
  concatLines = list: concatMapStrings (s: s + "\n") list;
  intersperse = separator: list:
    if list == [ ] || b.length list == 1 then list
    else b.tail (concatMap (x: [ separator x ]) list);
  makeSearchPath = subDir: paths: b.concatStringsSep ":" (map (path: path + "/" + subDir) (b.filter (x: x != null) paths));
  makeSearchPathOutput = output: subDir: pkgs: makeSearchPath subDir (map (getOutput output) pkgs);
  makeLibraryPath = makeSearchPathOutput "lib" "lib";
  makeIncludePath = makeSearchPathOutput "dev" "include";
  makeBinPath = makeSearchPathOutput "bin" "bin";
  makePerlPath = makeSearchPathOutput "lib" "lib/perl5/site_perl";
  optionalString = cond: string: if cond then string else "";
  hasPrefix = pref: str: b.substring 0 (b.stringLength pref) str == pref;
  hasSuffix = suffix: content:
    let lenContent = b.stringLength content; lenSuffix = b.stringLength suffix;
    in lenContent >= lenSuffix && b.substring (lenContent - lenSuffix) lenContent content == suffix;
  hasInfix = infix: content: b.match ".*${escapeRegex infix}.*" "${content}" != null;
  stringToCharacters = s: b.genList (p: b.substring p 1 s) (b.stringLength s);
  stringAsChars = f: s: concatStrings (map f (stringToCharacters s));
  escape = list: b.replaceStrings list (map (c: "\\${c}") list);
  escapeRegex = escape (stringToCharacters "\\[{()^$?*+|.");
  escapeShellArg = arg:
    let string = b.toString arg; in
    if b.match "[[:alnum:],._+:@%/-]+" string == null
    then "'${b.replaceStrings [ "'" ] [ "'\\''" ] string}'"
    else string;
  escapeShellArgs = concatMapStringsSep " " escapeShellArg;
  isValidPosixName = name: b.match "[a-zA-Z_][a-zA-Z0-9_]*" name != null;
  toShellVar = name: value:
    if b.isAttrs value && !(isStringLike value) then
      "declare -A ${name}=(${concatStringsSep " " (mapAttrsToList (n: v: "[${escapeShellArg n}]=${escapeShellArg v}") value)})"
    else if b.isList value then "declare -a ${name}=(${escapeShellArgs value})"
    else "${name}=${escapeShellArg value}";
  toShellVars = vars: concatStringsSep "\n" (mapAttrsToList toShellVar vars);
  escapeNixString = s: escape [ "$" ] (b.toJSON s);
  escapeXML = b.replaceStrings [ "\"" "'" "<" ">" "&" ] [ "&quot;" "&apos;" "&lt;" "&gt;" "&amp;" ];
  replaceStrings = b.replaceStrings;
  lowerChars = stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  upperChars = stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  toLower = b.replaceStrings upperChars lowerChars;
  toUpper = b.replaceStrings lowerChars upperChars;
  addContextFrom = a: c: b.substring 0 0 a + c;
  splitString = sep: s:
    let splits = b.filter b.isString (b.split (escapeRegex (b.toString sep)) (b.toString s));
    in map (addContextFrom s) splits;
  removePrefix = prefix: str:
    let preLen = b.stringLength prefix; in
    if b.substring 0 preLen str == prefix then b.substring preLen (-1) str else str;
  removeSuffix = suffix: str:
    let sufLen = b.stringLength suffix; sLen = b.stringLength str; in
    if sufLen <= sLen && suffix == b.substring (sLen - sufLen) sufLen str
    then b.substring 0 (sLen - sufLen) str else str;
  versionOlder = v1: v2: b.compareVersions v2 v1 == 1;
  versionAtLeast = v1: v2: !versionOlder v1 v2;
  getName = x: let parse = drv: (b.parseDrvName drv).name; in
    if b.isString x then parse x else x.pname or (parse x.name);
  getVersion = x: let parse = drv: (b.parseDrvName drv).version; in
    if b.isString x then parse x else x.version or (parse x.name);
  nameFromURL = url: sep:
    let components = splitString "/" url; filename = last components;
        name = b.head (splitString sep filename);
    in assert name != filename; name;
  enableFeature = flag: feature: "--${if flag then "enable" else "disable"}-${feature}";
  enableFeatureAs = flag: feature: value: enableFeature flag feature + optionalString flag "=${value}";
  withFeature = flag: feature: "--${if flag then "with" else "without"}-${feature}";
  withFeatureAs = flag: feature: value: withFeature flag feature + optionalString flag "=${value}";
  mesonOption = feature: value: "-D${feature}=${value}";
  mesonBool = condition: flag: mesonOption condition (if flag then "true" else "false");
  cmakeFeature = feature: value: "-D${feature}=${value}";
  cmakeBool = condition: flag: "-D${condition}:BOOL=${if flag then "TRUE" else "FALSE"}";
  fixedWidthString = width: filler: str:
    let strw = b.stringLength str; reqWidth = width - (b.stringLength filler); in
    assert strw <= width;
    if strw == width then str else filler + fixedWidthString reqWidth filler str;
  fixedWidthNumber = width: n: fixedWidthString width "0" (b.toString n);
  isStorePath = x:
    if isStringLike x then
      let str = b.toString x; in
      b.substring 0 1 str == "/" && b.dirOf str == b.storeDir
    else false;
  isStringLike = x: b.isString x || b.isPath x || x ? outPath || x ? __toString;
  strings_toInt = str:
    let r = b.fromJSON str; in
    if b.isInt r then r else throw "Could not convert ${str} to int.";
  toIntBase10 = str:
    let m = b.match "[[:space:]]*0*([0-9]+)[[:space:]]*" str; in
    if m == null then throw "Could not convert ${str} to int." else b.fromJSON (b.head m);
  trim = trimWith { start = true; end = true; };
  trimWith = { start ? false, end ? false }: s:
    let regex = if start && end then "[[:space:]]*(.*[^[:space:]])[[:space:]]*"
                else if start then "[[:space:]]*(.*)" else if end then "(.*[^[:space:]])[[:space:]]*" else "(.*)";
        res = b.match regex s;
    in if res == null then (if start || end then "" else s) else b.head res;
  readPathsFromFile = null;
  fileContents = file: removeSuffix "\n" (b.readFile file);
  sanitizeDerivationName = string: let
      okRegex = b.match "[[:alnum:]+_?=-][[:alnum:]+._?=-]*";
    in if b.stringLength string <= 207 && okRegex string != null then string
       else let s = b.concatStringsSep "" (map (c: if b.isList c then "-" else c) (b.split "[^[:alnum:]+._?=-]+" (b.toString string)));
                s' = if b.substring 0 1 s == "." then "-" + b.substring 1 (-1) s else s;
            in if s' == "" then "unknown" else b.substring 0 207 s';
  toSentenceCase = str:
    let firstChar = b.substring 0 1 str; rest = b.substring 1 (b.stringLength str) str;
    in toUpper firstChar + toLower rest;
  charToInt = null;
  stringLength = b.stringLength;
  substring = b.substring;
  toString = b.toString;
  match = b.match;
  split = b.split;

  # ---- versions ----------------------------------------------------------
  splitVersion' = b.splitVersion or (v: b.filter b.isString (b.split "[.-]" v));
  versions = let splitVersion = splitVersion'; in {
    inherit splitVersion;
    major = v: b.elemAt (splitVersion v) 0;
    minor = v: b.elemAt (splitVersion v) 1;
    patch = v: b.elemAt (splitVersion v) 2;
    majorMinor = v: b.concatStringsSep "." (take 2 (splitVersion v));
    pad = n: version:
      let numericVersion = b.head (splitString "-" version);
          versionSuffix = removePrefix numericVersion version;
      in b.concatStringsSep "." (take n (splitVersion numericVersion ++ b.genList (_: "0") n)) + versionSuffix;
  };

  # ---- derivations / packages -------------------------------------------
  getOutput = output: pkg:
    if !pkg ? outputSpecified || !pkg.outputSpecified then pkg.${output} or pkg.out or pkg else pkg;
  getBin = getOutput "bin";
  getLib = getOutput "lib";
  getDev = getOutput "dev";
  getMan = getOutput "man";
  getExe = x: getExe' x (x.meta.mainProgram or (b.trace
    "warning: getExe: Package ${b.toJSON (x.meta.name or x.pname or x.name)} does not have the meta.mainProgram attribute. We'll assume that the main program has the same name for now, but this behavior is deprecated, because it leads to surprising errors when the assumption does not hold. If the package has a main program, please set `meta.mainProgram` in its definition to make this warning go away. Otherwise, if the package does not have a main program, or if you don't control its definition, use getExe' to specify the name to the program, such as lib.getExe' foo \"bar\"."
    (getName x)));
  getExe' = x: y:
    assert (isDerivation x) || b.throw "lib.getExe': The first argument is of type ${b.typeOf x}, but it should be a derivation instead.";
    assert (b.isString y) || b.throw "lib.getExe': The second argument is of type ${b.typeOf y}, but it should be a string instead.";
    assert (b.match ".*/.*" y == null) || b.throw "lib.getExe': The second argument \"${y}\" is a nested path with a \"/\" character, but it should just be the name of the executable instead.";
    "${getBin x}/bin/${y}";

  makeOverridable = f: origArgs:
    let result = f origArgs;
        overrideWith = newArgs: origArgs // (if isFunction newArgs then newArgs origArgs else newArgs);
        overrideResult = g: makeOverridable (mirrorFunctionArgs f (args: g (f args))) origArgs;
    in if b.isAttrs result then
         result // {
           override = newArgs: makeOverridable f (overrideWith newArgs);
           overrideDerivation = fdrv: overrideResult (x: (x.overrideDerivation or (_: x)) fdrv);
         } // (if result ? overrideAttrs then { overrideAttrs = fdrv: overrideResult (x: x.overrideAttrs fdrv); } else { })
       else if isFunction result then
         setFunctionArgs result (functionArgs result) // { override = newArgs: makeOverridable f (overrideWith newArgs); }
       else result;

  callPackageWith = autoArgs: fn: args:
    let f = if isFunction fn then fn else import fn;
        fargs = functionArgs f;
        allArgs = b.intersectAttrs fargs autoArgs // args;
        missingArgs = filterAttrs (name: value: !value) (removeAttrs fargs (b.attrNames allArgs));
        loc = b.unsafeGetAttrPos (b.head (b.attrNames missingArgs)) fargs;
        error = "Function called without required argument \"${b.head (b.attrNames missingArgs)}\""
          + (if loc != null then " at ${loc.file}:${b.toString loc.line}" else "");
    in if missingArgs == { } then makeOverridable f allArgs else abort "lib.customisation.callPackageWith: ${error}";
  callPackagesWith = autoArgs: fn: args:
    let f = if isFunction fn then fn else import fn;
        auto = b.intersectAttrs (functionArgs f) autoArgs;
    in f (auto // args);

  # ---- trivial -----------------------------------------------------------
  warn = msg: b.trace "[1;31mwarning: ${msg}[0m";
  warnIf = cond: msg: if cond then warn msg else x: x;
  throwIf = cond: msg: if cond then throw msg else x: x;
  throwIfNot = cond: msg: if cond then x: x else throw msg;
  boolToString = x: if x then "true" else "false";
  mergeAttrs = x: y: x // y;
  inNixShell = false;
  trivial = {
    inherit id const flip pipe fix warn warnIf throwIf throwIfNot boolToString mergeAttrs isFunction functionArgs setFunctionArgs toFunction;
    version = "24.05pre-nix2image";
    release = "24.05";
    codeName = "Uakari";
    oldestSupportedRelease = 2311;
    inPureEvalMode = !b ? currentSystem;
    importJSON = path: b.fromJSON (b.readFile path);
    importTOML = path: b.fromTOML (b.readFile path);
    seq = b.seq;
    deepSeq = b.deepSeq;
    concat = x: y: x ++ y;
    or = x: y: x || y;
    and = x: y: x && y;
    bitAnd = b.bitAnd;
    bitOr = b.bitOr;
    bitXor = b.bitXor;
    min = min;
    max = max;
    mod = base: int: base - (int * (b.div base int));
    compare = a: c: if a < c then -1 else if a > c then 1 else 0;
  };

  # ---- sources / fileset -------------------------------------------------
  cleanSourceFilter = name: type:
    let baseName = b.baseNameOf (b.toString name); in
    !((type == "directory" && (baseName == ".git" || baseName == ".svn" || baseName == "CVS" || baseName == ".hg"))
      || hasSuffix "~" baseName || b.match "^\\.sw[a-z]$" baseName != null || b.match "^\\..*\\.sw[a-z]$" baseName != null
      || hasSuffix ".o" baseName || hasSuffix ".so" baseName
      || (type == "symlink" && hasPrefix "result" baseName)
      || (type == "unknown"));
  cleanSourceWith = { src, filter ? _path: _type: true, name ? null }:
    let orig = src._nix2imageSource or { path = src; filter = _: _: true; };
        combined = p: t: filter p t && orig.filter p t;
    in {
      _nix2imageSource = { path = orig.path; filter = combined; };
      outPath = b.path { path = orig.path; filter = combined; name = if name != null then name else "source"; };
      origSrc = orig.path;
      inherit filter;
    };
  cleanSource = src: cleanSourceWith { filter = cleanSourceFilter; inherit src; };
  sourceByRegex = src: regexes:
    let isFiltered = src ? _isLibCleanSourceWith; origSrc = if isFiltered then src.origSrc else src;
    in cleanSourceWith {
      filter = path: type:
        let relPath = removePrefix (b.toString origSrc + "/") (b.toString path);
        in any (re: b.match re relPath != null) regexes;
      inherit src;
    };
  sourceFilesBySuffices = src: exts:
    cleanSourceWith { inherit src; filter = name: type: type == "directory" || any (ext: hasSuffix ext name) exts; };
  sources = { inherit cleanSource cleanSourceWith cleanSourceFilter sourceByRegex sourceFilesBySuffices; };

  fileset =
    let
      toAbs = p: b.toString p;
      mk = paths: { _type = "fileset"; _paths = paths; };
      norm = fs: if b.isAttrs fs && fs ? _type && fs._type == "fileset" then fs._paths else [ (toAbs fs) ];
      under = dirs: path: any (d: path == d || hasPrefix (d + "/") path || hasPrefix (path + "/") d) dirs;
    in rec {
      unions = list: mk (concatMap norm list);
      union = a: c: unions [ a c ];
      maybeMissing = p: if b.pathExists p then mk [ (toAbs p) ] else mk [ ];
      difference = a: c: mk (b.filter (p: !b.elem p (norm c)) (norm a));
      intersection = a: c: mk (b.filter (p: under (norm c) p) (norm a));
      fileFilter = pred: path: mk [ (toAbs path) ];
      gitTracked = path: mk [ (toAbs path) ];
      toSource = { root, fileset }:
        let dirs = norm fileset; rootS = toAbs root; in
        b.path {
          path = root;
          name = "source";
          filter = path: type: under dirs (b.toString path);
        };
      toList = fs: norm fs;
      trace = fs: x: x;
    };

  # ---- systems -----------------------------------------------------------
  systems = import ./systems { lib = self; };

  # ---- modules, options, types (modules.nix, options.nix, types.nix) ----------
  modules = import ./modules.nix { lib = self; };
  options = import ./options.nix { lib = self; };
  types = import ./types.nix { lib = self; };

  platforms = {
    linux = [ "x86_64-linux" "aarch64-linux" "i686-linux" "armv7l-linux" "armv6l-linux" "riscv64-linux" "powerpc64le-linux" ];
    darwin = [ "x86_64-darwin" "aarch64-darwin" ];
    unix = platforms.linux ++ platforms.darwin;
    all = platforms.unix;
  };
  licenses = b.listToAttrs (map (n: nameValuePair n { shortName = n; spdxId = n; free = true; })
    [ "mit" "asl20" "gpl2Only" "gpl2Plus" "gpl3Only" "gpl3Plus" "bsd2" "bsd3" "mpl20" "isc" "lgpl21Plus" "lgpl3Plus" "unlicense" "zlib" "publicDomain" "agpl3Only" "agpl3Plus" "cc0" "unfree" ]);
  maintainers = { };

  self = {
    inherit fix extends composeExtensions composeManyExtensions id const flip pipe isFunction functionArgs setFunctionArgs
      mirrorFunctionArgs toFunction;
    inherit foldr foldl optional optionals toList singleton forEach imap0 imap1 concatMap flatten remove findSingle
      findFirst findFirstIndex any all count range replicate partition groupBy groupBy' zipListsWith zipLists reverseList
      sort sortOn take drop takeEnd dropEnd sublist last init unique uniqueStrings intersectLists subtractLists
      mutuallyExclusive head tail elem elemAt length filter genList concatLists crossLists min max ifilter0
      commonPrefixLength allUnique;
    foldl' = b.foldl';
    inherit attrNames attrValues hasAttr getAttr mapAttrs listToAttrs nameValuePair attrByPath hasAttrByPath
      setAttrByPath getAttrFromPath attrVals getAttrs catAttrs filterAttrs filterAttrsRecursive foldlAttrs
      foldAttrs mapAttrs' mapAttrsToList attrsToList concatMapAttrs mapAttrsRecursive mapAttrsRecursiveCond genAttrs
      isDerivation toDerivation optionalAttrs zipAttrsWithNames zipAttrsWith zipAttrs recursiveUpdateUntil
      recursiveUpdate matchAttrs overrideExisting collect recurseIntoAttrs dontRecurseIntoAttrs cartesianProduct
      unionOfDisjoint removeAttrs intersectAttrs;
    inherit concatStrings concatStringsSep concatMapStrings concatMapStringsSep concatImapStrings
      concatImapStringsSep concatLines intersperse makeSearchPath makeSearchPathOutput makeLibraryPath
      makeIncludePath makeBinPath makePerlPath optionalString hasPrefix hasSuffix hasInfix stringToCharacters
      stringAsChars escape escapeRegex escapeShellArg escapeShellArgs isValidPosixName toShellVar toShellVars
      escapeNixString escapeXML replaceStrings toLower toUpper addContextFrom splitString removePrefix removeSuffix
      versionOlder versionAtLeast getName getVersion nameFromURL enableFeature enableFeatureAs withFeature
      withFeatureAs mesonOption mesonBool cmakeFeature cmakeBool fixedWidthString fixedWidthNumber isStorePath
      isStringLike toIntBase10 trim trimWith fileContents sanitizeDerivationName toSentenceCase stringLength
      substring toString match split lowerChars upperChars;
    toInt = strings_toInt;
    splitVersion = splitVersion'; inherit versions;
    inherit getOutput getBin getLib getDev getMan getExe getExe' makeOverridable callPackageWith callPackagesWith;
    inherit warn warnIf throwIf throwIfNot boolToString mergeAttrs inNixShell trivial;
    inherit (trivial) importJSON importTOML seq deepSeq concat bitAnd bitOr bitXor mod compare version release codeName;
    inherit cleanSourceFilter cleanSourceWith cleanSource sourceByRegex sourceFilesBySuffices sources fileset;
    inherit systems types platforms licenses maintainers modules options;
    inherit (modules) evalModules setDefaultModuleLocation unifyModuleSyntax applyModuleArgsIfFunction mergeModules
      mergeOptionDecls mergeDefinitions pushDownProperties dischargeProperties filterOverrides sortProperties
      fixupOptionType mkIf mkAssert mkMerge mkOverride mkOptionDefault mkDefault mkImageMediaOverride mkForce
      mkVMOverride mkFixStrictness mkOrder mkBefore mkAfter mkAliasDefinitions mkAliasAndWrapDefinitions
      fixMergeModules mkRemovedOptionModule mkRenamedOptionModule mkRenamedOptionModuleWith mkMergedOptionModule
      mkChangedOptionModule mkAliasOptionModule mkDerivedConfig doRename mkAliasOptionModuleMD mkDefinition
      evalOptionValue;
    inherit (options) isOption mkEnableOption mkSinkUndeclaredOptions mergeDefaultOption mergeOneOption
      mergeEqualOption mergeUniqueOption getValues getFiles optionAttrSetToDocList optionAttrSetToDocList'
      scrubOptionValue literalExpression literalExample showOption showOptionWithDefLocs showFiles unknownModule
      mkOption mkPackageOption mkPackageOptionMD mdDoc literalMD;
    inherit (types) isType setType defaultTypeMerge defaultFunctor isOptionType mkOptionType;
    isList = b.isList; isAttrs = b.isAttrs; isString = b.isString; isInt = b.isInt; isBool = b.isBool;
    isFloat = b.isFloat; isPath = b.isPath;
    elemAtOr = null;
    lists = {
      inherit foldr foldl optional optionals toList singleton forEach imap0 imap1 concatMap flatten remove
        findSingle findFirst findFirstIndex any all count range replicate partition groupBy groupBy' zipListsWith
        zipLists reverseList sort sortOn take drop takeEnd dropEnd sublist last init unique intersectLists
        subtractLists mutuallyExclusive head tail elem elemAt length filter genList concatLists crossLists
        ifilter0 commonPrefixLength allUnique;
      foldl' = b.foldl';
      hasPrefix = hasPrefixList;
      removePrefix = removePrefixList;
    };
    attrsets = {
      inherit attrNames attrValues hasAttr getAttr mapAttrs listToAttrs nameValuePair attrByPath hasAttrByPath
        setAttrByPath getAttrFromPath attrVals getAttrs catAttrs filterAttrs filterAttrsRecursive foldlAttrs
        foldAttrs mapAttrs' mapAttrsToList attrsToList concatMapAttrs mapAttrsRecursive mapAttrsRecursiveCond
        genAttrs isDerivation toDerivation optionalAttrs zipAttrsWithNames zipAttrsWith zipAttrs
        recursiveUpdateUntil recursiveUpdate matchAttrs overrideExisting collect recurseIntoAttrs
        dontRecurseIntoAttrs cartesianProduct unionOfDisjoint getOutput getBin getLib getDev getMan;
    };
    strings = {
      inherit concatStrings concatStringsSep concatMapStrings concatMapStringsSep concatImapStrings
        concatImapStringsSep concatLines intersperse makeSearchPath makeSearchPathOutput makeLibraryPath
        makeIncludePath makeBinPath optionalString hasPrefix hasSuffix hasInfix stringToCharacters stringAsChars
        escape escapeRegex escapeShellArg escapeShellArgs isValidPosixName toShellVar toShellVars escapeNixString
        escapeXML replaceStrings toLower toUpper addContextFrom splitString removePrefix removeSuffix versionOlder
        versionAtLeast getName getVersion nameFromURL enableFeature enableFeatureAs withFeature withFeatureAs
        fixedWidthString fixedWidthNumber isStorePath isStringLike toIntBase10 trim trimWith fileContents
        sanitizeDerivationName toSentenceCase stringLength substring match split lowerChars upperChars
        mesonOption mesonBool cmakeFeature cmakeBool;
      toInt = strings_toInt;
      splitVersion = splitVersion';
    };
    customisation = { inherit makeOverridable callPackageWith callPackagesWith; };
    meta = {
      getExe = getExe; "getExe'" = getExe';
      addMetaAttrs = newAttrs: drv: drv // { meta = (drv.meta or { }) // newAttrs; };
      lowPrio = drv: drv // { meta = (drv.meta or { }) // { priority = 10; }; };
      hiPrio = drv: drv // { meta = (drv.meta or { }) // { priority = -10; }; };
    };
    addMetaAttrs = self.meta.addMetaAttrs;
    lowPrio = self.meta.lowPrio;
    hiPrio = self.meta.hiPrio;
    fixedPoints = { inherit fix extends composeExtensions composeManyExtensions; };
    asserts = {
      assertMsg = pred: msg: pred || throw msg;
      assertOneOf = name: val: xs: b.elem val xs || throw "${name} must be one of ${b.toJSON xs}, but is: ${b.toJSON val}";
    };
    assertMsg = self.asserts.assertMsg;
    assertOneOf = self.asserts.assertOneOf;
    generators = import ./generators.nix { lib = self; };

    extend = f: fix (extends f (_: self));
  };
in
self
