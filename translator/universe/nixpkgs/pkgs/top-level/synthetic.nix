# The open world's stand-ins: `synth "attr.path"` is a labelled synthetic package for a package
# the catalog lacks (see translator/universe/openworld.py for when it is asked). Its runtime
# closure follows what the package set says about its kind: a Python package depends on its
# set's interpreter, a Node package on nodejs, a Haskell one on gmp/libffi/glibc, an Erlang/Elixir
# one on erlang, anything else (a C program) on glibc. A stand-in is itself an open set (so that
# `pkgs.haskell.lib.justStaticExecutables` or `pkgs.php84.extensions.pdo` work) and callable:
#   - given a derivation it returns that derivation (functions of package sets that take a
#     package mostly transform it: justStaticExecutables, dontCheck, overrideCabal, ...),
#   - given builder arguments (an attrset with `name`/`pname`, or `finalAttrs: { ... }`) it is an
#     unknown builder and returns an opaque package of that name (content via --bind),
#   - `withPackages f` gives an environment of the interpreter and the chosen packages,
#   - anything else returns the stand-in itself.
{ lib, hooks, final, opaquePackage, mkOpaqueWith, runtimes, system, catalogTree ? { } }:
let
  b = builtins;
  opt = n: if final ? ${n} then [ final.${n} ] else [ ];
  match = re: s: b.match re s != null;

  runtimeOf = parts:
    let
      first = b.head parts;
      py = lib.findFirst (p: match "python[0-9]*(Packages)?|python[0-9]*Full|pypy[0-9]*(Packages)?" p) null parts;
      interp = if py == null then null else b.head (b.match "([a-z]+[0-9]*).*" py);
    in
    if b.length parts == 1 then opt "glibc"   # a top-level program or interpreter: C on glibc
    else if py != null then (if final ? ${interp} then [ final.${interp} ] else opt "python3")
    else if match "nodePackages.*|node[0-9_]*Packages" first then opt "nodejs"
    else if match "perl[0-9]*Packages" first then opt "perl"
    else if match "haskell|haskellPackages" first then opt "gmp" ++ opt "libffi" ++ opt "glibc"
    else if match "beam|beamPackages|beam[0-9_]*Packages|elixir.*|erlang.*" first then opt "erlang"
    else if match "ruby.*|gems|rubyPackages.*" first then opt "ruby"
    else if match "php[0-9]*(Packages|Extensions)?|php[0-9]*" first then opt "php"
    else if match "lua.*Packages|luajitPackages" first then opt "lua"
    else if match "goPackages|go_[0-9_]*Packages" first then [ ]
    else opt "glibc";

  synth = path:
    let
      parts = lib.splitString "." path;
      last = lib.last parts;
      parentPath = lib.concatStringsSep "." (lib.init parts);
      pkg = opaquePackage {
        builder = "placeholder for pkgs.${path}";
        name = last;
        pname = last;
        version = "0";
        inherit system;
        synthetic = true;
        stdenv = final.stdenv;
        deps = runtimeOf parts;
        meta = { description = "nix2image stand-in for pkgs.${path}, which the catalog lacks"; };
      };
      # a package given to a function of an unknown set: that package, open for what the
      # function's result would add (`(emacsPackagesFor emacs).emacsWithPackages`)
      call = self: arg:
        if lib.isDerivation arg then
          hooks.open { prefix = path; inherit synth; synthetic = true; } (arg // { __functor = s: _: s; })
        else if last == "withPackages" && lib.isFunction arg && parentPath != "" then
          final.buildEnv {
            name = "${lib.last (lib.init parts)}-env";
            paths = [ (synth parentPath) ] ++ arg (synth "${parentPath}.pkgs");
          }
        # `finalAttrs: { ... }` builder arguments (a function with formals is no fixed point)
        else if b.isFunction arg && b.functionArgs arg == { } && named (lib.fix arg) then builderCall (lib.fix arg)
        else if named arg then builderCall arg
        else self;
      named = a: b.isAttrs a && !(a ? type) && (b.isString (a.pname or null) || b.isString (a.name or null));
      # an unknown builder's output runs on its toolchain's runtime, guessed from the builder's name
      runtime =
        if match "buildGo.*|.*[Gg]omod.*" last then runtimes.go
        else if match "(build|mk)(Maven|Gradle).*|.*[Gg]radle.*|maven.*" path then runtimes.jvm
        else if match "(build|mk)(Npm|Yarn|Node|Bun|Pnpm).*" last then runtimes.node
        else if match ".*([Rr]ust|[Cc]argo|[Cc]rane|naersk|Trunk).*" path then runtimes.rust
        else if match "(build|mk)Python.*|.*[Pp]oetry.*" last then runtimes.python (final.python3 or null)
        else if match ".*(mixRelease|buildMix|rebar).*" last then runtimes.beam
        else runtimes.c;
      builderCall = args: mkOpaqueWith runtime "pkgs.${path} (not modelled)" args;
      # what the catalog knows below this path (`bind.dnsutils` below a missing `bind`)
      known = let k = lib.attrByPath parts null catalogTree; in
        if b.isAttrs k && !(k ? type) then k else { };
      # overriding a stand-in keeps it a stand-in (open, callable); a new version renames it
      result = hooks.open { prefix = path; inherit synth; synthetic = true; } (pkg // known // {
        __functor = call;
        override = _: result;
        overrideAttrs = f: hooks.open { prefix = path; inherit synth; synthetic = true; }
          (pkg.overrideAttrs f // known // { __functor = call; override = _: result; });
      });
    in
    result;
in
synth
