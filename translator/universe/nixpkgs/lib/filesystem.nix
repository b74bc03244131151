# lib.filesystem: file types, directory listings and package sets read from a directory tree.
{ lib }:
let
  b = builtins;
  inherit (lib.strings) hasSuffix removeSuffix;
in
rec {
  # "directory", "regular", "symlink" or "unknown" (read from the parent directory's listing,
  # which Nix 2.8 can do; newer Nix has builtins.readFileType).
  pathType = path:
    if b ? readFileType then b.readFileType path
    else if b.toString path == "/" then "directory"
    else if !b.pathExists path then throw "lib.filesystem.pathType: Path ${b.toString path} does not exist."
    else (b.readDir (b.dirOf path)).${b.baseNameOf path};
  pathIsDirectory = path: b.pathExists path && pathType path == "directory";
  pathIsRegularFile = path: b.pathExists path && pathType path == "regular";

  # A directory (or a string ending in "/") stands for its default.nix; anything else for itself.
  resolveDefaultNix = v:
    if b.isString v && hasSuffix "/" v then v + "default.nix"
    else if pathIsDirectory v then v + "/default.nix"
    else v;

  # Every regular file under dir, recursively.
  listFilesRecursive = dir:
    lib.lists.flatten (lib.attrsets.mapAttrsToList
      (name: type: if type == "directory" then listFilesRecursive (dir + "/${name}") else dir + "/${name}")
      (b.readDir dir));

  # The nearest directory at or above `file` that has an entry matching `pattern`.
  locateDominatingFile = pattern: file:
    let
      go = dir:
        let matches = b.filter (n: b.match pattern n != null) (b.attrNames (b.readDir dir)); in
        if matches != [ ] then { path = dir; inherit matches; }
        else if dir == /. || b.toString dir == "/" then null
        else go (b.dirOf dir);
    in go (if pathIsDirectory file then file else b.dirOf file);

  # A package set from a directory: NAME.nix and NAME/package.nix are packages (called with
  # callPackage), other directories nested sets. With newScope every directory is a scope in
  # which its packages (and those of the enclosing directories) see each other.
  packagesFromDirectoryRecursive = { callPackage, directory, newScope ? null, ... }:
    let
      packageNix = directory + "/package.nix";
      build = callPackage': newScope':
        let
          entries = b.readDir directory;
          entry = name: type:
            let path = directory + "/${name}"; in
            if type == "regular" && hasSuffix ".nix" name then
              [ { name = removeSuffix ".nix" name; value = callPackage' path { }; } ]
            else if type == "directory" then
              [ {
                inherit name;
                value =
                  if b.pathExists (path + "/package.nix") then callPackage' (path + "/package.nix") { }
                  else packagesFromDirectoryRecursive { callPackage = callPackage'; newScope = newScope'; directory = path; };
              } ]
            else [ ];
        in b.listToAttrs (b.concatLists (lib.attrsets.mapAttrsToList entry entries));
    in
    if b.pathExists packageNix then callPackage packageNix { }
    else if newScope == null then build callPackage null
    else lib.attrsets.recurseIntoAttrs (lib.customisation.makeScope newScope (self: build self.callPackage self.newScope));

  # Haskell module paths (dot-separated) of the .hs files under root, keyed by module name.
  haskellPathsInDir = root:
    let
      files = b.filter (f: hasSuffix ".hs" (b.toString f)) (listFilesRecursive root);
      rel = f: lib.strings.removePrefix (b.toString root + "/") (b.toString f);
      modName = f: b.replaceStrings [ "/" ] [ "." ] (removeSuffix ".hs" (rel f));
    in b.listToAttrs (map (f: { name = modName f; value = f; }) files);
}
