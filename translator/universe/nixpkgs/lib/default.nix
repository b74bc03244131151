# The modelled nixpkgs `lib`, laid out as nixpkgs lays it out. Written from nixpkgs' documented
# semantics; plain Nix so that it runs both under nix2image's evaluator and under real Nix (used
# for differential tests, e.g. nixpkgs' own lib/tests/misc.nix).
#
# Convention: every file here is `{ lib }: { ... }` and becomes one sub-library (lib.strings,
# lib.lists, ...). The top level re-exports names with explicit `inherit (lib.X) ...` lists, so
# that a sub-library file is read only when one of its names is used (keep it that way: no `//`
# of whole sub-libraries at the top level). The module system (modules.nix, options.nix,
# types.nix) and systems/ follow the same convention.
let
  b = builtins;
  sub = file: import file { inherit lib; };

  lib = {
    trivial = sub ./trivial.nix;
    fixedPoints = sub ./fixed-points.nix;
    lists = sub ./lists.nix;
    attrsets = sub ./attrsets.nix;
    strings = sub ./strings.nix;
    versions = sub ./versions.nix;
    customisation = sub ./customisation.nix;
    meta = sub ./meta.nix;
    asserts = sub ./asserts.nix;
    debug = sub ./debug.nix;
    derivations = sub ./derivations.nix;
    filesystem = sub ./filesystem.nix;
    cli = sub ./cli.nix;
    path = sub ./path;
    kernel = sub ./kernel.nix;
    fetchers = sub ./fetchers.nix;
    sourceTypes = sub ./source-types.nix;
    teams = { };
    sources = sub ./sources.nix;
    fileset = sub ./fileset;
    generators = sub ./generators.nix;
    licenses = sub ./licenses.nix;
    systems = sub ./systems;
    modules = sub ./modules.nix;
    options = sub ./options.nix;
    types = sub ./types.nix;
    maintainers = { };
    platforms = lib.systems.doubles;

    extend = f: lib.fixedPoints.fix (lib.fixedPoints.extends f (_: lib));

    inherit (lib.trivial) id const flip pipe isFunction functionArgs setFunctionArgs mirrorFunctionArgs
      toFunction warn warnIf throwIf throwIfNot boolToString mergeAttrs inNixShell importJSON importTOML seq
      deepSeq concat and xor bitAnd bitOr bitXor mod compare version release codeName oldestSupportedRelease
      inPureEvalMode splitByAndCompare toBaseDigits toHexString fromHexString add sub lessThan bitNot info
      warnIfNot showWarnings checkListOfEnum mapNullable versionSuffix nixpkgsVersion revisionWithDefault
      isInOldestRelease oldestSupportedReleaseIsAtLeast pathExists genericClosure;
    "or" = lib.trivial."or";
    inherit (lib.fixedPoints) fix extends composeExtensions composeManyExtensions toExtension makeExtensible
      makeExtensibleWithCustomName fix' converge;
    inherit (lib.lists) foldr foldl foldl' optional optionals toList singleton forEach imap0 imap1 concatMap
      flatten remove findSingle findFirst findFirstIndex any all count range replicate partition groupBy
      groupBy' zipListsWith zipLists reverseList sort sortOn take drop takeEnd dropEnd sublist last init unique
      uniqueStrings intersectLists subtractLists mutuallyExclusive head tail elem elemAt length filter genList
      concatLists crossLists min max ifilter0 allUnique fold map imap compareLists naturalSort toposort;
    inherit (lib.attrsets) attrNames attrValues hasAttr getAttr mapAttrs listToAttrs nameValuePair attrByPath
      hasAttrByPath setAttrByPath getAttrFromPath attrVals getAttrs catAttrs filterAttrs filterAttrsRecursive
      foldlAttrs foldAttrs mapAttrs' mapAttrsToList attrsToList concatMapAttrs mapAttrsRecursive
      mapAttrsRecursiveCond genAttrs isDerivation toDerivation optionalAttrs zipAttrsWithNames zipAttrsWith
      zipAttrs recursiveUpdateUntil recursiveUpdate matchAttrs overrideExisting collect recurseIntoAttrs
      dontRecurseIntoAttrs cartesianProduct unionOfDisjoint removeAttrs intersectAttrs getOutput getBin getLib
      getDev getMan mapCartesianProduct longestValidPathPrefix mergeAttrsList updateManyAttrsByPath showAttrPath
      genAttrs' mapAttrsToListRecursive mapAttrsToListRecursiveCond chooseDevOutputs getFirstOutput
      cartesianProductOfSets zipWithNames zip;
    mapAttrsFlatten = lib.trivial.warn "lib.misc.mapAttrsFlatten is deprecated, please use lib.attrsets.mapAttrsToList instead." lib.attrsets.mapAttrsToList;
    inherit (lib.strings) concatStrings concatStringsSep concatMapStrings concatMapStringsSep concatImapStrings
      concatImapStringsSep concatLines intersperse makeSearchPath makeSearchPathOutput makeLibraryPath
      makeIncludePath makeBinPath makePerlPath optionalString hasPrefix hasSuffix hasInfix stringToCharacters
      stringAsChars escape escapeRegex escapeShellArg escapeShellArgs isValidPosixName toShellVar toShellVars
      escapeNixString escapeXML replaceStrings toLower toUpper addContextFrom splitString removePrefix
      removeSuffix versionOlder versionAtLeast getName getVersion nameFromURL enableFeature enableFeatureAs
      withFeature withFeatureAs mesonOption mesonBool cmakeFeature cmakeBool fixedWidthString fixedWidthNumber
      isStorePath isStringLike toIntBase10 trim trimWith fileContents sanitizeDerivationName toSentenceCase
      stringLength substring toString match split lowerChars upperChars toInt splitVersion replaceString
      concatMapAttrsStringSep escapeNixIdentifier isValidNixIdentifier isConvertibleWithToString escapeC escapeURL
      normalizePath toCamelCase readFile compareVersions fromJSON toJSON typeOf storeDir parseDrvName
      unsafeDiscardStringContext replaceChars isCoercibleToString floatToString mesonEnable cmakeOptionType
      readPathsFromFile;
    inherit (lib.customisation) makeOverridable callPackageWith callPackagesWith makeScope
      makeScopeWithSplicing' makeScopeWithSplicing overrideDerivation extendDerivation hydraJob;
    inherit (lib.derivations) lazyDerivation optionalDrvAttr warnOnInstantiate;
    inherit (lib.filesystem) packagesFromDirectoryRecursive pathType pathIsDirectory pathIsRegularFile
      listFilesRecursive;
    inherit (lib.meta) getExe getExe' addMetaAttrs lowPrio hiPrio setName updateName appendToName setPrio
      lowPrioSet hiPrioSet platformMatch availableOn getLicenseFromSpdxId getLicenseFromSpdxIdOr dontDistribute
      mapDerivationAttrset;
    inherit (lib.asserts) assertMsg assertOneOf assertEachOneOf;
    inherit (lib.debug) traceIf traceVal traceValFn traceSeq traceSeqN traceValSeq traceValSeqFn traceValSeqN
      traceValSeqNFn traceFnSeqN runTests testAllTrue;
    inherit (lib.sources) cleanSourceFilter cleanSourceWith cleanSource sourceByRegex sourceFilesBySuffices
      canCleanSource pathIsGitRepo commitIdFromGitRepo pathHasContext;
    inherit (lib.filesystem) haskellPathsInDir;

    # Hashes that never match, for "build once and copy the right hash from the error".
    fakeHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    fakeSha256 = "0000000000000000000000000000000000000000000000000000";
    fakeSha512 = "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";
    # The module system (modules.nix, options.nix, types.nix).
    inherit (lib.modules) evalModules setDefaultModuleLocation unifyModuleSyntax applyModuleArgsIfFunction mergeModules
      mergeOptionDecls mergeDefinitions pushDownProperties dischargeProperties filterOverrides sortProperties
      fixupOptionType mkIf mkAssert mkMerge mkOverride mkOptionDefault mkDefault mkImageMediaOverride mkForce
      mkVMOverride mkFixStrictness mkOrder mkBefore mkAfter mkAliasDefinitions mkAliasAndWrapDefinitions
      fixMergeModules mkRemovedOptionModule mkRenamedOptionModule mkRenamedOptionModuleWith mkMergedOptionModule
      mkChangedOptionModule mkAliasOptionModule mkDerivedConfig doRename mkAliasOptionModuleMD mkDefinition
      evalOptionValue;
    inherit (lib.options) isOption mkEnableOption mkSinkUndeclaredOptions mergeDefaultOption mergeOneOption
      mergeEqualOption mergeUniqueOption getValues getFiles optionAttrSetToDocList optionAttrSetToDocList'
      scrubOptionValue literalExpression literalExample showOption showOptionWithDefLocs showFiles unknownModule
      mkOption mkPackageOption mkPackageOptionMD mdDoc literalMD;
    inherit (lib.types) isType setType defaultTypeMerge defaultFunctor isOptionType mkOptionType;

    isList = b.isList; isAttrs = b.isAttrs; isString = b.isString; isInt = b.isInt; isBool = b.isBool;
    isFloat = b.isFloat; isPath = b.isPath;
  };
in
lib
