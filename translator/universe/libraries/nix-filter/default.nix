# numtide/nix-filter, modelled: `nix-filter { root; include; exclude; }` is the root as a source
# (include/exclude patterns are not applied); the matchers are predicates as documented.
let
  lib = import ../../nixpkgs/lib;
  b = builtins;
  filter = { root, name ? "source", include ? [ ], exclude ? [ ] }: lib.cleanSourceWith { src = root; inherit name; filter = _: _: true; };
in
{
  __functor = _: filter;
  inherit filter;
  lib = { __functor = _: filter; inherit filter; };
  inDirectory = d: _root: path: type: true;
  matchExt = ext: _root: path: type: lib.hasSuffix ".${ext}" (b.toString path);
  matchName = n: _root: path: type: b.baseNameOf (b.toString path) == n;
  isDirectory = _root: path: type: type == "directory";
  or_ = f: g: root: path: type: f root path type || g root path type;
  and = f: g: root: path: type: f root path type && g root path type;
}
