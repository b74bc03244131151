# dockerTools, modelled: every image function returns a derivation-like value (usable as
# `fromImage`, with imageName/imageTag/outPath) that carries the arguments it was called with,
# nixpkgs' defaults applied and checked as nixpkgs checks them. nix2image's spec extraction
# (translator/universe/spec_extract.py) reads `__nix2image.args`; the backends build the image.
{ lib, hooks, final, hostPlatform, ... }:
let
  b = builtins;
  defaultArchitecture = hostPlatform.dockerArch;
  epoch = "1970-01-01T00:00:01Z";

  # what mk hashes: the arguments without functions (recipes are data)
  dataOf = v:
    if lib.isFunction v then "<function>"
    else if b.isList v then map dataOf v
    else if b.isAttrs v then (if v ? outPath then "${v}" else b.mapAttrs (_: dataOf) v)
    else v;

  # `old: { ... }` or `final: prev: { ... }` over what an image derivation's overrideAttrs sees
  applyOverride = prev: f':
    let f = lib.toFunction f'; r = f prev; in
    if lib.isFunction r then (let fin = prev // ext; ext = f fin prev; in ext) else r;
  # an image derivation's own attributes, as overrideAttrs' `old` sees them: the image is the
  # same; `name`, `passthru` and `meta` follow the override (a changed build script cannot be
  # followed, the backends build the image)
  overridable = self: prevAttrs: remake: self // {
    overrideAttrs = f:
      let new = applyOverride prevAttrs f; in
      remake (new.name or prevAttrs.name) (prevAttrs.passthru // (new.passthru or { })) (new.meta or prevAttrs.meta);
  };

  mkImage = builder: outName: args: extra:
    let
      outPath = hooks.mk { kind = "image"; name = outName; inherit builder; system = hostPlatform.system; args = dataOf args; };
      prevAttrs = { name = outName; passthru = args.passthru or { }; meta = args.meta or { };
                    buildCommand = ""; nativeBuildInputs = [ ]; };
      self = overridable self' prevAttrs (name: passthru: meta:
        mkImage builder name (args // { inherit passthru meta; }) extra);
      self' = {
        type = "derivation";
        name = outName;
        inherit outPath;
        outputs = [ "out" ];
        out = self;
        outputName = "out";
        system = hostPlatform.system;
        imageName = lib.toLower (args.name or "");
        imageTag = if (args.tag or null) != null then args.tag
                   else b.unsafeDiscardStringContext (b.head (lib.splitString "-" (b.baseNameOf outPath)));
        meta = args.meta or { };
        # call: the attribute set the caller wrote (its positions say where each argument came from)
        __nix2image = { kind = "image"; inherit builder args; call = extra.__call or { }; };
        passthru = args.passthru or { };
        override = _: self;
      } // (args.passthru or { }) // b.removeAttrs extra [ "__call" ];
    in self;

  toList = x: if x == null then [ ] else if b.isList x then x else [ x ];

  baseNameOfImage = name: b.baseNameOf name;

  streamLayeredImage' = builder: outName:
    { name, tag ? null, fromImage ? null, contents ? [ ], config ? { }, architecture ? defaultArchitecture
    , created ? epoch, mtime ? epoch, uid ? 0, gid ? 0, uname ? "root", gname ? "root", maxLayers ? 100
    , extraCommands ? "", fakeRootCommands ? "", enableFakechroot ? false, includeStorePaths ? true
    , includeNixDB ? false, passthru ? { }, meta ? { }, layeringPipeline ? null, debug ? false
    , copyToRoot ? null }@args:
    assert lib.assertMsg (maxLayers > 1)
      "the maxLayers argument of dockerTools.buildLayeredImage function must be greather than 1 (current value: ${b.toString maxLayers})";
    # newer nixpkgs: `copyToRoot` (as in buildImage) is copied to the root like `contents`
    mkImage builder (outName (baseNameOfImage name)) {
      contents = if copyToRoot == null then contents else toList contents ++ toList copyToRoot;
      inherit name tag fromImage config architecture created mtime uid gid uname gname maxLayers
        extraCommands fakeRootCommands enableFakechroot includeStorePaths includeNixDB passthru meta
        layeringPipeline debug;
      contentsGiven = args ? contents || copyToRoot != null;
    } ({ __call = args; } // lib.optionalAttrs (builder == "streamLayeredImage") { isExe = true; });

  streamLayeredImage = streamLayeredImage' "streamLayeredImage" (n: "stream-${n}");

  buildLayeredImage = args@{ name, compressor ? "gz", ... }:
    streamLayeredImage' "buildLayeredImage" (n: "${n}.tar.${if compressor == "none" then "" else compressor}")
      (b.removeAttrs args [ "compressor" ]) // { inherit compressor; };

  buildImage' = builder:
    args@{ name, tag ? null, fromImage ? null, fromImageName ? null, fromImageTag ? null, copyToRoot ? null
    , keepContentsDirlinks ? false, config ? null, architecture ? defaultArchitecture, runAsRoot ? null
    , diskSize ? 1024, buildVMMemorySize ? 512, extraCommands ? "", uid ? 0, gid ? 0, contents ? null
    , created ? epoch, includeStorePaths ? true, meta ? { }, passthru ? { }, compressor ? "gz", includeNixDB ? false }:
    let
      checked =
        lib.warnIf (contents != null)
          "in docker image ${name}: the contents parameter of buildImage is deprecated; use copyToRoot (e.g. copyToRoot = buildEnv { ... })"
        lib.throwIf (contents != null && copyToRoot != null)
          "in docker image ${name}: You can not specify both contents and copyToRoot.";
    in checked (mkImage builder "docker-image-${baseNameOfImage name}.tar${if compressor == "none" then "" else ".${compressor}"}" ({
      inherit name tag fromImage fromImageName fromImageTag copyToRoot keepContentsDirlinks config architecture
        runAsRoot diskSize buildVMMemorySize extraCommands uid gid contents created includeStorePaths meta passthru
        compressor includeNixDB;
    } // lib.optionalAttrs (runAsRoot != null) {
      # what nixpkgs' shellScript wrapper runs the script with: #!${runtimeShell}, PATH=${coreutils}/bin:/bin
      runAsRootShell = final.runtimeShell;
      runAsRootPath = "${final.coreutils}/bin:/bin";
    }) { __call = args; });

  buildImage = buildImage' "buildImage";

  nixDbCommands = contentsList: ''
    # nix2image: a Nix database registering the image's store paths is written by the backend
  '';
in
rec {
  inherit buildImage buildLayeredImage streamLayeredImage;

  buildImageWithNixDb = args: buildImage' "buildImageWithNixDb" (args // { includeNixDB = true; });
  buildLayeredImageWithNixDb = args: streamLayeredImage' "buildLayeredImageWithNixDb"
    (n: "${n}.tar.gz") ((b.removeAttrs args [ "compressor" ]) // { includeNixDB = true; });
  # An image with the build environment of `drv` (what `nix-shell` would give): its inputs and
  # a shell on PATH, the shell as the command. The environment file nixpkgs generates from the
  # derivation's attributes is not written (it needs the derivation's full build environment).
  streamNixShellImage =
    { drv, name ? drv.name + "-env", tag ? null, uid ? 1000, gid ? 1000, homeDirectory ? "/build"
    , shell ? final.bashInteractive + "/bin/bash", command ? null, run ? null }:
    let
      inputs = b.filter lib.isDerivation (lib.flatten [ (drv.buildInputs or [ ]) (drv.nativeBuildInputs or [ ])
                                                      (drv.propagatedBuildInputs or [ ]) ]);
    in streamLayeredImage {
      inherit name tag;
      contents = [ final.bashInteractive final.coreutils ] ++ inputs;
      config = {
        Cmd = if command != null then [ shell "-c" command ] else if run != null then [ shell "-c" run ] else [ shell ];
        User = "${b.toString uid}:${b.toString gid}";
        WorkingDir = homeDirectory;
        Env = [ "HOME=${homeDirectory}" "PATH=${lib.makeBinPath ([ final.bashInteractive final.coreutils ] ++ inputs)}" ];
      };
    };
  buildNixShellImage = args@{ compressor ? "gz", ... }:
    let s = streamNixShellImage (b.removeAttrs args [ "compressor" ]); in
    buildLayeredImage (b.removeAttrs s.__nix2image.args [ "contentsGiven" ] // { inherit compressor; });

  pullImage =
    args@{ imageName, imageDigest, sha256 ? "", hash ? "", os ? "linux", arch ? defaultArchitecture
    , finalImageName ? imageName, finalImageTag ? "latest", tlsVerify ? true
    , name ? lib.sanitizeDerivationName "docker-image-${finalImageName}-${finalImageTag}.tar" }:
    let
      outPath = hooks.mk { kind = "pull"; inherit name imageName imageDigest sha256 hash os arch finalImageName finalImageTag; system = hostPlatform.system; };
      self = overridable self' { inherit name; passthru = { }; meta = { }; buildCommand = ""; nativeBuildInputs = [ ]; }
        (name': passthru: meta: pullImage args // passthru // { inherit passthru meta; });
      self' = {
        type = "derivation";
        inherit name outPath;
        outputs = [ "out" ];
        out = self;
        passthru = { };
        meta = { };
        imageName = finalImageName;
        imageTag = finalImageTag;
        __nix2image = {
          kind = "image";
          builder = "pullImage";
          args = { inherit imageName imageDigest sha256 hash os arch finalImageName finalImageTag tlsVerify name; };
        };
      };
    in self;

  mergeImages = images: mkImage "mergeImages" "merge-docker-images" { name = "merged"; inherit images; } { };

  exportImage = { name ? fromImage.name, fromImage, fromImageName ? null, fromImageTag ? null, diskSize ? 1024 }:
    mkImage "exportImage" name { inherit name fromImage fromImageName fromImageTag diskSize; } { };

  # helpers for image contents --------------------------------------------------
  binSh = final.runCommand "bin-sh" { } ''
    mkdir -p $out/bin
    ln -s ${final.bashInteractive}/bin/bash $out/bin/sh
  '';

  usrBinEnv = final.runCommand "usr-bin-env" { } ''
    mkdir -p $out/usr/bin
    ln -s ${final.coreutils}/bin/env $out/usr/bin/env
  '';

  caCertificates = final.runCommand "ca-certificates" { } ''
    mkdir -p $out/etc/ssl/certs $out/etc/pki/tls/certs
    ln -s ${final.cacert}/etc/ssl/certs/ca-bundle.crt $out/etc/ssl/certs/ca-bundle.crt
    ln -s ${final.cacert}/etc/ssl/certs/ca-bundle.crt $out/etc/ssl/certs/ca-certificates.crt
    ln -s ${final.cacert}/etc/ssl/certs/ca-bundle.crt $out/etc/pki/tls/certs/ca-bundle.crt
  '';

  fakeNss = lib.makeOverridable ({ extraPasswdLines ? [ ], extraGroupLines ? [ ] }:
    final.symlinkJoin {
      name = "fake-nss";
      paths = [
        (final.writeTextDir "etc/passwd" (
          "root:x:0:0:root user:/var/empty:/bin/sh\n"
          + lib.concatMapStrings (l: l + "\n") extraPasswdLines
          + "nobody:x:65534:65534:nobody:/var/empty:/bin/sh\n"))
        (final.writeTextDir "etc/group" (
          "root:x:0:\n"
          + lib.concatMapStrings (l: l + "\n") extraGroupLines
          + "nobody:x:65534:\n"))
        (final.writeTextDir "etc/nsswitch.conf" "hosts: files dns\n")
        (final.runCommand "var-empty" { } "mkdir -p $out/var/empty")
      ];
    }) { };

  # Prepares /etc for shadow's tools inside runAsRoot / fakeRootCommands (our own wording of it).
  shadowSetup = ''
    export PATH=${final.shadow}/bin:$PATH
    mkdir -p /etc/pam.d
    test -f /etc/passwd || { echo "root:x:0:0::/root:${final.runtimeShell}" > /etc/passwd; echo "root:!x:::::::" > /etc/shadow; }
    test -f /etc/group || { echo "root:x:0:" > /etc/group; echo "root:x::" > /etc/gshadow; }
    test -f /etc/pam.d/other || printf '%s\n' \
      'account sufficient pam_unix.so' 'auth sufficient pam_rootok.so' \
      'password requisite pam_unix.so nullok yescrypt' 'session required pam_unix.so' > /etc/pam.d/other
    test -f /etc/login.defs || touch /etc/login.defs
  '';

  # a few images in the manner of nixpkgs' dockerTools examples (written for nix2image)
  examples = {
    bash = buildImage {
      name = "bash"; tag = "latest";
      copyToRoot = final.buildEnv { name = "image-root"; paths = [ final.bashInteractive ]; pathsToLink = [ "/bin" ]; };
    };
    hello = buildLayeredImage { name = "hello"; tag = "latest"; contents = [ final.hello ]; config.Cmd = [ "/bin/hello" ]; };
    redis = buildImage {
      name = "redis"; tag = "latest";
      copyToRoot = final.buildEnv { name = "image-root"; paths = [ final.redis ]; pathsToLink = [ "/bin" ]; };
      config = { Cmd = [ "/bin/redis-server" ]; ExposedPorts."6379/tcp" = { }; WorkingDir = "/data"; Volumes."/data" = { }; };
    };
    layered-image = buildLayeredImage {
      name = "layered-image"; tag = "latest";
      contents = [ final.hello final.bashInteractive final.coreutils ];
      config.Cmd = [ "${final.hello}/bin/hello" ];
    };
  };
}
