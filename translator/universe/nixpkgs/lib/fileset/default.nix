# lib.fileset: sets of files under local paths, combined with union/intersection/difference and
# fileFilter, and copied to the store with toSource (one builtins.path with a filter).
#
# A file set is { _type = "fileset"; _roots; _has; _enter; }: `_has path type` says whether a file
# is in the set, `_enter dir` whether toSource must descend into a directory (it may hold files
# of the set), `_roots` the paths whose files the set draws from (for toList). Paths stand for
# everything below them. Directories that end up empty are copied as empty directories.
{ lib }:
let
  b = builtins;
  inherit (lib.strings) hasPrefix hasSuffix;

  str = p: b.toString p;
  below = dir: path: path == dir || hasPrefix (dir + "/") path;
  related = p: q: below p q || below q p;

  isFileset = x: b.isAttrs x && (x._type or null) == "fileset";
  empty = { _type = "fileset"; _roots = [ ]; _has = _: _: false; _enter = _: false; };

  ofPath = fn: p:
    if !b.isPath p then
      throw "lib.fileset.${fn}: Expected a file set or a path, but got a ${b.typeOf p}${if b.isString p then " (strings are not paths: use a path value such as ./. + \"/x\")" else ""}."
    # A path that does not exist is not refused here (Nix refuses it): toSource then copies what
    # exists, and nix2image's --placeholders can stand in for a source tree that is not checked out.
    else let s = str p; in {
      _type = "fileset";
      _roots = [ s ];
      _has = path: _: below s path;
      _enter = dir: related s dir;
    };

  coerce = fn: x: if isFileset x then x else ofPath fn x;

  # Every file below a path (or the path itself if it is not a directory): [ { path; type; } ].
  filesBelow = path: type:
    if type == "directory" then
      b.concatLists (lib.attrsets.mapAttrsToList (n: t: filesBelow (path + "/${n}") t) (b.readDir path))
    else [ { path = str path; inherit type; } ];
in
rec {
  unions = list:
    let sets = map (coerce "unions") list; in
    {
      _type = "fileset";
      _roots = lib.lists.concatMap (s: s._roots) sets;
      _has = path: type: b.any (s: s._has path type) sets;
      _enter = dir: b.any (s: s._enter dir) sets;
    };
  union = a: c: unions [ a c ];

  intersection = a: c:
    let x = coerce "intersection" a; y = coerce "intersection" c; in
    {
      _type = "fileset";
      _roots = x._roots;
      _has = path: type: x._has path type && y._has path type;
      _enter = dir: x._enter dir && y._enter dir;
    };

  difference = a: c:
    let x = coerce "difference" a; y = coerce "difference" c; in
    {
      _type = "fileset";
      _roots = x._roots;
      _has = path: type: x._has path type && !(y._has path type);
      _enter = dir: x._enter dir && !(y._has dir "directory");
    };

  maybeMissing = p: if b.pathExists p then ofPath "maybeMissing" p else empty;

  # The files below `path` for which pred { name; type; hasExt; } holds.
  fileFilter = pred: path:
    let root = b.head (ofPath "fileFilter" path)._roots; in
    {
      _type = "fileset";
      _roots = [ root ];
      _has = file: type:
        type != "directory" && below root file
        && pred { name = b.baseNameOf file; inherit type; hasExt = ext: hasSuffix ".${ext}" (b.baseNameOf file); };
      _enter = dir: related root dir;
    };

  # Without git, the files a checkout has: all of them but .git.
  gitTracked = path: difference path (maybeMissing (path + "/.git"));
  gitTrackedWith = _: gitTracked;

  fromSource = src:
    if b.isPath src then ofPath "fromSource" src
    else if src ? _nix2imageSource then
      let s = src._nix2imageSource; root = str s.path; in {
        _type = "fileset";
        _roots = [ root ];
        _has = path: type: below root path && s.filter path type;
        _enter = dir: related root dir && (dir == root || !(below root dir) || s.filter dir "directory");
      }
    else throw "lib.fileset.fromSource: Expected a path or a source made with lib.sources, but got a ${b.typeOf src}.";

  toSource = { root, fileset }:
    let
      fs = coerce "toSource" fileset;
      rootS = str root;
    in
    if !b.isPath root then throw "lib.fileset.toSource: `root` (${rootS}) is a ${b.typeOf root}, but it should be a path."
    else if !(b.all (r: below rootS r) fs._roots) then
      throw "lib.fileset.toSource: `fileset` has files outside `root` (${rootS}): ${b.concatStringsSep ", " (b.filter (r: !(below rootS r)) fs._roots)}"
    else b.path {
      path = root;
      name = "source";
      filter = path: type: if type == "directory" then fs._enter path else fs._has path type;
    };

  # The files of the set, as paths, sorted.
  toList = fileset:
    let fs = coerce "toList" fileset; in
    map (s: /. + s) (lib.lists.unique (b.sort (x: y: x < y) (map (f: f.path)
      (b.filter (f: fs._has f.path f.type)
        (lib.lists.concatMap (r: if b.pathExists (/. + r) then filesBelow (/. + r) (lib.filesystem.pathType (/. + r)) else [ ])
          fs._roots)))));

  trace = fs: x: x;
  traceVal = fs: fs;
}
