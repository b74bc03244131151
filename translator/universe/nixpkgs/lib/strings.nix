# lib.strings: string functions (concatenation, prefixes, escaping, shell and build flags).
{ lib }:
let
  b = builtins;
  inherit (lib.lists) imap1 concatMap last;
  inherit (lib.attrsets) getOutput mapAttrsToList;
in
rec {
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
  toInt = str:
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
  stringLength = b.stringLength;
  substring = b.substring;
  toString = b.toString;
  match = b.match;
  split = b.split;

  splitVersion = b.splitVersion or (v: b.filter b.isString (b.split "[.-]" v));
}
