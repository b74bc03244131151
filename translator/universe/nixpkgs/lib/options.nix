# lib.options: declaring options (mkOption and its shorthands), the stock merge functions the
# types build on, and the helpers that print option paths, files and definitions in messages.
# Written from the module system's documented behaviour (nixpkgs manual, lib/tests/modules.sh).
{ lib }:
let
  b = builtins;

  isOption = x: b.isAttrs x && (x._type or "") == "option";

  mkOption = attrs: attrs // { _type = "option"; };

  mkEnableOption = name: mkOption {
    default = false;
    example = true;
    description = "Whether to enable ${name}.";
    type = lib.types.bool;
  };

  # A package option whose default is pkgs.<path>; `name` is a string or an attribute path.
  mkPackageOption = pkgs: name:
    { nullable ? false, default ? name, example ? null, extraDescription ? "", pkgsText ? "pkgs" }:
    let
      namePath = if b.isList name then name else [ name ];
      defaultPath = if b.isList default then default else if default == null then null else [ default ];
      showPath = path: b.concatStringsSep "." ([ pkgsText ] ++ map escapeNixIdentifier path);
      defaultValue = lib.attrByPath defaultPath
        (throw "${showPath defaultPath} cannot be found in ${pkgsText}") pkgs;
      nameText = b.concatStringsSep "." namePath;
    in
    mkOption ({
      type = if nullable then lib.types.nullOr lib.types.package else lib.types.package;
      description = "The ${nameText} package to use."
        + (if extraDescription == "" then "" else " " + extraDescription);
    } // (if defaultPath == null then (if nullable then { default = null; } else { })
          else { default = defaultValue; defaultText = literalExpression (showPath defaultPath); })
      // (if example == null then { }
          else { example = if b.isList example then literalExpression (showPath example) else literalExpression example; }));

  mkPackageOptionMD = mkPackageOption;

  # An option that accepts and ignores anything (for modules that were removed wholesale).
  mkSinkUndeclaredOptions = attrs: mkOption ({
    internal = true;
    visible = false;
    default = false;
    description = "Sink for option definitions.";
    type = lib.types.mkOptionType { name = "sink"; check = _: true; merge = _: _: false; };
    apply = x: throw "Option value is not readable because the option is not declared.";
  } // attrs);

  prioritySuggestion = ''
    Use `lib.mkForce value` or `lib.mkDefault value` to change the priority on any of these definitions.
  '';

  # The historical default: lists concatenate, attribute sets update, booleans or, functions
  # merge their results, anything else must be defined once.
  mergeDefaultOption = loc: defs:
    let list = getValues defs; in
    if b.length list == 1 then b.head list
    else if b.all b.isFunction list then x: mergeDefaultOption loc (map (f: { value = f x; }) defs)
    else if b.all b.isList list then b.concatLists list
    else if b.all b.isAttrs list then b.foldl' (acc: v: acc // v) { } list
    else if b.all b.isBool list then b.foldl' (acc: v: acc || v) false list
    else if b.all b.isString list then b.concatStringsSep "" list
    else if b.all b.isInt list && b.all (v: v == b.head list) list then b.head list
    else throw "Cannot merge definitions of `${showOption loc}'. Definition values:${showDefs defs}";

  mergeUniqueOption = { message, merge ? loc: defs: (b.head defs).value }: loc: defs:
    if b.length defs == 1 then merge loc defs
    else throw "The option `${showOption loc}' is defined multiple times while it's expected to be unique.\n${message}\nDefinition values:${showDefs defs}\n${prioritySuggestion}";

  mergeOneOption = mergeUniqueOption { message = ""; };

  mergeEqualOption = loc: defs:
    if defs == [ ] then abort "This case should never happen."
    else if b.length defs == 1 then (b.head defs).value
    else
      let first = b.head defs; in
      (b.foldl' (acc: def:
        if def.value != acc.value
        then throw "The option `${showOption loc}' has conflicting definition values:${showDefs [ acc def ]}\n${prioritySuggestion}"
        else acc) first (b.tail defs)).value;

  getValues = map (d: d.value);
  getFiles = map (d: d.file);

  literalExpression = text:
    if !b.isString text then throw "literalExpression expects a string."
    else { _type = "literalExpression"; inherit text; };
  literalExample = literalExpression;
  literalMD = text:
    if !b.isString text then throw "literalMD expects a string."
    else { _type = "literalMD"; inherit text; };
  mdDoc = x: x;

  escapeNixIdentifier = lib.strings.escapeNixIdentifier;

  # Option paths: placeholders such as <name> and * stay as they are.
  showOption = parts:
    b.concatStringsSep "." (map (part:
      if part == "*" || b.match "<.*>" part != null then part else escapeNixIdentifier part) parts);

  showFiles = files: b.concatStringsSep " and " (map (f: "`${b.toString f}'") files);

  prettyValue = lib.generators.toPretty { };

  showDefs = defs: b.concatStringsSep "" (map (def:
    let
      shown = b.tryEval (prettyValue def.value);
      lines = b.filter b.isString (b.split "\n" shown.value);
      body =
        if !shown.success then ""
        else if b.length lines > 1 then ":\n" + b.concatStringsSep "\n" (map (l: "    " + l) lines)
        else ": " + shown.value;
    in "\n- In `${b.toString def.file}'${body}") defs);

  showOptionWithDefLocs = opt: ''
    ${showOption opt.loc}, with values defined in:
    ${b.concatStringsSep "\n" (map (f: "  - ${b.toString f}") opt.files)}
  '';

  unknownModule = "<unknown-file>";

  # Drop what cannot be shown in documentation (derivations become their names).
  scrubOptionValue = x:
    if lib.isDerivation x then { type = "derivation"; drvPath = x.name; outPath = x.name; name = x.name; }
    else if b.isList x then map scrubOptionValue x
    else if b.isAttrs x then b.mapAttrs (_: scrubOptionValue) (b.removeAttrs x [ "_args" ])
    else x;

  renderOptionValue = v:
    if v ? _type && (v._type == "literalExpression" || v._type == "literalMD") then v
    else literalExpression (prettyValue v);

  # Flatten an option tree into documentation entries, submodule options included.
  optionAttrSetToDocList = optionAttrSetToDocList' [ ];
  optionAttrSetToDocList' = _: options:
    b.concatMap (opt:
      let
        subOptions = let ss = opt.type.getSubOptions opt.loc; in
          if ss != { } then optionAttrSetToDocList' opt.loc ss else [ ];
        docOption = {
          loc = opt.loc;
          name = showOption opt.loc;
          description = opt.description or null;
          declarations = b.filter (x: x != unknownModule) opt.declarations;
          internal = opt.internal or false;
          visible = if opt ? visible && opt.visible == "shallow" then true else opt.visible or true;
          readOnly = opt.readOnly or false;
          type = opt.type.description or "unspecified";
        }
        // lib.optionalAttrs (opt ? example) { example = renderOptionValue opt.example; }
        // lib.optionalAttrs (opt ? defaultText || opt ? default) {
          default = renderOptionValue (opt.defaultText or opt.default);
        }
        // lib.optionalAttrs (opt ? relatedPackages && opt.relatedPackages != null) { inherit (opt) relatedPackages; };
        subVisible = (opt.visible or true) == true;
      in [ docOption ] ++ (if subVisible then subOptions else [ ]))
      (lib.collect isOption options);
in
{
  inherit isOption mkOption mkEnableOption mkPackageOption mkPackageOptionMD mkSinkUndeclaredOptions
    mergeDefaultOption mergeUniqueOption mergeOneOption mergeEqualOption getValues getFiles
    literalExpression literalExample literalMD mdDoc showOption showFiles showDefs showOptionWithDefLocs
    unknownModule scrubOptionValue optionAttrSetToDocList optionAttrSetToDocList';
}
