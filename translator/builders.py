"""The nixpkgs ``dockerTools`` builders nix2image builds, by how their store layers are made.

Kept in a module of its own, free of imports, so that code deciding by the builder's kind (the
command line's checks, the report, the spec printer) does not import the image writers to learn it.
"""

from __future__ import annotations

#: Builders whose store paths are layered by a strategy (``manifest.json`` lists the layers).
LAYERED = ("buildLayeredImage", "streamLayeredImage", "buildLayeredImageWithNixDb")
#: Builders that put the whole closure in one layer on top of the base (legacy parent links).
STACKED = ("buildImage", "buildImageWithNixDb")
