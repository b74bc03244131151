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
}
