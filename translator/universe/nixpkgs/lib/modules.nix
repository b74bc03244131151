# lib.modules: the module system (evalModules) as NixOS, home-manager and flake-parts use it.
#
# A module is a path, a function of the module arguments, or an attribute set with `imports`,
# `options` and `config` (or the shorthand where everything but the keywords is config).
# evalModules loads every module with its imports (deduplicated by key, minus disabledModules),
# merges the option declarations into one tree, and gives each option the merge of its
# definitions: properties (mkIf, mkMerge, mkOverride/mkDefault/mkForce, mkOrder/mkBefore/mkAfter)
# are discharged, only the definitions of the highest priority are kept, the rest are sorted by
# order and handed to the option's type. Definitions without an option are an error unless
# `_module.check` is false or a `freeformType` takes them.
#
# Written from the module system's documented behaviour (NixOS manual, nixpkgs' lib/tests); plain
# Nix that runs under nix2image and Nix alike.
{ lib }:
let
  b = builtins;
  opts = lib.options;
  types = lib.types;
  inherit (opts) showOption showFiles showDefs isOption mkOption unknownModule;

  # ---- properties -----------------------------------------------------------------------------
  defaultOverridePriority = 100;
  defaultOrderPriority = 1000;
  mkOverride = priority: content: { _type = "override"; inherit priority content; };
  mkOptionDefault = mkOverride 1500;
  mkDefault = mkOverride 1000;
  mkImageMediaOverride = mkOverride 60;
  mkForce = mkOverride 50;
  mkVMOverride = mkOverride 10;
  mkOrder = priority: content: { _type = "order"; inherit priority content; };
  mkBefore = mkOrder 500;
  mkAfter = mkOrder 1500;
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };
  mkDefinition = args@{ file, value }: args // { _type = "definition"; };
  mkAssert = assertion: message: content:
    mkIf (if assertion then true else throw "\nFailed assertion: ${message}") content;
  mkFixStrictness = x: x;
  mkDerivedConfig = opt: f: mkOverride (opt.highestPrio or defaultOverridePriority) (f opt.value);

  typeOfProp = v: if b.isAttrs v then v._type or "" else "";

  # Move mkIf/mkMerge/mkOverride on an attribute set down onto its attributes, giving a list of
  # plain attribute sets (whose values may still carry properties).
  pushDownProperties = cfg:
    let t = typeOfProp cfg; in
    if t == "merge" then b.concatMap pushDownProperties cfg.contents
    else if t == "if" then map (b.mapAttrs (_: v: mkIf cfg.condition v)) (pushDownProperties cfg.content)
    else if t == "override" then map (b.mapAttrs (_: v: mkOverride cfg.priority v)) (pushDownProperties cfg.content)
    else [ cfg ];

  # One definition ({ file, value }) -> the definitions left after mkMerge, mkIf and mkDefinition.
  dischargeDefinition = def:
    let v = def.value; t = typeOfProp v; in
    if t == "merge" then b.concatMap (c: dischargeDefinition (def // { value = c; })) v.contents
    else if t == "if" then
      (if !b.isBool v.condition then throw "‘mkIf’ called with a non-Boolean condition"
       else if v.condition then dischargeDefinition (def // { value = v.content; }) else [ ])
    else if t == "definition" then dischargeDefinition { inherit (v) file value; }
    else [ def ];
  dischargeProperties = value: map (d: d.value) (dischargeDefinition { file = unknownModule; inherit value; });

  # Keep the definitions with the best (lowest) override priority.
  filterOverrides' = defs:
    let
      prioOf = def: if typeOfProp def.value == "override" then def.value.priority else defaultOverridePriority;
      highestPrio = b.foldl' (p: def: let q = prioOf def; in if q < p then q else p) 9999 defs;
      strip = def: if typeOfProp def.value == "override" then def // { value = def.value.content; } else def;
    in {
      inherit highestPrio;
      values = b.concatMap (def: if prioOf def == highestPrio then [ (strip def) ] else [ ]) defs;
    };
  filterOverrides = defs: (filterOverrides' defs).values;

  # Order definitions by mkOrder priority (stable).
  sortProperties = defs:
    let
      strip = def: if typeOfProp def.value == "order"
        then def // { value = def.value.content; inherit (def.value) priority; } else def;
    in b.sort (x: y: (x.priority or defaultOrderPriority) < (y.priority or defaultOrderPriority)) (map strip defs);

  # All definitions of one option -> its merged value (and what led to it).
  mergeDefinitions = loc: type: defs: rec {
    defsFinal' =
      let
        discharged = b.concatMap (def:
          b.addErrorContext "while evaluating definitions from `${b.toString def.file}':" (dischargeDefinition def)) defs;
        filtered = filterOverrides' discharged;
      in { values = sortProperties filtered.values; inherit (filtered) highestPrio; };
    defsFinal = defsFinal'.values;
    isDefined = b.length defsFinal > 0;
    mergedValue =
      if isDefined then
        (if b.all (def: type.check def.value) defsFinal then type.merge loc defsFinal
         else throw "A definition for option `${showOption loc}' is not of type `${type.description}'. Definition values:${
           showDefs (b.filter (def: !type.check def.value) defsFinal)}")
      else throw "The option `${showOption loc}' was accessed but has no value defined. Try setting the option.";
    optionalValue = if isDefined then { value = mergedValue; } else { };
  };

  # ---- options ---------------------------------------------------------------------------------
  # Several declarations of one option -> one declaration (types merged, submodules collected).
  mergeOptionDecls = loc: decls:
    b.foldl' (acc: d:
      let
        o = d.options;
        both = k: o ? ${k} && acc ? ${k};
        mergedType = acc.type.typeMerge o.type.functor;
        subModules = o.type.getSubModules or null;
      in
      if both "default" || both "example" || both "description" || both "apply" || (both "type" && mergedType == null)
      then throw "The option `${showOption loc}' in `${b.toString d._file}' is already declared in ${showFiles acc.declarations}."
      else o // acc // {
        declarations = acc.declarations ++ [ d._file ];
        declarationPositions = acc.declarationPositions ++ [
          (if (d.pos or null) != null then d.pos else { file = d._file; line = null; column = null; })
        ];
        options = (if subModules == null then [ ] else map (setDefaultModuleLocation d._file) subModules) ++ acc.options;
      } // (if both "type" then { type = mergedType; } else { }))
      { inherit loc; declarations = [ ]; declarationPositions = [ ]; options = [ ]; } decls;

  # Give a submodule-typed option the modules of all its declarations.
  fixupOptionType = loc: opt:
    if (opt.type.getSubModules or null) == null then opt // { type = opt.type or types.unspecified; }
    else opt // { type = opt.type.substSubModules opt.options; options = [ ]; };

  evalOptionValue = loc: opt: defs:
    let
      withDefault = (if opt ? default then [ { file = b.head ((opt.declarations or [ ]) ++ [ unknownModule ]); value = mkOptionDefault opt.default; } ] else [ ]) ++ defs;
      res =
        if (opt.readOnly or false) && b.length withDefault > 1 then
          throw "The option `${showOption loc}' is read-only, but it's set multiple times. Definition values:${
            showDefs (map (def: def // { value = (mergeDefinitions loc opt.type [ def ]).mergedValue; }) withDefault)}"
        else mergeDefinitions loc opt.type withDefault;
      value = if opt ? apply then opt.apply res.mergedValue else res.mergedValue;
      deprecated = opt.type.deprecationMessage or null;
      warnDeprecated = if deprecated == null then (x: x)
        else lib.warn "The type `types.${opt.type.name}' of option `${showOption loc}' defined in ${showFiles opt.declarations} is deprecated. ${deprecated}";
    in
    warnDeprecated (opt // {
      value = b.addErrorContext "while evaluating the option `${showOption loc}':" value;
      inherit (res.defsFinal') highestPrio;
      definitions = map (def: def.value) res.defsFinal;
      files = map (def: def.file) res.defsFinal;
      definitionsWithLocations = res.defsFinal;
      inherit (res) isDefined;
      __toString = _: showOption loc;
    });

  # The definitions of an attrsOf option, per attribute, with their priority (lazy in values).
  mergeAttrDefinitionsWithPrio = opt:
    let
      perAttr = b.zipAttrsWith (_: defs: defs) (b.concatMap (def:
        map (b.mapAttrs (_: v: { inherit (def) file; value = v; })) (pushDownProperties def.value))
        opt.definitionsWithLocations);
    in
    assert opt.type.name == "attrsOf" || opt.type.name == "lazyAttrsOf";
    b.mapAttrs (k: defs:
      let m = mergeDefinitions (opt.loc ++ [ k ]) opt.type.nestedTypes.elemType defs; in
      { value = m.mergedValue; inherit (m.defsFinal') highestPrio; }) perAttr;

  # ---- loading modules -------------------------------------------------------------------------
  setDefaultModuleLocation = file: m: { _file = file; imports = [ m ]; };
  importApply = modulePath: staticArg: setDefaultModuleLocation modulePath (import modulePath staticArg);

  moduleKeywords = [ "_class" "_file" "key" "disabledModules" "imports" "options" "config" "meta" "freeformType" ];

  # A module's attribute set -> { _file key _class disabledModules imports options config }.
  unifyModuleSyntax = file: key: m:
    let
      withFreeform = cfg: if m ? freeformType then mkMerge [ { _module.freeformType = m.freeformType; } cfg ] else cfg;
      common = {
        _file = b.toString (m._file or file);
        key = b.toString (m.key or key);
        _class = m._class or null;
        disabledModules = m.disabledModules or [ ];
      };
      extra = b.removeAttrs m moduleKeywords;
    in
    if !b.isAttrs m then throw "module ${b.toString file} (${b.toString key}) does not look like a module."
    else if m ? config || m ? options then
      (if extra != { } then
        throw "Module `${b.toString key}' has an unsupported attribute `${b.head (b.attrNames extra)}'. This is caused by introducing a top-level `config' or `options' attribute. Add configuration attributes immediately on the top level instead, or move all of them (namely: ${b.concatStringsSep " " (b.attrNames extra)}) into the explicit `config' attribute."
      else common // {
        imports = m.imports or [ ];
        options = m.options or { };
        config = withFreeform (if m ? meta then mkMerge [ (m.config or { }) { meta = m.meta; } ] else m.config or { });
      })
    else common // {
      imports = (m.require or [ ]) ++ (m.imports or [ ]);
      options = { };
      config = withFreeform (b.removeAttrs m [ "_class" "_file" "key" "disabledModules" "require" "imports" "freeformType" ]);
    };

  # Call a function module with the arguments it names: special arguments and the built-in ones
  # first, then config._module.args.
  applyModuleArgs = key: f: args@{ config, ... }:
    let
      extra = b.mapAttrs (name: _:
        b.addErrorContext "while evaluating the module argument `${name}' in \"${b.toString key}\":"
          (args.${name} or config._module.args.${name})) (lib.functionArgs f);
    in f (args // extra);
  applyModuleArgsIfFunction = key: f: args: if lib.isFunction f then applyModuleArgs key f args else f;

  notAModule = prefix: file: t:
    "Expected a module, but found a value of type ${b.toJSON t}, while trying to load a module into ${b.toString file}${
      if prefix == [ ] then "" else ", while trying to load a module into ${showOption prefix}"}."
    + (if t == "configuration" then ''

      If you really mean to import this configuration, instead please only import the modules that make up the configuration.
      You may have to create a `let` binding, file or attribute to give yourself access to the relevant modules.
      While loading a configuration into the module system is a very sensible idea, it can not be done cleanly in practice.
    '' else "");

  loadModule = args: file: key: m:
    if lib.isFunction m then unifyModuleSyntax file key (applyModuleArgs key m args)
    else if b.isAttrs m && !(m ? outPath && !(m ? _type) && !(m ? imports) && !(m ? config) && !(m ? options)) then
      (let t = m._type or "module"; in
       if t == "module" then unifyModuleSyntax file key m
       else if t == "if" || t == "override" || t == "merge" then unifyModuleSyntax file key { config = m; }
       else throw (notAModule (args._prefix or [ ]) file t))
    else if b.isList m then
      throw "Module imports can't be nested lists. Perhaps you meant to remove one level of lists? Definitions:${showDefs [ { inherit file; value = m; } ]}"
    else let path = b.toString m; in loadModule args path path (import m);

  checkClass = class: m:
    if class != null && m._class != null && m._class != class
    then throw "The module `${m._file}` (class: ${b.toJSON m._class}) cannot be imported into a module evaluation that expects class ${b.toJSON class}."
    else m;

  isStringLikeValue = x: b.isString x || b.isPath x || (b.isAttrs x && (x ? outPath || x ? __toString));

  # What a disabledModules entry names: a key.
  disabledKey = modulesPath: file: m:
    if b.isString m && builtins.substring 0 1 m != "/" then b.toString modulesPath + "/" + m
    else if isStringLikeValue m || b.isInt m || b.isFloat m || b.isBool m || m == null then
      (if b.isAttrs m && m ? key && b.toString m.key != b.toString m
       then throw "Module `${b.toString file}` contains a disabledModules item that can be converted to a string (${b.toString m}) but also has a `key` attribute (${b.toString m.key}) with a different value, so it is ambiguous which module should be disabled."
       else b.toString m)
    else if b.isAttrs m && m ? key then b.toString m.key
    else if b.isAttrs m then
      throw "Module `${b.toString file}` contains a disabledModules item that is an attribute set, presumably a module, that does not have a `key` attribute. The module system cannot tell which module to disable; use a string path relative to modulesPath, a path, or an attribute set with a `key` attribute."
    else throw "A disabledModules item in `${b.toString file}` must be a path, a string, an attribute set with a `key` attribute or a value supported by toString, but it is of type ${b.typeOf m}.";

  importsHint = "while evaluating the module arguments (if you get an infinite recursion here, you probably reference `config` in `imports`; to import conditionally on `config`, import unconditionally and guard the module's effect with `mkEnableOption` and `mkIf`)";

  # Load the modules with their imports: the tree (for `graph`) and the flat, deduplicated list
  # of modules that take part, disabled ones left out.
  collectModules = class: modulesPath: initial: args:
    let
      walk = parentFile: parentKey: ms: lib.imap1 (n: m:
        let
          mod = checkClass class (loadModule args parentFile "${parentKey}:anon-${b.toString n}" m);
          children = walk mod._file mod.key mod.imports;
        in {
          key = mod.key;
          inherit mod children;
          disabledHere = map (disabledKey modulesPath mod._file) mod.disabledModules;
        }) ms;
      tree = walk unknownModule "" initial;
      allDisabled = nodes: b.concatMap (node: node.disabledHere ++ allDisabled node.children) nodes;
      disabledKeys = allDisabled tree;
      keep = b.filter (node: !b.elem node.key disabledKeys);
      closure = b.genericClosure { startSet = keep tree; operator = node: keep node.children; };
      graphOf = nodes: map (node: {
        key = node.key;
        file = node.mod._file;
        imports = graphOf node.children;
        disabled = b.elem node.key disabledKeys;
      }) nodes;
    in {
      modules = map (node: node.mod) closure;
      graph = graphOf tree;
    };

  # ---- merging the option tree ------------------------------------------------------------------
  isOptionDecl = loc: d:
    b.isAttrs d.options && d.options ? _type
    && (d.options._type == "option"
        || throw "In module ${b.toString d._file}: expected an option declaration at option path `${showOption loc}' but got an attribute set with type ${d.options._type}");

  # An option tree declared below a submodule-typed option joins the submodule.
  treeToOption = d:
    if isOption d.options then d
    else d // {
      options = mkOption {
        type = types.submoduleWith { modules = [ { options = d.options; } ]; shorthandOnlyDefinesConfig = null; };
      };
    };

  # decls: [ { _file; options } ] at `prefix`; configs: [ { file; config } ] (properties pushed
  # down). Gives the evaluated options below prefix and the definitions no option took.
  mergeLevel = prefix: decls: configs:
    let
      declsByName = b.zipAttrsWith (_: ds: ds) (map (d:
        if !b.isAttrs d.options then
          throw "An option declaration for `${showOption prefix}' has type `${b.typeOf d.options}' rather than an attribute set. Did you mean to define this outside of `options'?"
        else b.mapAttrs (n: o: { inherit (d) _file; pos = b.unsafeGetAttrPos n d.options; options = o; }) d.options) decls);
      checked = map (c:
        if b.isAttrs c.config then c
        else throw ''
          In module `${b.toString c.file}', you're trying to define a value of type `${b.typeOf c.config}'
          rather than an attribute set for the option
          `${b.concatStringsSep "." prefix}'!

          This usually happens if `${b.concatStringsSep "." prefix}' has option
          definitions inside that are not matched. Please check how to properly define
          this option by e.g. referring to `man 5 configuration.nix'!
        '') configs;
      rawByName = b.zipAttrsWith (_: ds: ds)
        (map (c: b.mapAttrs (_: v: { inherit (c) file; value = v; }) c.config) checked);
      pushedFor = name: b.concatMap (def: map (cfg: { inherit (def) file; config = cfg; }) (pushDownProperties def.value))
        (rawByName.${name} or [ ]);
      results = b.mapAttrs (name: ds:
        let
          loc = prefix ++ [ name ];
          rawDefs = rawByName.${name} or [ ];
          optionDecls = b.filter (isOptionDecl loc) ds;
        in
        if b.length optionDecls == b.length ds then
          { option = evalOptionValue loc (fixupOptionType loc (mergeOptionDecls loc ds)) rawDefs; unmatched = [ ]; }
        else if optionDecls != [ ] then
          (if b.all (d: (d.options.type.name or null) == "submodule") optionDecls then
            { option = evalOptionValue loc (fixupOptionType loc (mergeOptionDecls loc (map treeToOption ds))) rawDefs; unmatched = [ ]; }
          else
            let first = b.head optionDecls; in
            throw "The option `${showOption loc}' in module `${b.toString first._file}' would be a parent of the following options, but its type `${
              first.options.type.description or "<no description>"}' does not support nested options.\n${
              b.concatStringsSep "\n" (b.concatMap (d:
                map (n: "  - option(s) with prefix `${showOption (loc ++ [ n ])}' in module `${b.toString d._file}'")
                  (b.attrNames d.options)) (b.filter (d: !isOption d.options) ds))}")
        else
          let sub = mergeLevel loc ds (pushedFor name); in
          { option = sub.options; unmatched = sub.unmatched; }) declsByName;
      unmatchedByName = b.mapAttrs (_: r: r.unmatched) results // b.removeAttrs rawByName (b.attrNames results);
    in {
      options = b.mapAttrs (_: r: r.option) results;
      unmatched =
        if configs == [ ] then [ ]
        else b.concatLists (map (name: map (def: def // { prefix = [ name ] ++ (def.prefix or [ ]); })
          unmatchedByName.${name}) (b.attrNames unmatchedByName));
    };

  mergeModules = prefix: modules:
    let r = mergeLevel prefix (map (m: { inherit (m) _file options; }) modules)
      (b.concatMap (m: map (c: { file = m._file; config = c; }) (pushDownProperties m.config)) modules);
    in { matchedOptions = r.options; unmatchedDefns = r.unmatched; };

  # ---- evalModules -------------------------------------------------------------------------------
  evalModules = evalArgs@{ modules, prefix ? [ ], args ? { }, specialArgs ? { }, check ? true, class ? null }:
    let
      legacyModules =
        (if evalArgs ? args then [ { config._module.args = args; } ] else [ ])
        ++ (if evalArgs ? check then [ { config._module.check = mkDefault check; } ] else [ ]);
      regularModules = modules ++ legacyModules;

      internalModule = rec {
        _file = b.toString ./modules.nix;
        key = _file;
        options = {
          _module.args = mkOption ({
            type = types.lazyAttrsOf types.raw;
            description = "Additional arguments passed to each module, besides lib, config, options and specialArgs.";
          } // (if prefix == [ ] then { } else { internal = true; }));
          _module.check = mkOption {
            type = types.bool;
            internal = true;
            default = true;
            description = "Whether to check that every option definition has a matching declaration.";
          };
          _module.freeformType = mkOption {
            type = types.nullOr types.optionType;
            internal = true;
            default = null;
            description = "The type of definitions that have no declared option (the freeform part of the configuration).";
          };
          _module.specialArgs = mkOption {
            readOnly = true;
            internal = true;
            description = "The specialArgs given to evalModules.";
          };
        };
        config = {
          _module.args = { inherit extendModules; moduleType = type; };
          _module.specialArgs = specialArgs;
        };
      };

      moduleArgs = {
        inherit lib options specialArgs;
        config = b.addErrorContext importsHint config;
        _class = class;
        _prefix = prefix;
      } // specialArgs;

      collected = collectModules class (specialArgs.modulesPath or "") (regularModules ++ [ internalModule ]) moduleArgs;
      merged = mergeModules prefix (lib.reverseList collected.modules);

      options = merged.matchedOptions;

      config =
        let
          toValues = tree: b.mapAttrs (_: v: if isOption v then v.value else toValues v) tree;
          declared = toValues options;
          freeformType = declared._module.freeformType;
          freeform =
            if merged.unmatchedDefns == [ ] then { }
            else freeformType.merge prefix (map (def: {
              inherit (def) file;
              value = lib.setAttrByPath def.prefix def.value;
            }) merged.unmatchedDefns);
        in
        if freeformType == null then declared else lib.recursiveUpdate freeform declared;

      checkUnmatched =
        if config._module.check && config._module.freeformType == null && merged.unmatchedDefns != [ ] then
          let
            first = b.head merged.unmatchedDefns;
            optText = showOption (prefix ++ first.prefix);
            defText = b.addErrorContext
              "while evaluating the error message for definitions for `${optText}', which is an option that does not exist"
              (b.addErrorContext "while evaluating a definition from `${b.toString first.file}'" (showDefs [ first ]));
            baseMsg = "The option `${optText}' does not exist. Definition values:${defText}";
          in
          if b.attrNames options == [ "_module" ] then
            (if showOption prefix == "" then throw ''
              ${baseMsg}

              It seems as if you're trying to declare an option by placing it into `config' rather than `options'!
            ''
            else throw ''
              ${baseMsg}

              However there are no options defined in `${showOption prefix}'. Are you sure you've
              declared your options properly? This can happen if you e.g. declared your options in `types.submodule'
              under `config' rather than `options'.
            '')
          else throw baseMsg
        else null;
      checked = b.seq checkUnmatched;

      extendModules = extendArgs@{ modules ? [ ], specialArgs ? { }, prefix ? [ ] }:
        evalModules (b.removeAttrs evalArgs [ "args" "check" ] // {
          inherit class;
          modules = regularModules ++ modules;
          specialArgs = (evalArgs.specialArgs or { }) // specialArgs;
          prefix = extendArgs.prefix or evalArgs.prefix or [ ];
        });

      type = types.submoduleWith { inherit modules specialArgs class; };

      warnLegacy = x:
        lib.warnIf (evalArgs ? args) "The args argument to evalModules is deprecated. Please set config._module.args instead."
          (lib.warnIf (evalArgs ? check) "The check argument to evalModules is deprecated. Please set config._module.check instead." x);
    in
    warnLegacy {
      _type = "configuration";
      # reading the options (documentation, getSubOptions) does not check the definitions
      inherit options;
      config = checked (b.removeAttrs config [ "_module" ]);
      _module = checked config._module;
      inherit extendModules type class;
      # the user's modules as loaded (the internal module left out)
      graph = lib.take (b.length regularModules) collected.graph;
    };

  # ---- renaming and removing options ------------------------------------------------------------
  mkAliasIfDef = option: mkIf (isOption option && option.isDefined);
  mkAliasAndWrapDefinitions = wrap: option: mkAliasIfDef option (wrap (mkMerge option.definitions));
  mkAliasDefinitions = mkAliasAndWrapDefinitions (x: x);
  mkAliasAndWrapDefsWithPriority = wrap: option:
    let prio = option.highestPrio or defaultOverridePriority; in
    mkIf option.isDefined (wrap (mkMerge (map (mkOverride prio) option.definitions)));

  doRename = { from, to, visible, warn, use, withPriority ? true, condition ? true }:
    { config, options, ... }:
    let
      fromOpt = lib.getAttrFromPath from options;
      toOf = lib.attrByPath to (abort "Renaming error: option `${showOption to}' does not exist.");
      toType = let opt = lib.attrByPath to { } options; in opt.type or (types.submodule { });
    in {
      options = lib.setAttrByPath from (mkOption {
        inherit visible;
        description = "Alias of {option}`${showOption to}`.";
        apply = x: use (toOf config);
      } // (if toType != null then { type = toType; } else { }));
      config = mkIf condition (mkMerge [
        (if options ? warnings then {
          warnings = if warn && fromOpt.isDefined
            then [ "The option `${showOption from}' defined in ${showFiles fromOpt.files} has been renamed to `${showOption to}'." ]
            else [ ];
        } else { })
        (if withPriority then mkAliasAndWrapDefsWithPriority (lib.setAttrByPath to) fromOpt
         else mkAliasAndWrapDefinitions (lib.setAttrByPath to) fromOpt)
      ]);
    };

  mkAliasOptionModule = from: to: doRename { inherit from to; visible = true; warn = false; use = x: x; };
  mkRenamedOptionModule = from: to: doRename {
    inherit from to;
    visible = false;
    warn = true;
    use = b.trace "Obsolete option `${showOption from}' is used. It was renamed to `${showOption to}'.";
  };
  mkRenamedOptionModuleWith = { sinceRelease, from, to }: doRename {
    inherit from to;
    visible = false;
    warn = true;
    use = lib.warn "Obsolete option `${showOption from}' is used. It was renamed to `${showOption to}'.";
  };
  mkRemovedOptionModule = optionName: replacementInstructions: { options, ... }: {
    options = lib.setAttrByPath optionName (mkOption {
      visible = false;
      apply = x: throw "The option `${showOption optionName}' can no longer be used since it's been removed. ${replacementInstructions}";
    });
    config = if options ? assertions then {
      assertions = let opt = lib.getAttrFromPath optionName options; in [ {
        assertion = !opt.isDefined;
        message = "The option definition `${showOption optionName}' in ${showFiles opt.files} no longer has any effect; please remove it.\n${replacementInstructions}";
      } ];
    } else { };
  };
  mkMergedOptionModule = from: to: mergeFn: { config, options, ... }: {
    options = b.foldl' lib.recursiveUpdate { } (map (path: lib.setAttrByPath path (mkOption {
      visible = false;
      default = "_mkMergedOptionModule";
    })) from);
    config = (if options ? warnings then {
      warnings = b.concatMap (path:
        let opt = lib.getAttrFromPath path options; in
        if opt.value != "_mkMergedOptionModule"
        then [ "The option `${showOption path}' defined in ${showFiles opt.files} has been changed to `${showOption to}' that has a different type. Please read `${showOption to}' documentation and update your configuration accordingly." ]
        else [ ]) from;
    } else { }) // lib.setAttrByPath to (mkMerge
      (if b.any (path: lib.getAttrFromPath path config != "_mkMergedOptionModule") from then [ (mergeFn config) ] else [ ]));
  };
  mkChangedOptionModule = from: to: changeFn: mkMergedOptionModule [ from ] to changeFn;

  fixMergeModules = modules: args: evalModules { inherit modules args; check = false; };
in
{
  inherit evalModules mkOverride mkOptionDefault mkDefault mkImageMediaOverride mkForce mkVMOverride mkOrder
    mkBefore mkAfter mkIf mkMerge mkDefinition mkAssert mkFixStrictness mkDerivedConfig defaultOverridePriority
    defaultOrderPriority pushDownProperties dischargeProperties filterOverrides filterOverrides' sortProperties
    mergeDefinitions mergeOptionDecls fixupOptionType evalOptionValue mergeAttrDefinitionsWithPrio
    setDefaultModuleLocation importApply unifyModuleSyntax applyModuleArgsIfFunction collectModules mergeModules
    mkAliasIfDef mkAliasAndWrapDefinitions mkAliasDefinitions mkAliasAndWrapDefsWithPriority doRename
    mkAliasOptionModule mkRenamedOptionModule mkRenamedOptionModuleWith mkRemovedOptionModule mkMergedOptionModule
    mkChangedOptionModule fixMergeModules;
  defaultPriority = defaultOverridePriority;
  mkAliasOptionModuleMD = mkAliasOptionModule;
}
