# lib.sources: filtered copies of source trees (cleanSource, cleanSourceWith, sourceByRegex).
{ lib }:
let
  b = builtins;
  inherit (lib.strings) hasSuffix hasPrefix removePrefix;
  inherit (lib.lists) any;
in
rec {
  cleanSourceFilter = name: type:
    let baseName = b.baseNameOf (b.toString name); in
    !((type == "directory" && (baseName == ".git" || baseName == ".svn" || baseName == "CVS" || baseName == ".hg"))
      || hasSuffix "~" baseName || b.match "^\\.sw[a-z]$" baseName != null || b.match "^\\..*\\.sw[a-z]$" baseName != null
      || hasSuffix ".o" baseName || hasSuffix ".so" baseName
      || (type == "symlink" && hasPrefix "result" baseName)
      || (type == "unknown"));
  cleanSourceWith = { src, filter ? _path: _type: true, name ? null }:
    let orig = src._nix2imageSource or { path = src; filter = _: _: true; };
        combined = p: t: filter p t && orig.filter p t;
    in {
      _nix2imageSource = { path = orig.path; filter = combined; };
      outPath = b.path { path = orig.path; filter = combined; name = if name != null then name else "source"; };
      origSrc = orig.path;
      inherit filter;
    };
  cleanSource = src: cleanSourceWith { filter = cleanSourceFilter; inherit src; };
  sourceByRegex = src: regexes:
    let isFiltered = src ? _isLibCleanSourceWith; origSrc = if isFiltered then src.origSrc else src;
    in cleanSourceWith {
      filter = path: type:
        let relPath = removePrefix (b.toString origSrc + "/") (b.toString path);
        in any (re: b.match re relPath != null) regexes;
      inherit src;
    };
  sourceFilesBySuffices = src: exts:
    cleanSourceWith { inherit src; filter = name: type: type == "directory" || any (ext: hasSuffix ext name) exts; };

  inherit (lib.filesystem) pathType pathIsDirectory pathIsRegularFile;
  canCleanSource = src: src ? _nix2imageSource || b.isPath src;
  pathIsGitRepo = path: b.pathExists (b.toString path + "/.git");
  pathHasContext = b.hasContext;
  trace = src: src;
  # The commit of a checkout: HEAD, followed through refs and packed-refs.
  commitIdFromGitRepo = path:
    let
      gitDir = b.toString path;
      headText = lib.strings.fileContents (gitDir + "/HEAD");
      ref = b.match "ref: (.*)" headText;
      packed = gitDir + "/packed-refs";
      fromPacked = name:
        let
          lines = b.filter b.isString (b.split "\n" (b.readFile packed));
          hits = b.filter (m: m != null) (map (l: b.match "([0-9a-f]+) ${lib.strings.escapeRegex name}" l) lines);
        in if hits == [ ] then throw "Can't find ${name} in ${gitDir}" else b.head (b.head hits);
    in
    if ref == null then headText
    else let name = b.head ref; in
      if b.pathExists (gitDir + "/${name}") then lib.strings.fileContents (gitDir + "/${name}")
      else if b.pathExists packed then fromPacked name
      else throw "Can't find ${name} in ${gitDir}";
}
