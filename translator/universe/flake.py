"""``flake.nix`` files: evaluate ``outputs`` with ``self`` and modelled inputs.

Inputs are recognised by name and URL: nixpkgs (``legacyPackages``, ``lib``, ``import nixpkgs``),
flake-utils, flake-parts and nix-systems are modelled (``nixpkgs/flake/*.nix``). Any other input
evaluates to an error naming it when the flake uses it, or, with ``--placeholders``, to an empty
stand-in with a warning. ``--bind`` names with dots (``packages.x86_64-linux.default``, also with a
leading ``self.``) replace those outputs, also as seen through ``self``.
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import UserError
from ..nix.values import Lambda, NixAttrs, NixPath, NixString, force
from .session import Session

NIXPKGS_DIR = os.path.join(os.path.dirname(__file__), "nixpkgs")
EVAL_NIX = os.path.join(NIXPKGS_DIR, "flake", "eval.nix")


def flake_file(path: str) -> str | None:
    """The flake.nix ``path`` denotes (the file itself or a directory holding one), else None."""
    if os.path.isdir(path):
        cand = os.path.join(path, "flake.nix")
        return cand if os.path.isfile(cand) else None
    if os.path.basename(path) == "flake.nix":
        return path
    return None


def classify(name: str, spec: dict[str, Any]) -> str:
    """Which model stands for an input (see ``nixpkgs/flake/eval.nix``)."""
    url = str(spec.get("url") or "")
    if not url and spec.get("type") == "github":
        url = f"github:{spec.get('owner', '')}/{spec.get('repo', '')}"
    low = (url or name).lower()
    if "nixos/nixpkgs" in low or (not url and name.startswith("nixpkgs")) or "nixpkgs" == name:
        return "nixpkgs"
    if "flake-utils" in low or name == "flake-utils":
        return "flake-utils"
    if "flake-parts" in low or name == "flake-parts":
        return "flake-parts"
    if "nix-systems" in low or name == "systems":
        return "systems"
    for model, marks in (("crane", ("ipetkov/crane",)), ("poetry2nix", ("poetry2nix",)),
                         ("rust-overlay", ("oxalica/rust-overlay",)), ("gitignore", ("hercules-ci/gitignore",)),
                         ("nix-filter", ("numtide/nix-filter",))):
        if name == model or any(m in low for m in marks):
            return model
    if "nixpkgs" in low and ("channel" in low or "nixos.org" in low or "tarball" in low):
        return "nixpkgs"
    return "unknown:" + (url or f"input '{name}'")


def _plain(v: Any, depth: int = 0) -> Any:
    v = force(v)
    if type(v) is NixString:
        return v.s
    if type(v) is NixAttrs and depth < 3:
        return {k: _plain(v.d[k], depth + 1) for k in v.d}
    if type(v) in (bool, int, float) or v is None:
        return v
    return None


def git_tracked(directory: str) -> set[str] | None:
    """Paths (relative, with their parent directories) git tracks under ``directory``, as Nix
    copies a flake in a git repository; None when it is not in a work tree."""
    import shutil
    import subprocess

    if shutil.which("git") is None:
        return None
    try:
        proc = subprocess.run(["git", "-C", directory, "ls-files", "-z", "--cached", "--", "."],
                              capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    out: set[str] = set()
    for rel in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not rel:
            continue
        parts = rel.split("/")
        for i in range(1, len(parts) + 1):
            out.add("/".join(parts[:i]))
    return out


def evaluate_flake(ev: Any, path: str, session: Session, placeholders: bool, binds: dict[str, Any]) -> Any:
    """The flake's ``self`` (its outputs plus ``inputs``/``outPath``), lazily evaluated."""
    from ..nix.evaluator import call

    file = os.path.abspath(path)
    top = force(ev.eval_file(file))
    if type(top) is not NixAttrs or "outputs" not in top.d:
        from ..errors import Pos

        where = None
        if type(top) is NixAttrs and top.pos:
            known = [p for p in top.pos.values() if isinstance(p, Pos)]
            where = min(known, key=lambda p: (p.line, p.col)) if known else None
        others = f" (it has: {', '.join(sorted(top.d))})" if type(top) is NixAttrs and top.d else ""
        if type(top) is NixAttrs:
            import difflib

            close = difflib.get_close_matches("outputs", list(top.d), n=1)
            if close:
                where = top.pos.get(close[0], where) if top.pos else where
                others += f"; did you mean 'outputs' instead of '{close[0]}'?"
        raise UserError(f"{file} is not a flake: it must be an attribute set with 'outputs'{others}",
                        pos=where or Pos(file, 1, 1),
                        hint="a flake is { description = ...; inputs = { ... }; outputs = { self, ... }: { ... }; }")
    declared = {}
    if "inputs" in top.d:
        inputs_v = force(top.d["inputs"])
        if type(inputs_v) is not NixAttrs:
            raise UserError(f"{file}: 'inputs' must be an attribute set")
        for name, spec in inputs_v.d.items():
            p = _plain(spec)
            declared[name] = p if isinstance(p, dict) else {"url": p}
    outputs_fn = force(top.d["outputs"])
    names = dict(declared)
    if type(outputs_fn) is Lambda and outputs_fn.node.formals is not None:
        for f in outputs_fn.node.formals.entries:
            if f.name != "self":
                names.setdefault(f.name, {})
    modelled = {}
    for name in sorted(names):
        kind = classify(name, names[name])
        if kind.startswith("unknown:") and placeholders:
            session.warn(f"warning: --placeholders: flake input '{name}' ({kind[8:]}) is not modelled; "
                         "an empty stand-in replaces it")
            kind = "placeholder"
        modelled[name] = NixString(kind)
    fn = ev.eval_file(EVAL_NIX)
    flake_dir = os.path.dirname(file)
    arg = NixAttrs({"dir": NixPath(flake_dir), "modelled": NixAttrs(modelled),
                    "binds": NixAttrs(dict(binds))})
    tracked = git_tracked(flake_dir)
    if tracked is not None:
        arg.d["tracked"] = NixAttrs({p: True for p in sorted(tracked)})
    return call(fn, arg, None)
