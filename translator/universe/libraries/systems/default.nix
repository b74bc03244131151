# nix-systems/default, modelled: `import systems` is the list of default systems.
[ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ]
