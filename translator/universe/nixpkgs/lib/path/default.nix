# lib.path: path values and relative "subpaths" ("./a/b": no "..", no leading "/").
{ lib }:
let
  b = builtins;
  inherit (lib.strings) hasPrefix;

  # The components of a subpath string, or an error message.
  parseSubpath = s:
    if !b.isString s then { error = "is not a string, but a ${b.typeOf s}"; }
    else if s == "" then { error = "is an empty string"; }
    else if hasPrefix "/" s then { error = "is an absolute path"; }
    else
      let parts = b.filter (p: b.isString p && p != "" && p != ".") (b.split "/+" s); in
      if b.elem ".." parts then { error = "contains a `..` component, which is not allowed in subpaths"; }
      else { components = parts; };

  checkSubpath = fn: s:
    let r = parseSubpath s; in
    if r ? error then throw "lib.path.${fn}: The given string \"${b.toString s}\" is not a valid subpath: It ${r.error}"
    else r.components;

  joinComponents = cs: if cs == [ ] then "./." else "./" + b.concatStringsSep "/" cs;

  pathComponents = p: b.filter (c: b.isString c && c != "") (b.split "/" (b.toString p));
  checkPath = fn: p:
    if !b.isPath p then throw "lib.path.${fn}: The argument is of type ${b.typeOf p}, but a path was expected" else p;
in
rec {
  # path + subpath, as a path value.
  append = path: subpath:
    let p = checkPath "append" path; cs = checkSubpath "append" subpath; in
    if cs == [ ] then p else p + ("/" + b.concatStringsSep "/" cs);

  # Whether path1 is path2 or one of its ancestors.
  hasPrefix = path1: path2:
    let a = pathComponents (checkPath "hasPrefix" path1); c = pathComponents (checkPath "hasPrefix" path2); in
    lib.lists.take (b.length a) c == a;

  # The subpath leading from path1 to path2 (path1 must be a prefix of path2).
  removePrefix = path1: path2:
    let a = pathComponents (checkPath "removePrefix" path1); c = pathComponents (checkPath "removePrefix" path2); in
    if lib.lists.take (b.length a) c != a
    then throw "lib.path.removePrefix: The first path argument \"${b.toString path1}\" is not a component-wise prefix of the second path argument \"${b.toString path2}\"."
    else joinComponents (lib.lists.drop (b.length a) c);

  # { root; subpath; } of a path: the file system root and the subpath below it.
  splitRoot = path:
    let p = checkPath "splitRoot" path; in
    { root = /. ; subpath = joinComponents (pathComponents p); };

  # Whether the path is inside the Nix store (below a store path's name).
  hasStorePathPrefix = path:
    let
      store = pathComponents b.storeDir;
      cs = pathComponents (checkPath "hasStorePathPrefix" path);
    in b.length cs > b.length store && lib.lists.take (b.length store) cs == store;

  subpath = {
    isValid = value: !(parseSubpath value ? error);
    # Join subpaths: joining none gives "./.".
    join = subpaths: joinComponents (lib.lists.concatMap (checkSubpath "subpath.join") subpaths);
    components = s: checkSubpath "subpath.components" s;
    # The normal form: "./" and the components separated by single slashes ("./." for none).
    normalise = s: joinComponents (checkSubpath "subpath.normalise" s);
  };
}
