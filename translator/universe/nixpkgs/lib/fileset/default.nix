# lib.fileset: file sets (unions, differences, toSource) as path lists filtered at copy time.
{ lib }:
let
  b = builtins;
  inherit (lib.strings) hasPrefix;
  inherit (lib.lists) any concatMap;
  toAbs = p: b.toString p;
  mk = paths: { _type = "fileset"; _paths = paths; };
  norm = fs: if b.isAttrs fs && fs ? _type && fs._type == "fileset" then fs._paths else [ (toAbs fs) ];
  under = dirs: path: any (d: path == d || hasPrefix (d + "/") path || hasPrefix (path + "/") d) dirs;
in
rec {
  unions = list: mk (concatMap norm list);
  union = a: c: unions [ a c ];
  maybeMissing = p: if b.pathExists p then mk [ (toAbs p) ] else mk [ ];
  difference = a: c: mk (b.filter (p: !b.elem p (norm c)) (norm a));
  intersection = a: c: mk (b.filter (p: under (norm c) p) (norm a));
  fileFilter = pred: path: mk [ (toAbs path) ];
  gitTracked = path: mk [ (toAbs path) ];
  toSource = { root, fileset }:
    let dirs = norm fileset; in
    b.path {
      path = root;
      name = "source";
      filter = path: type: under dirs (b.toString path);
    };
  toList = fs: norm fs;
  trace = fs: x: x;
}
