"""The package universe: what store paths exist, what they reference, and where their bytes are.

* :mod:`.catalog`: packages by nixpkgs attribute path and store paths with narSize/references
  (the embedded default catalog, ``--catalog FILE``); :mod:`.catalog_gen` generates the default.
* :mod:`.nixdb`: a real Nix store's database, read-only (system store or ``--store DIR``).
* :mod:`.bind`: ``--bind NAME=PATH`` (store paths as is, other paths as ``nix-store --add``).
* :mod:`.contents`: content sources (real store, bound files, synthetic placeholders).
* ``nixpkgs/`` and the evaluator-facing modules: the modelled nixpkgs built on these.
"""
