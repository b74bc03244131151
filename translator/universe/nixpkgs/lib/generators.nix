# lib.generators: writers of configuration formats (key=value, INI, git config, plist, Lua,
# Dhall) and toPretty, Nix-like text for any value. Written from nixpkgs' documented output.
{ lib }:
let
  b = builtins;
  inherit (lib.strings) escape escapeNixIdentifier;
  inherit (lib.attrsets) mapAttrsToList filterAttrs isDerivation;

  # Nix string literal text for s: "..." with \ " ${ and control characters escaped.
  quoteNixString = s:
    "\"" + b.replaceStrings [ "\\" "\"" "\n" "\r" "\t" "\${" ] [ "\\\\" "\\\"" "\\n" "\\r" "\\t" "\\\${" ] s + "\"";

  # What toPretty prints for a function: its formal arguments, optional ones marked with `?`.
  showFunction = f:
    let
      args = lib.trivial.functionArgs f;
      names = b.attrNames args;
    in
    if names == [ ] then "<function>"
    else "<function, args: {${b.concatStringsSep ", " (map (n: if args.${n} then "${n}?" else n) names)}}>";
in
rec {
  # One value as text for key=value formats: numbers, strings, booleans, null; derivations and
  # paths as their store path. Lists, sets and functions have no single textual form: an error.
  mkValueStringDefault = { }: v:
    let err = t: throw "generators.mkValueStringDefault: ${t} not supported: ${toPretty { } v}"; in
    if b.isInt v then b.toString v
    else if b.isString v then v
    else if v == true then "true"
    else if v == false then "false"
    else if v == null then "null"
    else if b.isFloat v then b.toString v
    else if b.isPath v then b.toString v
    else if b.isAttrs v && v ? outPath then "${v}"
    else if b.isList v then err "lists"
    else if b.isFunction v then err "functions"
    else if b.isAttrs v then err "attrsets"
    else err (b.typeOf v);

  mkKeyValueDefault = { mkValueString ? mkValueStringDefault { } }: sep: k: v:
    "${escape [ sep ] k}${sep}${mkValueString v}";

  toKeyValue = { mkKeyValue ? mkKeyValueDefault { } "=", listsAsDuplicateKeys ? false, indent ? "" }: attrs:
    let
      mkLine = k: v: indent + mkKeyValue k v + "\n";
      mkLines = k: v:
        if listsAsDuplicateKeys && b.isList v then map (mkLine k) v else [ (mkLine k v) ];
    in b.concatStringsSep "" (b.concatLists (mapAttrsToList mkLines attrs));

  toINI = { mkSectionName ? (name: escape [ "[" "]" ] name), mkKeyValue ? mkKeyValueDefault { } "=", listsAsDuplicateKeys ? false }: attrsOfAttrs:
    let
      mkSection = name: values:
        "[${mkSectionName name}]\n" + toKeyValue { inherit mkKeyValue listsAsDuplicateKeys; } values;
    in b.concatStringsSep "\n" (mapAttrsToList mkSection attrsOfAttrs);

  # Key=value lines before the first section, then toINI of the sections.
  toINIWithGlobalSection = { mkSectionName ? (name: escape [ "[" "]" ] name), mkKeyValue ? mkKeyValueDefault { } "=", listsAsDuplicateKeys ? false }:
    { globalSection, sections ? { } }:
    (if globalSection == { } then ""
     else toKeyValue { inherit mkKeyValue listsAsDuplicateKeys; } globalSection + (if sections == { } then "" else "\n"))
    + toINI { inherit mkSectionName mkKeyValue listsAsDuplicateKeys; } sections;

  # git-config(1) syntax: nested sets become [section "subsection"], values are indented by a
  # tab, strings are quoted, lists repeat the key.
  toGitINI = attrs:
    let
      gitString = s: "\"" + b.replaceStrings [ "\\" "\"" "\n" "\t" ] [ "\\\\" "\\\"" "\\n" "\\t" ] s + "\"";
      gitValue = v:
        if b.isString v then gitString v
        else if b.isBool v then lib.trivial.boolToString v
        else mkValueStringDefault { } v;
      mkKeyValue = k: v: "\t${k} = ${gitValue v}";
      mkSectionName = name:
        let m = b.match "([^.]*)\\.(.*)" name; in
        if m == null then name
        else "${b.head m} ${gitString (b.elemAt m 1)}";
      # { a.b.c = 5; } -> { "a.b" = { c = 5; }; }: every set holding plain values is a section.
      sectionsOf = prefix: set:
        let
          plain = filterAttrs (_: v: !(b.isAttrs v) || isDerivation v) set;
          nested = filterAttrs (_: v: b.isAttrs v && !isDerivation v) set;
          here = if plain == { } || prefix == null then { } else { ${prefix} = plain; };
        in
        here // lib.attrsets.mergeAttrsList (mapAttrsToList
          (n: v: sectionsOf (if prefix == null then n else "${prefix}.${n}") v) nested);
    in
    toINI { inherit mkKeyValue mkSectionName; listsAsDuplicateKeys = true; } (sectionsOf null attrs);

  toJSON = { }: b.toJSON;
  # JSON is YAML 1.2.
  toYAML = { }: b.toJSON;

  # A copy of v in which values nested deeper than depthLimit are replaced by "<unevaluated>"
  # (or, with throwOnDepthLimit, evaluating them throws), so that recursive values can be printed.
  withRecursion = { depthLimit, throwOnDepthLimit ? true }: v:
    let
      special = [ "__functor" "__functionArgs" "__toString" "__pretty" ];
      cut = depth: x:
        if depth <= depthLimit then x
        else if throwOnDepthLimit then throw "Exceeded maximum eval-depth limit of ${b.toString depthLimit} while trying to evaluate with `generators.withRecursion'!"
        else "<unevaluated>";
      walk = depth: x:
        if b.isAttrs x then b.mapAttrs (n: y: if b.elem n special then y else walk (depth + 1) (cut (depth + 1) y)) x
        else if b.isList x then map (y: walk (depth + 1) (cut (depth + 1) y)) x
        else cut (depth + 1) x;
    in walk 0 v;

  # Nix-like text for any value: strings quoted (multi-line ones as '' strings when multiline),
  # functions as <function, args: {...}>, derivations as <derivation NAME>.
  toPretty = { allowPrettyValues ? false, multiline ? true, indent ? "" }:
    let
      go = ind: v:
        let
          inner = ind + "  ";
          open = if multiline then "\n" + inner else " ";
          close = if multiline then "\n" + ind else " ";
          sepItems = if multiline then "\n" + inner else " ";
        in
        if b.isInt v then b.toString v
        else if b.isFloat v then b.toJSON v
        else if b.isString v then
          let lines = b.filter b.isString (b.split "\n" v); in
          if multiline && b.length lines > 1 then
            let
              esc = b.replaceStrings [ "''" "\${" ] [ "'''" "''\${" ];
              n = b.length lines;
              line = i: l: if i == n - 1 && l == "" then "" else inner + esc l;
            in "''\n" + b.concatStringsSep "\n" (lib.lists.imap0 line lines) + "''"
          else quoteNixString v
        else if v == true then "true"
        else if v == false then "false"
        else if v == null then "null"
        else if b.isPath v then b.toString v
        else if b.isList v then
          if v == [ ] then "[ ]"
          else "[" + open + b.concatStringsSep sepItems (map (go inner) v) + close + "]"
        else if b.isFunction v then showFunction v
        else if b.isAttrs v then
          if allowPrettyValues && v ? __pretty && v ? val then v.__pretty v.val
          else if v == { } then "{ }"
          else if v ? __functor then showFunction v
          else if isDerivation v then "<derivation ${v.name or "???"}>"
          else "{" + open
            + b.concatStringsSep sepItems (mapAttrsToList (n: x: "${escapeNixIdentifier n} = ${go inner x};") v)
            + close + "}"
        else throw "generators.toPretty: cannot print a ${b.typeOf v}";
    in go indent;

  # An Apple property list (XML); null values are left out.
  toPlist = { escape ? false }: v:
    let
      esc = s: if escape then lib.strings.escapeXML s else s;
      el = ind: tag: text: "${ind}<${tag}>${text}</${tag}>";
      go = ind: x:
        if b.isBool x then "${ind}<${if x then "true" else "false"}/>"
        else if b.isInt x then el ind "integer" (b.toString x)
        else if b.isFloat x then el ind "real" (b.toString x)
        else if b.isString x || b.isPath x then el ind "string" (esc (b.toString x))
        else if b.isList x then
          "${ind}<array>\n" + b.concatStringsSep "\n" (map (go (ind + "\t")) x) + "\n${ind}</array>"
        else if b.isAttrs x then
          "${ind}<dict>\n"
          + b.concatStringsSep "\n" (mapAttrsToList (k: y: el (ind + "\t") "key" (esc k) + "\n" + go (ind + "\t") y)
              (filterAttrs (_: y: y != null) x))
          + "\n${ind}</dict>"
        else throw "generators.toPlist: cannot convert a ${b.typeOf x} to a plist value";
    in
    ''
      <?xml version="1.0" encoding="UTF-8"?>
      <!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
      <plist version="1.0">
    '' + go "" v + "\n</plist>";

  # Lua text; mkLuaInline embeds a Lua expression as it is. With asBindings the top-level set
  # becomes `name = value` lines (names may be dotted paths of Lua identifiers).
  mkLuaInline = expr: { _type = "lua-inline"; inherit expr; };
  toLua = { multiline ? true, indent ? "", asBindings ? false }@args: v:
    let
      go = ind: x:
        let
          inner = ind + "  ";
          wrap = items:
            if items == [ ] then "{}"
            else if multiline then "{\n" + b.concatStringsSep ",\n" (map (i: inner + i) items) + "\n${ind}}"
            else "{ " + b.concatStringsSep ", " items + " }";
        in
        if x == null then "nil"
        else if b.isBool x then lib.trivial.boolToString x
        else if b.isInt x then b.toString x
        else if b.isFloat x then b.toJSON x
        else if b.isString x || b.isPath x then b.toJSON (b.toString x)
        else if b.isList x then wrap (map (go inner) x)
        else if b.isAttrs x && (x._type or null) == "lua-inline" then "(${x.expr})"
        else if b.isAttrs x && isDerivation x then b.toJSON "${x}"
        else if b.isAttrs x then wrap (mapAttrsToList (k: y: "[${b.toJSON k}] = ${go inner y}") x)
        else throw "generators.toLua: cannot convert a ${b.typeOf x} to Lua";
      validName = n: b.match "[A-Za-z_][A-Za-z0-9_]*([.][A-Za-z_][A-Za-z0-9_]*)*" n != null;
      badNames = b.filter (n: !validName n) (b.attrNames v);
    in
    if asBindings then
      assert lib.asserts.assertMsg (badNames == [ ]) "Bad Lua var names: ${toPretty { } badNames}";
      b.concatStringsSep "" (mapAttrsToList (k: y: "${indent}${k} = ${go indent y}\n") v)
    else go indent v;

  # Dhall text: records, lists, Text, Bool, Natural/Integer.
  toDhall = { }@args: v:
    if b.isAttrs v then
      "{ " + b.concatStringsSep ", " (mapAttrsToList (k: x: "${k} = ${toDhall args x}") v) + " }"
    else if b.isList v then "[ " + b.concatStringsSep ", " (map (toDhall args) v) + " ]"
    else if b.isInt v then (if v < 0 then b.toString v else "+${b.toString v}")
    else if b.isBool v then (if v then "True" else "False")
    else if b.isFunction v then throw "generators.toDhall: cannot convert a function to Dhall"
    else if v == null then throw "generators.toDhall: cannot convert a null to Dhall"
    else b.toJSON v;
}
