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
  # A store path itself (not a file inside one), or a content-addressed placeholder path
  # ("/" and 52 base-32 characters) that stands for an output not yet built.
  isStorePath = x:
    if isStringLike x then
      let str = b.toString x; in
      (b.substring 0 1 str == "/" && b.dirOf str == b.storeDir)
      || b.match "/[0-9a-df-np-sv-z]{52}" str != null
    else false;
  isStringLike = x: b.isString x || b.isPath x || x ? outPath || x ? __toString;
  isConvertibleWithToString = x:
    isStringLike x || b.elem (b.typeOf x) [ "null" "int" "float" "bool" ]
    || (b.isList x && lib.lists.all isConvertibleWithToString x);
  # Decimal integers with optional surrounding white space; leading zeros are refused (octal?).
  toInt = str:
    let m = b.match "[[:space:]]*(-?(0|[1-9][0-9]*))[[:space:]]*" str; in
    if m == null then throw "Could not convert ${str} to int." else b.fromJSON (b.head m);
  # Decimal integers with optional surrounding white space; leading zeros are ignored.
  toIntBase10 = str:
    let m = b.match "[[:space:]]*(-?)0*([0-9]+)[[:space:]]*" str; in
    if m == null then throw "Could not convert ${str} to int."
    else let n = b.fromJSON (b.elemAt m 1); in if b.head m == "-" then 0 - n else n;
  trim = trimWith { start = true; end = true; };
  trimWith = { start ? false, end ? false }: s:
    let regex = if start && end then "[[:space:]]*(.*[^[:space:]])[[:space:]]*"
                else if start then "[[:space:]]*(.*)" else if end then "(.*[^[:space:]])[[:space:]]*" else "(.*)";
        res = b.match regex s;
    in if res == null then (if start || end then "" else s) else b.head res;
  fileContents = file: removeSuffix "\n" (b.readFile file);
  readFile = b.readFile;
  # A valid derivation name made from any string: runs of other characters become "-",
  # leading dots go, at most the last 207 characters stay, and "" becomes "unknown".
  sanitizeDerivationName = string:
    let
      okRegex = b.match "[[:alnum:]+_?=-][[:alnum:]+._?=-]*";
      replaced = b.concatStringsSep "" (map (c: if b.isList c then "-" else c) (b.split "[^[:alnum:]+._?=-]+" string));
      len = b.stringLength replaced;
      tailPart = if len > 207 then b.substring (len - 207) 207 replaced else replaced;
      noDots = b.head (b.match "[.]*(.*)" tailPart);
    in
    if b.stringLength string <= 207 && okRegex string != null then b.unsafeDiscardStringContext string
    else if noDots == "" then "unknown" else noDots;
  toSentenceCase = str:
    assert b.isString str || throw "toSentenceCase: expected a string, got a ${b.typeOf str}";
    let firstChar = b.substring 0 1 str; rest = b.substring 1 (b.stringLength str) str;
    in toUpper firstChar + toLower rest;
  # "hello world", "hello-world", "hello_world" and "HelloWorld" all become "helloWorld".
  toCamelCase = str:
    assert b.isString str || throw "toCamelCase: expected a string, got a ${b.typeOf str}";
    let
      parts = b.filter (w: b.isString w && w != "") (b.split "[ _-]+" str);
      words = concatMap (splitStringBy (prev: curr: b.match "[a-z]" prev != null && b.match "[A-Z]" curr != null) true) parts;
      cap = w: toUpper (b.substring 0 1 w) + toLower (b.substring 1 (-1) w);
    in
    if words == [ ] then ""
    else toLower (b.head words) + b.concatStringsSep "" (map cap (b.tail words));

  # Split before each character `curr` for which `pred prev curr` holds (prev is "" at the start);
  # with keepSplit the character begins the next part, without it the character is dropped.
  splitStringBy = pred: keepSplit: str:
    let
      len = b.stringLength str;
      at = i: b.substring i 1 str;
      cuts = b.filter (i: pred (if i == 0 then "" else at (i - 1)) (at i)) (b.genList (i: i) len);
      starts = [ 0 ] ++ map (i: if keepSplit then i else i + 1) cuts;
      ends = cuts ++ [ len ];
    in b.genList (k: let s0 = b.elemAt starts k; in b.substring s0 (b.elemAt ends k - s0) str) (b.length ends);

  replaceString = from: to: b.replaceStrings [ from ] [ to ];
  replicate = n: s: b.concatStringsSep "" (lib.lists.replicate n s);
  normalizePath = s:
    b.concatStringsSep "" (map (x: if b.isList x then "/" else x) (b.split "//+" s));

  # The characters of codes 1..127 (JSON escapes make the control characters).
  asciiTable =
    let hex2 = i: b.substring (i / 16) 1 "0123456789abcdef" + b.substring (i - (i / 16) * 16) 1 "0123456789abcdef";
    in b.listToAttrs (b.genList (i: { name = b.fromJSON "\"\\u00${hex2 (i + 1)}\""; value = i + 1; }) 127);
  charToInt = c: asciiTable.${c} or (throw "charToInt: ${b.toJSON c} is not an ASCII character");
  escapeC = list: b.replaceStrings list
    (map (c: "\\x" + toLower (fixedWidthString 2 "0" (lib.trivial.toHexString (charToInt c)))) list);
  escapeURL =
    let
      unreserved = stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
      toEscape = b.filter (c: !b.elem c unreserved) (b.attrNames asciiTable);
    in b.replaceStrings toEscape (map (c: "%" + fixedWidthString 2 "0" (lib.trivial.toHexString (charToInt c))) toEscape);

  commonPrefixLength = a: c:
    let m = lib.trivial.min (b.stringLength a) (b.stringLength c);
    in lib.lists.findFirstIndex (i: b.substring i 1 a != b.substring i 1 c) m (b.genList (i: i) m);
  commonSuffixLength = a: c:
    let la = b.stringLength a; lc = b.stringLength c; m = lib.trivial.min la lc;
    in lib.lists.findFirstIndex (i: b.substring (la - i - 1) 1 a != b.substring (lc - i - 1) 1 c) m (b.genList (i: i) m);

  # Edit distance (insertions, deletions, substitutions), one row of the table at a time.
  levenshtein = a: c:
    let
      la = b.stringLength a; lc = b.stringLength c;
      cs = stringToCharacters c;
      step = prev: i:
        let
          ca = b.substring i 1 a;
          row = b.genList (j:
            if j == 0 then i + 1
            else lib.trivial.min (lib.trivial.min (b.elemAt prev j + 1) (b.elemAt row (j - 1) + 1))
              (b.elemAt prev (j - 1) + (if ca == b.elemAt cs (j - 1) then 0 else 1))) (lc + 1);
        in b.deepSeq row row;
      last = b.foldl' step (b.genList (j: j) (lc + 1)) (b.genList (i: i) la);
    in b.elemAt last lc;
  levenshteinAtMost = k: a: c:
    let d = b.stringLength a - b.stringLength c; in
    (if d < 0 then -d else d) <= k && levenshtein a c <= k;

  escapeNixIdentifier = s:
    if b.match "[a-zA-Z_][a-zA-Z0-9_'-]*" s != null
      && !b.elem s [ "if" "then" "else" "assert" "with" "let" "in" "rec" "inherit" "or" ]
    then s else escapeNixString s;
  isValidNixIdentifier = s: escapeNixIdentifier s == s;
  concatMapAttrsStringSep = sep: f: attrs: b.concatStringsSep sep (lib.attrsets.mapAttrsToList f attrs);
  stringLength = b.stringLength;
  substring = b.substring;
  toString = b.toString;
  match = b.match;
  split = b.split;

  splitVersion = b.splitVersion or (v: b.filter b.isString (b.split "[.-]" v));

  compareVersions = b.compareVersions;
  elem = b.elem;
  elemAt = b.elemAt;
  filter = b.filter;
  fromJSON = b.fromJSON;
  genList = b.genList;
  head = b.head;
  tail = b.tail;
  isAttrs = b.isAttrs;
  isInt = b.isInt;
  isList = b.isList;
  isPath = b.isPath;
  isString = b.isString;
  parseDrvName = b.parseDrvName;
  storeDir = b.storeDir;
  toJSON = b.toJSON;
  typeOf = b.typeOf;
  unsafeDiscardStringContext = b.unsafeDiscardStringContext;
  replaceChars = lib.trivial.warn "lib.replaceChars is a deprecated alias of lib.replaceStrings." b.replaceStrings;
  isCoercibleToString = lib.trivial.warn "lib.strings.isCoercibleToString is deprecated in favor of either isStringLike or isConvertibleWithToString." isConvertibleWithToString;
  # Floats as toString prints them (6 decimals); warns when that loses precision.
  floatToString = float:
    let r = b.toString float; in
    lib.trivial.warnIf (b.fromJSON r != float) "Imprecise conversion from float to string ${r}" r;
  mesonEnable = feature: value: mesonOption feature (if value then "enabled" else "disabled");
  cmakeOptionType = type: feature: value:
    assert b.elem (toUpper type) [ "BOOL" "FILEPATH" "PATH" "STRING" "INTERNAL" ];
    "-D${feature}:${toUpper type}=${value}";
  # The non-empty lines of a file that do not start with "#".
  readPathsFromFile = rootPath: file:
    let lines = b.filter (l: b.isString l && l != "" && b.substring 0 1 l != "#") (b.split "\n" (b.readFile file));
    in map (l: rootPath + "/${l}") lines;
}
