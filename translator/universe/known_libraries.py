"""Known Nix libraries: which modelled library a URL, a flake input or a lock entry stands for.

nix2image is offline, so a fetch of a Nix library cannot be satisfied from the network. The
libraries people fetch most (nixpkgs itself, flake-utils, flake-parts, crane, naersk, fenix,
rust-overlay, nixpkgs-mozilla, poetry2nix, gitignore.nix, nix-filter, flake-compat, gomod2nix,
haskell.nix, nix-systems) are modelled in Nix under ``translator/universe/libraries/`` (nixpkgs is the
modelled nixpkgs itself): a fetch of one gives the model's folder, whose ``default.nix`` has the
library's interface, and a flake input of one gives the model's flake outputs
(``libraries/inputs.nix``).

Recognition is by the ``owner/repo`` of a GitHub URL in any of the forms Nix users write
(``github:o/r/ref``, ``https://github.com/o/r/archive/REV.tar.gz``, ``git+https://github.com/o/r``,
``https://github.com/o/r.git``, ``https://codeload.github.com/o/r/...``), channel tarballs
(``https://nixos.org/channels/...``, ``channel:nixos-23.11``) and, for flake inputs without a
URL, the registry name (``nixpkgs``, ``flake-utils``, ...).
"""

from __future__ import annotations

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
LIBRARIES_DIR = os.path.join(HERE, "libraries")
NIXPKGS_DIR = os.path.join(HERE, "nixpkgs")

#: library -> GitHub ``owner/repo`` names (lower case) that are it
GITHUB: dict[str, tuple[str, ...]] = {
    "nixpkgs": ("nixos/nixpkgs", "nixos/nixpkgs-channels", "nixos/nixpkgs-lib"),
    "flake-utils": ("numtide/flake-utils",),
    "flake-parts": ("hercules-ci/flake-parts",),
    "systems": ("nix-systems/default", "nix-systems/default-linux", "nix-systems/x86_64-linux"),
    "crane": ("ipetkov/crane",),
    "naersk": ("nmattia/naersk", "nix-community/naersk"),
    "fenix": ("nix-community/fenix",),
    "rust-overlay": ("oxalica/rust-overlay",),
    "nixpkgs-mozilla": ("mozilla/nixpkgs-mozilla",),
    "poetry2nix": ("nix-community/poetry2nix",),
    "gitignore": ("hercules-ci/gitignore.nix", "hercules-ci/gitignore"),
    "nix-filter": ("numtide/nix-filter",),
    "flake-compat": ("edolstra/flake-compat", "nix-community/flake-compat", "inclyc/flake-compat"),
    "gomod2nix": ("nix-community/gomod2nix", "tweag/gomod2nix"),
    "haskell-nix": ("input-output-hk/haskell.nix",),
}
#: flake registry names (an input written ``inputs.flake-utils.url = "flake-utils"``)
REGISTRY = {"nixpkgs": "nixpkgs", "flake-utils": "flake-utils", "flake-parts": "flake-parts",
            "systems": "systems", "crane": "crane", "naersk": "naersk", "fenix": "fenix",
            "rust-overlay": "rust-overlay", "poetry2nix": "poetry2nix", "nix-filter": "nix-filter",
            "flake-compat": "flake-compat", "gomod2nix": "gomod2nix"}
_BY_REPO = {repo: lib for lib, repos in GITHUB.items() for repo in repos}
_GITHUB_URL = re.compile(
    r"^(?:github:|(?:git\+)?https?://(?:www\.)?github\.com/|(?:git\+)?ssh://git@github\.com/|git@github\.com:"
    r"|https?://codeload\.github\.com/|https?://api\.github\.com/repos/)([^/]+)/([^/?#]+)", re.I)
_CHANNEL = re.compile(r"^(?:channel:(?:nixos|nixpkgs)-|https?://(?:nixos\.org|channels\.nixos\.org|releases\.nixos\.org)/)", re.I)


def github_repo(url: str) -> str | None:
    """``owner/repo`` (lower case, no ``.git``) of a GitHub URL in any common form, else None."""
    m = _GITHUB_URL.match(url.strip())
    if not m:
        return None
    repo = m.group(2)
    if repo.endswith(".git"):
        repo = repo[:-4]
    return f"{m.group(1)}/{repo}".lower()


def library_for_url(url: str) -> str | None:
    """The modelled library ``url`` fetches, or None."""
    url = url.strip()
    repo = github_repo(url)
    if repo is not None:
        if repo in _BY_REPO:
            return _BY_REPO[repo]
        # a fork of nixpkgs (cachix/devenv-nixpkgs, someone/nixpkgs) is nixpkgs to the model
        return "nixpkgs" if "nixpkgs" in repo.split("/", 1)[1] else None
    if _CHANNEL.match(url):
        return "nixpkgs"
    if url in REGISTRY:
        return REGISTRY[url]
    m = re.match(r"^flake:([A-Za-z0-9_-]+)", url)
    if m:
        return REGISTRY.get(m.group(1))
    return None


def library_for_lock_node(node: dict) -> str | None:
    """The library a flake.lock node stands for (``original`` first, then ``locked``)."""
    for key in ("original", "locked"):
        spec = node.get(key)
        if not isinstance(spec, dict):
            continue
        url = spec_url(spec)
        if url:
            found = library_for_url(url)
            if found:
                return found
        if spec.get("type") == "indirect" and spec.get("id") in REGISTRY:
            return REGISTRY[spec["id"]]
    return None


def spec_url(spec: dict) -> str:
    """A flake reference given as attributes (``{ type = "github"; owner; repo; }``) as a URL."""
    if spec.get("url"):
        return str(spec["url"])
    kind = spec.get("type")
    if kind in ("github", "gitlab", "sourcehut") and spec.get("owner") and spec.get("repo"):
        ref = spec.get("rev") or spec.get("ref")
        return f"{kind}:{spec['owner']}/{spec['repo']}" + (f"/{ref}" if ref else "")
    if kind == "indirect" and spec.get("id"):
        return f"flake:{spec['id']}"
    if kind == "path" and spec.get("path"):
        return f"path:{spec['path']}"
    return ""


def library_dir(library: str) -> str:
    """The folder whose ``default.nix`` is the library's interface (``import`` of a fetch)."""
    if library == "nixpkgs":
        return NIXPKGS_DIR
    return os.path.join(LIBRARIES_DIR, library)


def is_library_path(path: str) -> bool:
    """True for paths inside a modelled library or the modelled nixpkgs."""
    path = os.path.abspath(path)
    return any(path == d or path.startswith(d + os.sep) for d in (LIBRARIES_DIR, NIXPKGS_DIR))
