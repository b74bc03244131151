# nixpkgs' trivial builders, modelled with their arguments and real content. Each result is a
# derivation-like value whose outPath comes from the host hook `mk`, which records the recipe
# (kind + arguments) so that nix2image can materialise the content (translator/universe/realize.py).
{ lib, hooks, final, system }:
let
  b = builtins;

  mkBuilt = recipe: { passthru ? { }, meta ? { } }:
    let
      outPath = hooks.mk (recipe // { inherit system; });
      self = {
        type = "derivation";
        inherit (recipe) name;
        inherit outPath system meta;
        outputs = [ "out" ];
        out = self;
        outputName = "out";
        __nix2image = { inherit (recipe) kind; };
        override = _: self;
        overrideAttrs = _: self;
        passthru = passthru;
      } // passthru;
    in self;

  # derivation attributes as the builder sees them: paths are copied to the store (as
  # `derivation` does), lists joined by spaces, true is "1"
  envString = v: if b.isPath v then "${v}" else b.toString v;
  envStrings = env: b.mapAttrs (n: v:
    if b.isList v then b.concatStringsSep " " (map envString v)
    else if b.isBool v then (if v then "1" else "")
    else if v == null then ""
    else envString v) (b.removeAttrs env [ "passthru" "meta" "pos" "passAsFile" ]);

  writeTextFile =
    { name, text, executable ? false, destination ? "", checkPhase ? "", meta ? { }, passthru ? { }
    , allowSubstitutes ? false, preferLocalBuild ? true, derivationArgs ? { } }:
    assert lib.assertMsg (destination != "" -> (lib.hasPrefix "/" destination && destination != "/"))
      "destination must be an absolute path, relative to the derivation's out path, got '${destination}' instead.";
    mkBuilt { kind = "text"; inherit name text executable destination checkPhase; } { inherit meta passthru; };


  runCommandWith = { name, env ? { } }: buildCommand:
    mkBuilt {
      kind = "runCommand";
      inherit name buildCommand;
      env = envStrings env;
      inputs = (env.nativeBuildInputs or [ ]) ++ (env.buildInputs or [ ]) ++ (env.propagatedBuildInputs or [ ]);
    } { passthru = env.passthru or { }; meta = env.meta or { }; };

  # inputs as store path strings (a path literal is copied to the store, as Nix does)
  lnInputs = paths: map (p: "${if b.isAttrs p && !(p ? outPath) then p.path else p}") paths;
in
rec {
  inherit writeTextFile;

  writeText = name: text: writeTextFile { inherit name text; };
  writeTextDir = path: text: writeTextFile {
    inherit text;
    name = b.baseNameOf path;
    destination = "/${path}";
  };
  writeScript = name: text: writeTextFile { inherit name text; executable = true; };
  writeScriptBin = name: text: writeTextFile {
    inherit name text;
    executable = true;
    destination = "/bin/${name}";
    meta.mainProgram = name;
  };
  writeShellScript = name: text: writeTextFile {
    inherit name;
    executable = true;
    text = ''
      #!${final.runtimeShell}
      ${text}
    '';
  };
  writeShellScriptBin = name: text: writeTextFile {
    inherit name;
    executable = true;
    destination = "/bin/${name}";
    text = ''
      #!${final.runtimeShell}
      ${text}
    '';
    meta.mainProgram = name;
  };
  writeShellApplication =
    { name, text, runtimeInputs ? [ ], runtimeEnv ? null, meta ? { }, passthru ? { }, checkPhase ? null
    , excludeShellChecks ? [ ], extraShellCheckFlags ? [ ], bashOptions ? [ "errexit" "nounset" "pipefail" ]
    , derivationArgs ? { }, inheritPath ? true }:
    writeTextFile {
      inherit name passthru;
      meta = { mainProgram = name; } // meta;
      executable = true;
      destination = "/bin/${name}";
      text = ''
        #!${final.runtimeShell}
        ${lib.concatMapStringsSep "\n" (option: "set -o ${option}") bashOptions}
      '' + lib.optionalString (runtimeEnv != null)
        (lib.concatStrings (lib.mapAttrsToList (n: v: ''
          ${lib.toShellVar n v}
          export ${n}
        '') runtimeEnv))
      + lib.optionalString (runtimeInputs != [ ]) ''

        export PATH="${lib.makeBinPath runtimeInputs}${lib.optionalString inheritPath ":$PATH"}"
      '' + ''

        ${text}
      '';
    };
  writeStringReferencesToFile = string: writeText "string-references" string;
  writeClosure = paths: mkBuilt { kind = "closureList"; name = "closure"; rootPaths = map (p: "${p}") paths; } { };
  writeReferencesToFile = path: mkBuilt { kind = "closureList"; name = "runtime-deps"; rootPaths = [ "${path}" ]; } { };
  closureInfo = { rootPaths }: mkBuilt {
    kind = "closureInfo";
    name = "closure-info";
    rootPaths = map (p: "${p}") (if b.isList rootPaths then rootPaths else b.attrValues rootPaths);
  } { };
  writeJSON = name: value: writeText name (b.toJSON value);
  # pkgs.writers: scripts with an interpreter line (nixpkgs also lints them; nix2image does not)
  writers =
    let
      script = interpreter: name: text: writeTextFile { inherit name; executable = true; text = "#! ${interpreter}\n${text}"; };
      scriptBin = interpreter: name: text: writeTextFile {
        inherit name; executable = true; destination = "/bin/${name}"; meta.mainProgram = name;
        text = "#! ${interpreter}\n${text}";
      };
      python = libraries: if libraries == [ ] then "${final.python3}/bin/python3"
                          else "${final.python3.withPackages (ps: libraries)}/bin/python3";
    in {
      # TOML and YAML files: their content needs a converter nix2image does not run (remj2/yq)
      writeTOML = name: value: final.mkOpaque "writers.writeTOML" { inherit name; };
      writeYAML = name: value: final.mkOpaque "writers.writeYAML" { inherit name; };
      writeBash = script "${final.bash}/bin/bash";
      writeBashBin = scriptBin "${final.bash}/bin/bash";
      writeDash = script "${final.dash or final.bash}/bin/${if final ? dash then "dash" else "bash"}";
      writeDashBin = scriptBin "${final.dash or final.bash}/bin/${if final ? dash then "dash" else "bash"}";
      writePython3 = name: { libraries ? [ ], ... }: script (python libraries) name;
      writePython3Bin = name: { libraries ? [ ], ... }: scriptBin (python libraries) name;
      writeJSON = name: value: writeText name (b.toJSON value);
      writeText = writeText;
    };

  runCommand = name: env: runCommandWith { inherit name env; };
  runCommandLocal = name: env: runCommandWith { inherit name env; };
  runCommandNoCC = runCommand;
  runCommandNoCCLocal = runCommandLocal;
  runCommandCC = runCommand;
  inherit runCommandWith;

  symlinkJoin = args@{ name ? "${args.pname}-${args.version}", paths, postBuild ? "", passthru ? { }, meta ? { }, ... }:
    mkBuilt {
      kind = "symlinkJoin";
      pos = b.unsafeGetAttrPos "paths" args;
      inherit name postBuild;
      paths = lnInputs paths;
      env = envStrings (b.removeAttrs args [ "name" "paths" "postBuild" "pname" "version" "nativeBuildInputs" "buildInputs" ]);
    } { inherit passthru meta; };

  buildEnv =
    { name, paths, ignoreCollisions ? false, checkCollisionContents ? true, pathsToLink ? [ "/" ]
    , extraOutputsToInstall ? [ ], extraPrefix ? "", postBuild ? "", nativeBuildInputs ? [ ], buildInputs ? [ ]
    , meta ? { }, passthru ? { }, manifest ? "", includeClosures ? false, pname ? null, version ? null }@args:
    let
      outputsOf = drv:
        if !(b.isAttrs drv) || !(drv ? outputs) || (drv.outputSpecified or false) then [ drv ]
        else
          let wanted = lib.unique ((drv.meta.outputsToInstall or [ "out" ]) ++ extraOutputsToInstall);
          in map (o: drv.${o}) (b.filter (o: drv ? ${o}) wanted);
    in
    mkBuilt {
      kind = "buildEnv";
      inherit name ignoreCollisions checkCollisionContents pathsToLink extraPrefix postBuild;
      paths = map (p: "${p}") (b.concatMap outputsOf paths);
      inputs = nativeBuildInputs ++ buildInputs;
      pos = b.unsafeGetAttrPos "name" args;
    } { inherit meta passthru; };

  linkFarm = name: entries:
    let list = if b.isAttrs entries then lib.mapAttrsToList (n: p: { name = n; path = p; }) entries else entries;
    in mkBuilt { kind = "linkFarm"; inherit name; entries = map (e: { inherit (e) name; path = "${e.path}"; }) list; } { };
  linkFarmFromDrvs = name: drvs: linkFarm name (map (d: { name = d.name; path = d; }) drvs);

  copyPathToStore = path: b.path { inherit path; name = b.baseNameOf path; };
  copyPathsToStore = map copyPathToStore;

  substituteAll = args@{ src, ... }:
    mkBuilt {
      kind = "substituteAll";
      name = args.name or (lib.removePrefix "-" (b.elemAt (b.match "(/nix/store/[^-]*)?(.*)" (b.baseNameOf (b.toString src))) 1));
      src = "${src}";
      isExecutable = args.isExecutable or false;
      vars = envStrings (b.removeAttrs args [ "src" "name" "isExecutable" "dir" ]);
      dir = args.dir or "";
    } { };
  replaceVars = src: vars: mkBuilt {
    kind = "substituteAll";
    name = b.baseNameOf (b.toString src);
    src = "${src}";
    isExecutable = false;
    vars = envStrings vars;
    dir = "";
  } { };

  emptyFile = writeText "empty-file" "";
  emptyDirectory = runCommand "empty-directory" { } "mkdir -p $out";
}
