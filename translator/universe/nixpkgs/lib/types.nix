# lib.types: option types for the module system. A type is an attribute set with
# `_type = "option-type"`, a `check` on single definitions, a `merge` of all definitions of one
# option, how it describes itself in messages, and how two declarations of it combine
# (`functor`/`typeMerge`). Written from the documented behaviour of nixpkgs' types and the
# expectations of lib/tests/modules.sh and misc.nix; plain Nix for both nix2image and Nix.
{ lib }:
let
  b = builtins;
  opts = lib.options;
  inherit (opts) showOption showFiles showDefs getValues getFiles mergeEqualOption mergeOneOption
    mergeDefaultOption mergeUniqueOption;
  # the module system's own merging of one option's definitions (lazily: modules.nix uses types)
  mergeDefinitions = loc: type: defs: lib.modules.mergeDefinitions loc type defs;

  isType = kind: x: (x._type or "") == kind;
  setType = kind: value: value // { _type = kind; };
  isOptionType = isType "option-type";

  # How a type shows up inside another type's description: bare when its class allows it.
  optionDescriptionPhrase = bare: t:
    if bare (t.descriptionClass or null) then t.description else "(${t.description})";

  warnWrapped = name: value:
    lib.warn "The deprecated `type.functor.wrapped` attribute of the option `${name}` is accessed, use `nestedTypes.elemType` instead." value;

  # Combining two declarations of a type: same constructor, then payloads (or wrapped types).
  defaultTypeMerge = f: f':
    let
      hasPayload = (f.payload or null) != null;
      # our own functors keep `wrapped` only as a warning alias of the payload's element type
      hasWrapped = !(f.wrappedIsAlias or false) && (f.wrapped or null) != null;
    in
    if f.name != f'.name then null
    else if hasPayload && hasWrapped
    then throw "Type ${f.name} defines both `functor.payload` and `functor.wrapped` at the same time, which is not supported."
    else if hasPayload then
      (if (f'.payload or null) == null then null
       else let merged = f.binOp f.payload f'.payload; in if merged == null then null else f.type merged)
    else if hasWrapped then
      (let merged = f.wrapped.typeMerge f'.wrapped.functor; in
       if merged == null then null else f.type merged)
    else f.type;

  defaultFunctor = name: { inherit name; type = types.${name} or null; wrapped = null; payload = null; binOp = a: c: null; };

  # A functor for types built around one element type (listOf, attrsOf, nullOr, ...).
  elemTypeFunctor = name: payload: mk: {
    inherit name payload;
    type = mk;
    binOp = lhs: rhs:
      let t = lhs.elemType.typeMerge rhs.elemType.functor; in
      if t == null then null else lhs // { elemType = t; };
    wrapped = warnWrapped name payload.elemType;
    wrappedIsAlias = true;
  };

  mkOptionType =
    { name, description ? null, descriptionClass ? null, check ? (x: true), merge ? mergeDefaultOption
    , emptyValue ? { }, getSubOptions ? prefix: { }, getSubModules ? null, substSubModules ? m: null
    , typeMerge ? null, functor ? defaultFunctor name, deprecationMessage ? null, nestedTypes ? { } }:
    {
      _type = "option-type";
      inherit name check merge emptyValue getSubOptions getSubModules substSubModules functor
        deprecationMessage nestedTypes descriptionClass;
      description = if description == null then name else description;
      typeMerge = if typeMerge == null then defaultTypeMerge functor else typeMerge;
    };

  mergeTypes = a: c:
    assert isOptionType a && isOptionType c;
    let merged = a.typeMerge c.functor; in
    if merged == null then setType "merge-error" { error = "Cannot merge types"; } else merged;

  addCheck = elemType: check: elemType // { check = x: elemType.check x && check x; };

  isStringLike = x: b.isString x || b.isPath x || (b.isAttrs x && (x ? outPath || x ? __toString));

  # ---- base types --------------------------------------------------------------------------
  raw = mkOptionType { name = "raw"; description = "raw value"; descriptionClass = "noun"; merge = mergeOneOption; };

  anything = mkOptionType {
    name = "anything";
    description = "anything";
    descriptionClass = "noun";
    merge = loc: defs:
      let
        kindOf = v: if b.isAttrs v && isStringLike v then "stringCoercibleSet" else b.typeOf v;
        kind = b.foldl' (k: def:
          if kindOf def.value == k then k
          else throw "The option `${showOption loc}' has conflicting option types in ${showFiles (getFiles defs)}")
          (kindOf (b.head defs).value) defs;
      in
      if kind == "set" then (attrsOf anything).merge loc defs
      else if kind == "lambda" then
        (x: (mergeDefinitions (loc ++ [ "<function body>" ]) anything
              (map (def: def // { value = def.value x; }) defs)).mergedValue)
      else if kind == "stringCoercibleSet" then mergeOneOption loc defs
      else mergeEqualOption loc defs;
  };

  unspecified = mkOptionType { name = "unspecified"; description = "unspecified value"; descriptionClass = "noun"; };

  bool = mkOptionType { name = "bool"; description = "boolean"; descriptionClass = "noun"; check = b.isBool; merge = mergeEqualOption; };

  boolByOr = mkOptionType {
    name = "boolByOr"; description = "boolean (merged using or)"; descriptionClass = "noun"; check = b.isBool;
    merge = loc: defs: b.foldl' (acc: def: acc || def.value) false defs;
  };

  int = mkOptionType { name = "int"; description = "signed integer"; descriptionClass = "noun"; check = b.isInt; merge = mergeEqualOption; };

  intBetween = name: lo: hi: description: addCheck int (x: x >= lo && x <= hi) // { inherit name description; };
  between = lo: hi:
    assert lib.assertMsg (lo <= hi) "ints.between: lowest must be smaller than highest";
    intBetween "intBetween" lo hi "integer between ${b.toString lo} and ${b.toString hi} (both inclusive)";
  unsignedBits = bits: let hi = pow2 bits - 1; in
    intBetween "unsignedInt${b.toString bits}" 0 hi "${b.toString bits} bit unsigned integer; between 0 and ${b.toString hi} (both inclusive)";
  signedBits = bits: let half = pow2 (bits - 1); in
    intBetween "signedInt${b.toString bits}" (0 - half) (half - 1)
      "${b.toString bits} bit signed integer; between ${b.toString (0 - half)} and ${b.toString (half - 1)} (both inclusive)";
  pow2 = n: if n == 0 then 1 else 2 * pow2 (n - 1);
  ints = {
    inherit between;
    unsigned = addCheck int (x: x >= 0) // { name = "unsignedInt"; description = "unsigned integer, meaning >=0"; descriptionClass = "nonRestrictiveClause"; };
    positive = addCheck int (x: x > 0) // { name = "positiveInt"; description = "positive integer, meaning >0"; descriptionClass = "nonRestrictiveClause"; };
    u8 = unsignedBits 8; u16 = unsignedBits 16; u32 = unsignedBits 32;
    s8 = signedBits 8; s16 = signedBits 16; s32 = signedBits 32;
  };
  port = ints.u16;

  float = mkOptionType { name = "float"; description = "floating point number"; descriptionClass = "noun"; check = b.isFloat; merge = mergeEqualOption; };
  number = either int float;
  numbers = {
    between = lo: hi: addCheck number (x: x >= lo && x <= hi) // {
      name = "numberBetween"; description = "integer or floating point number between ${b.toString lo} and ${b.toString hi} (both inclusive)"; };
    nonnegative = addCheck number (x: x >= 0) // { name = "numberNonnegative"; description = "nonnegative integer or floating point number, meaning >=0"; };
    positive = addCheck number (x: x > 0) // { name = "numberPositive"; description = "positive integer or floating point number, meaning >0"; };
  };

  str = mkOptionType { name = "str"; description = "string"; descriptionClass = "noun"; check = b.isString; merge = mergeEqualOption; };
  nonEmptyStr = mkOptionType {
    name = "nonEmptyStr"; description = "non-empty string"; descriptionClass = "noun";
    check = x: str.check x && b.match "[ \t\n]*" x == null; merge = mergeEqualOption;
  };
  singleLineStr = mkOptionType {
    name = "singleLineStr"; description = "(optionally newline-terminated) single-line string"; descriptionClass = "noun";
    check = x: str.check x && b.match "[^\n]*\n?" x != null;
    merge = loc: defs: lib.removeSuffix "\n" (mergeEqualOption loc defs);
  };
  strMatching = pattern: mkOptionType {
    name = "strMatching ${b.toJSON pattern}";
    description = "string matching the pattern ${pattern}";
    descriptionClass = "noun";
    check = x: str.check x && b.match pattern x != null;
    merge = mergeEqualOption;
    functor = defaultFunctor "strMatching" // {
      type = payload: strMatching payload.pattern;
      payload = { inherit pattern; };
      binOp = lhs: rhs: if lhs == rhs then lhs else null;
    };
  };
  separatedString = sep: mkOptionType {
    name = "separatedString";
    description = if sep == "" then "Concatenated string" else "strings concatenated with ${b.toJSON sep}";
    descriptionClass = "noun";
    check = isStringLike;
    merge = loc: defs: b.concatStringsSep sep (getValues defs);
    functor = defaultFunctor "separatedString" // {
      type = payload: separatedString payload.sep;
      payload = { inherit sep; };
      binOp = lhs: rhs: if lhs.sep == rhs.sep then lhs else null;
    };
  };
  lines = separatedString "\n";
  commas = separatedString ",";
  envVar = separatedString ":";
  string = separatedString "" // { name = "string"; deprecationMessage = "See https://github.com/NixOS/nixpkgs/pull/66346 for better alternative types."; };
  passwdEntry = entryType: addCheck entryType (x: !(lib.hasInfix ":" x || lib.hasInfix "\n" x)) // {
    name = "passwdEntry ${entryType.name}";
    description = "${optionDescriptionPhrase (c: c == "noun") entryType}, not containing newlines or colons";
    descriptionClass = "nonRestrictiveClause";
  };

  attrs = mkOptionType {
    name = "attrs"; description = "attribute set"; check = b.isAttrs;
    merge = loc: b.foldl' (acc: def: acc // def.value) { };
    emptyValue = { value = { }; };
  };

  isDerivation = x: (x.type or null) == "derivation";
  isStorePathString = x:
    let s = b.toString x; in
    isStringLike x && b.substring 0 1 s == "/" && storeSuffix s != null;
  # "<storeDir>/<hash>-<name>[/...]" -> the part after the store directory, else null
  storeSuffix = s:
    let dir = b.storeDir + "/"; len = b.stringLength dir; in
    if b.substring 0 len s == dir && b.match "[0-9a-z]{32}-[^/]+(/.*)?" (b.substring len (-1) s) != null
    then b.substring len (-1) s else null;
  package = mkOptionType {
    name = "package"; descriptionClass = "noun";
    check = x: isDerivation x || isStorePathString x;
    merge = loc: defs:
      let res = mergeOneOption loc defs; in
      if b.isPath res || (b.isString res && !b.hasContext res) then lib.toDerivation res else res;
  };
  shellPackage = package // { check = x: isDerivation x && x ? shellPath; };
  pkgs = addCheck (unique { message = "A Nixpkgs pkgs set can not be merged with another pkgs set."; } attrs // {
    name = "pkgs"; descriptionClass = "noun"; description = "Nixpkgs package set";
  }) (x: (x._type or null) == "pkgs");

  # Paths: any, absolute, in the store, or not in it.
  inStorePath = x:
    let s = b.toString x; dir = b.storeDir + "/"; len = b.stringLength dir; in
    b.substring 0 len s == dir && b.match "[^/.][^/]*(/.*)?" (b.substring len (-1) s) != null;
  # CA store paths ("/<52 chars>") count as store paths too.
  caStorePath = x: b.match "/[0-9a-z]{52}(/.*)?" (b.toString x) != null;
  pathWith = { inStore ? null, absolute ? null }:
    if inStore == true && absolute == false then throw "In pathWith, inStore means the path must be absolute"
    else mkOptionType {
      name = "path";
      description =
        (if absolute == true then "absolute " else "")
        + "path"
        + (if inStore == true then " in the Nix store" else if inStore == false then " not in the Nix store" else "");
      descriptionClass = "noun";
      check = x:
        let
          s = b.toString x;
          isAbs = b.substring 0 1 s == "/";
          inStoreNow = b.isPath x || inStorePath x || caStorePath x;
        in
        isStringLike x
        && (if absolute == true then isAbs else true)
        && (if inStore == true then inStoreNow else if inStore == false then !inStoreNow else true)
        && (if absolute == null && inStore == null then (b.isPath x || b.isString x || x ? outPath || x ? __toString) else true);
      merge = mergeEqualOption;
      functor = defaultFunctor "path" // {
        type = pathWith;
        payload = { inherit inStore absolute; };
        binOp = lhs: rhs: if lhs == rhs then lhs else null;
      };
    };
  path = pathWith { absolute = true; } // { description = "path"; };
  pathInStore = pathWith { inStore = true; };
  externalPath = pathWith { inStore = false; absolute = true; } // { name = "externalPath"; };

  # ---- composite types ---------------------------------------------------------------------
  listOf = elemType: mkOptionType {
    name = "listOf";
    description = "list of ${optionDescriptionPhrase (c: c == "noun" || c == "composite") elemType}";
    descriptionClass = "composite";
    check = b.isList;
    merge = loc: defs:
      map (x: x.value) (b.filter (x: x ? value) (b.concatLists (lib.imap1 (n: def:
        lib.imap1 (m: v:
          (mergeDefinitions (loc ++ [ "[definition ${b.toString n}-entry ${b.toString m}]" ]) elemType
            [ { inherit (def) file; value = v; } ]).optionalValue) def.value) defs)));
    emptyValue = { value = [ ]; };
    getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "*" ]);
    getSubModules = elemType.getSubModules;
    substSubModules = m: listOf (elemType.substSubModules m);
    functor = elemTypeFunctor "listOf" { inherit elemType; } (p: listOf p.elemType);
    nestedTypes.elemType = elemType;
  };

  nonEmptyListOf = elemType:
    let list = addCheck (listOf elemType) (l: l != [ ]); in
    list // {
      description = "non-empty ${optionDescriptionPhrase (c: c == "noun") list}";
      emptyValue = { };
      substSubModules = m: nonEmptyListOf (elemType.substSubModules m);
    };

  attrsWith = { elemType, lazy ? false, placeholder ? "name" }: mkOptionType {
    name = if lazy then "lazyAttrsOf" else "attrsOf";
    description = (if lazy then "lazy attribute set" else "attribute set")
      + " of ${optionDescriptionPhrase (c: c == "noun" || c == "composite") elemType}";
    descriptionClass = "composite";
    check = b.isAttrs;
    merge = loc: defs:
      let
        byName = b.zipAttrsWith (n: vs: vs)
          (map (def: b.mapAttrs (n: v: { inherit (def) file; value = v; }) def.value) defs);
        mergeOne = name: mergeDefinitions (loc ++ [ name ]) elemType byName.${name};
      in
      if lazy then
        b.mapAttrs (name: _:
          let m = mergeOne name; in
          if m.isDefined then m.mergedValue else elemType.emptyValue.value or m.mergedValue) byName
      else
        b.mapAttrs (_: m: m.value)
          (lib.filterAttrs (_: m: m ? value) (b.mapAttrs (name: _: (mergeOne name).optionalValue) byName));
    emptyValue = { value = { }; };
    getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "<${placeholder}>" ]);
    getSubModules = elemType.getSubModules;
    substSubModules = m: attrsWith { elemType = elemType.substSubModules m; inherit lazy placeholder; };
    functor = {
      name = "attrsWith";
      type = attrsWith;
      payload = { inherit elemType lazy placeholder; };
      binOp = lhs: rhs:
        let
          t = lhs.elemType.typeMerge rhs.elemType.functor;
          ph = if lhs.placeholder == rhs.placeholder then lhs.placeholder
            else if lhs.placeholder == "name" then rhs.placeholder
            else if rhs.placeholder == "name" then lhs.placeholder
            else null;
        in
        if t == null || lhs.lazy != rhs.lazy || ph == null then null
        else { elemType = t; lazy = lhs.lazy; placeholder = ph; };
      wrapped = warnWrapped (if lazy then "lazyAttrsOf" else "attrsOf") elemType;
      wrappedIsAlias = true;
    };
    nestedTypes.elemType = elemType;
  };
  attrsOf = elemType: attrsWith { inherit elemType; };
  lazyAttrsOf = elemType: attrsWith { inherit elemType; lazy = true; };

  nullOr = elemType: mkOptionType {
    name = "nullOr";
    description = "null or ${optionDescriptionPhrase (c: c == "noun" || c == "conjunction") elemType}";
    descriptionClass = "conjunction";
    check = x: x == null || elemType.check x;
    merge = loc: defs:
      let nulls = b.filter (def: def.value == null) defs; in
      if nulls == [ ] then elemType.merge loc defs
      else if b.length nulls == b.length defs then null
      else throw "The option `${showOption loc}' is defined both null and not null, in ${showFiles (getFiles defs)}.";
    emptyValue = { value = null; };
    getSubOptions = elemType.getSubOptions;
    getSubModules = elemType.getSubModules;
    substSubModules = m: nullOr (elemType.substSubModules m);
    functor = elemTypeFunctor "nullOr" { inherit elemType; } (p: nullOr p.elemType);
    nestedTypes.elemType = elemType;
  };

  functionTo = elemType: mkOptionType {
    name = "functionTo";
    description = "function that evaluates to a(n) ${optionDescriptionPhrase (c: c == "noun" || c == "composite") elemType}";
    descriptionClass = "composite";
    check = lib.isFunction;
    merge = loc: defs:
      let
        args = b.zipAttrsWith (_: vs: b.all (v: v) vs) (map (def: lib.functionArgs def.value) defs);
        body = x: (mergeDefinitions (loc ++ [ "<function body>" ]) elemType
          (map (def: { inherit (def) file; value = def.value x; }) defs)).mergedValue;
      in lib.setFunctionArgs body args;
    getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "<function body>" ]);
    getSubModules = elemType.getSubModules;
    substSubModules = m: functionTo (elemType.substSubModules m);
    functor = elemTypeFunctor "functionTo" { inherit elemType; } (p: functionTo p.elemType);
    nestedTypes.elemType = elemType;
  };

  unique = { message }: type: mkOptionType {
    name = "unique";
    inherit (type) description descriptionClass check emptyValue getSubOptions getSubModules;
    merge = mergeUniqueOption { inherit message; inherit (type) merge; };
    substSubModules = m: unique { inherit message; } (type.substSubModules m);
    functor = elemTypeFunctor "unique" { elemType = type; } (p: unique { inherit message; } p.elemType);
    nestedTypes.elemType = type;
  };
  uniq = unique { message = ""; };

  enum = values:
    let
      show = v: if b.isString v then ''"${v}"'' else if b.isInt v then b.toString v
        else if b.isBool v then (if v then "true" else "false") else "<${b.typeOf v}>";
    in mkOptionType {
      name = "enum";
      description =
        if values == [ ] then "impossible (empty enum)"
        else if b.length values == 1 then "value ${show (b.head values)} (singular enum)"
        else "one of ${b.concatStringsSep ", " (map show values)}";
      descriptionClass = if b.length values < 2 then "noun" else "conjunction";
      check = x: b.elem x values;
      merge = mergeEqualOption;
      functor = defaultFunctor "enum" // {
        type = payload: enum payload.values;
        payload = { inherit values; };
        binOp = lhs: rhs: { values = lib.unique (lhs.values ++ rhs.values); };
      };
    };

  either = t1: t2: mkOptionType {
    name = "either";
    description =
      if t1.descriptionClass or null == "nonRestrictiveClause"
      then "${t1.description}, or ${optionDescriptionPhrase (c: c == "noun" || c == "conjunction") t2}"
      else "${optionDescriptionPhrase (c: c == "noun" || c == "conjunction") t1} or ${optionDescriptionPhrase (c: c == "noun" || c == "conjunction" || c == "composite") t2}";
    descriptionClass = "conjunction";
    check = x: t1.check x || t2.check x;
    merge = loc: defs:
      let values = getValues defs; in
      if b.all t1.check values then t1.merge loc defs
      else if b.all t2.check values then t2.merge loc defs
      else mergeOneOption loc defs;
    typeMerge = f':
      if f'.name != "either" then null
      else
        let
          m1 = t1.typeMerge (b.elemAt f'.payload.elemType 0).functor;
          m2 = t2.typeMerge (b.elemAt f'.payload.elemType 1).functor;
        in if m1 == null || m2 == null then null else either m1 m2;
    functor = {
      name = "either";
      type = p: either (b.elemAt p.elemType 0) (b.elemAt p.elemType 1);
      payload = { elemType = [ t1 t2 ]; };
      binOp = _: _: null;
      wrapped = warnWrapped "either" [ t1 t2 ];
      wrappedIsAlias = true;
    };
    nestedTypes = { left = t1; right = t2; };
  };
  oneOf = ts:
    if ts == [ ] then throw "types.oneOf needs to get at least one type in its argument"
    else b.foldl' either (b.head ts) (b.tail ts);

  coercedTo = coercedType: coerceFunc: finalType:
    assert lib.assertMsg (coercedType.getSubModules == null)
      "coercedTo: coercedType must not have submodules (it's a ${coercedType.description})";
    mkOptionType {
      name = "coercedTo";
      description = "${optionDescriptionPhrase (c: c == "noun") finalType} or ${optionDescriptionPhrase (c: c == "noun") coercedType} convertible to it";
      check = x: (coercedType.check x && finalType.check (coerceFunc x)) || finalType.check x;
      merge = loc: defs:
        finalType.merge loc (map (def: def // {
          value = if coercedType.check def.value then coerceFunc def.value else def.value;
        }) defs);
      inherit (finalType) emptyValue getSubOptions getSubModules;
      substSubModules = m: coercedTo coercedType coerceFunc (finalType.substSubModules m);
      typeMerge = _: null;
      functor = defaultFunctor "coercedTo" // { wrapped = warnWrapped "coercedTo" finalType; };
      nestedTypes = { inherit coercedType finalType; };
    };

  # The type of types: several declarations of one type-valued option merge their types.
  optionType = mkOptionType {
    name = "optionType";
    description = "optionType";
    descriptionClass = "noun";
    check = isOptionType;
    merge = loc: defs:
      if b.length defs == 1 then (b.head defs).value
      else
        (lib.modules.fixupOptionType loc (lib.modules.mergeOptionDecls loc (map (def: {
          _file = def.file;
          options = opts.mkOption { type = def.value; };
        }) defs))).type;
  };

  # ---- modules as values ---------------------------------------------------------------------
  submodule = modules: submoduleWith { shorthandOnlyDefinesConfig = true; modules = lib.toList modules; };

  submoduleWith =
    { modules, specialArgs ? { }, shorthandOnlyDefinesConfig ? false, description ? null, class ? null }@attrs:
    let
      asModules = defs: map (def:
        if shorthandOnlyDefinesConfig == true && b.isAttrs def.value
        then { _file = def.file; config = def.value; }
        else { _file = def.file; imports = [ def.value ]; }) defs;
      base = lib.modules.evalModules {
        inherit class specialArgs;
        modules = [ { _module.args.name = lib.modules.mkOptionDefault "‹name›"; } ] ++ modules;
      };
      # read through the options: describing the type must not check the modules' definitions
      freeformType = base.options._module.freeformType.value;
      name = "submodule";
    in
    mkOptionType {
      inherit name;
      description = if description != null then description else freeformType.description or name;
      check = x: b.isAttrs x || b.isFunction x || b.isPath x || (b.isString x && b.substring 0 1 x == "/");
      merge = loc: defs:
        (base.extendModules {
          modules = [ { _module.args.name = lib.last loc; } ] ++ asModules defs;
          prefix = loc;
        }).config;
      emptyValue = { value = { }; };
      getSubOptions = prefix:
        (base.extendModules { inherit prefix; }).options
        // lib.optionalAttrs (freeformType != null) { _freeformOptions = freeformType.getSubOptions prefix; };
      getSubModules = modules;
      substSubModules = m: submoduleWith (attrs // { modules = m; });
      nestedTypes = lib.optionalAttrs (freeformType != null) { inherit freeformType; };
      functor = defaultFunctor name // {
        type = submoduleWith;
        payload = { inherit modules class specialArgs shorthandOnlyDefinesConfig description; };
        binOp = lhs: rhs: {
          class =
            if lhs.class == null then rhs.class
            else if rhs.class == null || lhs.class == rhs.class then lhs.class
            else throw "A submoduleWith option is declared multiple times with conflicting class values \"${b.toString lhs.class}\" and \"${b.toString rhs.class}\".";
          modules = lhs.modules ++ rhs.modules;
          specialArgs =
            let shared = b.intersectAttrs lhs.specialArgs rhs.specialArgs; in
            if shared == { } then lhs.specialArgs // rhs.specialArgs
            else throw "A submoduleWith option is declared multiple times with the same specialArgs \"${b.toString (b.attrNames shared)}\"";
          shorthandOnlyDefinesConfig =
            if lhs.shorthandOnlyDefinesConfig == null then rhs.shorthandOnlyDefinesConfig
            else if rhs.shorthandOnlyDefinesConfig == null || lhs.shorthandOnlyDefinesConfig == rhs.shorthandOnlyDefinesConfig
            then lhs.shorthandOnlyDefinesConfig
            else throw "A submoduleWith option is declared multiple times with conflicting shorthandOnlyDefinesConfig values";
          description =
            if lhs.description == null then rhs.description
            else if rhs.description == null || lhs.description == rhs.description then lhs.description
            else throw "A submoduleWith option is declared multiple times with conflicting descriptions";
        };
      };
    };

  deferredModuleWith = { staticModules ? [ ] }@attrs: mkOptionType {
    name = "deferredModule";
    description = "module";
    descriptionClass = "noun";
    check = x: b.isAttrs x || b.isFunction x || b.isPath x || b.isString x;
    merge = loc: defs: {
      imports = staticModules ++ map (def:
        lib.modules.setDefaultModuleLocation "${b.toString def.file}, via option ${showOption loc}" def.value) defs;
    };
    inherit (submoduleWith { modules = staticModules; }) getSubOptions getSubModules;
    substSubModules = m: deferredModuleWith (attrs // { staticModules = m; });
    functor = defaultFunctor "deferredModuleWith" // {
      type = deferredModuleWith;
      payload = { inherit staticModules; };
      binOp = lhs: rhs: { staticModules = lhs.staticModules ++ rhs.staticModules; };
    };
  };
  deferredModule = deferredModuleWith { };

  # An attribute set with exactly one attribute, whose name picks the option it is checked as.
  attrTag = tags:
    let
      # each tag is an option; it is declared where the tag is written
      checked = b.mapAttrs (n: opt:
        let pos = b.unsafeGetAttrPos n tags; in
        if opts.isOption opt then opt // {
          declarations = opt.declarations or (if pos == null then [ ] else [ pos.file ]);
          declarationPositions = opt.declarationPositions or (if pos == null then [ ] else [ pos ]);
        }
        else if isOptionType opt then throw "In attrTag, each tag value must be an option, but tag ${n} was a bare type, not wrapped in mkOption."
        else throw "In attrTag, each tag value must be an option, but tag ${n} was of type ${b.typeOf opt}.") tags;
    in
    attrTagOf checked;
  attrTagOf = checked: mkOptionType {
    name = "attrTag";
    description = "attribute-tagged union";
    descriptionClass = "noun";
    check = v: b.isAttrs v && b.length (b.attrNames v) == 1 && checked ? ${b.head (b.attrNames v)};
    merge = loc: defs:
      if b.length defs != 1 then
        throw "A definition for option `${showOption loc}' is not of type `attribute-tagged union'. Definition values:${showDefs defs}"
      else
        let def = b.head defs; tag = b.head (b.attrNames def.value); opt = checked.${tag}; in
        {
          ${tag} = (lib.modules.evalOptionValue (loc ++ [ tag ]) opt
            [ { inherit (def) file; value = def.value.${tag}; } ]).value;
        };
    getSubOptions = prefix: b.mapAttrs (tag: opt: opt // { loc = prefix ++ [ tag ]; }) checked;
    nestedTypes = checked;
    functor = defaultFunctor "attrTag" // {
      type = { tags, ... }: attrTagOf tags;
      payload = { tags = checked; };
      # both declarations' tags; a tag declared in both merges as two declarations of an option
      binOp = x: y: {
        tags = x.tags // y.tags // b.mapAttrs (tag: _:
          let
            asDecl = o: { _file = b.head (o.declarations ++ [ opts.unknownModule ]); pos = b.head (o.declarationPositions ++ [ null ]); options = o; };
            merged = lib.modules.mergeOptionDecls [ tag ] [ (asDecl x.tags.${tag}) (asDecl y.tags.${tag}) ];
          in
          b.removeAttrs (lib.modules.fixupOptionType [ tag ] merged) [ "loc" "options" ]
          // {
            declarations = x.tags.${tag}.declarations ++ y.tags.${tag}.declarations;
            declarationPositions = x.tags.${tag}.declarationPositions ++ y.tags.${tag}.declarationPositions;
          }) (b.intersectAttrs x.tags y.tags);
      };
    };
  };

  types = {
    inherit isType setType isOptionType mkOptionType mergeTypes defaultTypeMerge defaultFunctor addCheck
      optionDescriptionPhrase
      raw anything unspecified bool boolByOr int ints port float number numbers str nonEmptyStr singleLineStr
      strMatching separatedString lines commas envVar string passwdEntry attrs package shellPackage pkgs
      pathWith path pathInStore externalPath listOf nonEmptyListOf attrsWith attrsOf lazyAttrsOf nullOr functionTo
      unique uniq enum either oneOf coercedTo optionType submodule submoduleWith deferredModule deferredModuleWith
      attrTag;
    null = mkOptionType { name = "null"; description = "null"; descriptionClass = "noun"; check = x: x == null; merge = mergeEqualOption; };
    loaOf = attrsOf;
    inherit (ints) unsigned positive u8 u16 u32 s8 s16 s32;
    signedInt = int;
  };
in
types
