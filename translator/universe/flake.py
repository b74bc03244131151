"""``flake.nix`` files: evaluate ``outputs`` with ``self`` and modelled inputs.

An input whose tree can be had offline (``--override-input``, ``--nixpkgs``, or the store path
its ``flake.lock`` narHash names; see :mod:`.real_nixpkgs`) is that real tree. Other inputs are
recognised by URL, by their ``flake.lock`` node (also through ``follows``) or by
registry name (see :mod:`.known_libraries`); the models are ``libraries/inputs.nix``. Any other
input evaluates to an error naming it and its lock entry when the flake uses it, or, with
``--placeholders``, to an open stand-in (:mod:`.standin`) with a warning. ``self`` carries the
source info Nix reads from git (``rev``/``shortRev`` for a clean tree, ``dirtyRev``/
``dirtyShortRev`` for a dirty one, ``lastModified``/``lastModifiedDate``). ``--bind`` names with dots (``packages.x86_64-linux.default``, also with a
leading ``self.``) replace those outputs, also as seen through ``self``.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..errors import UserError
from ..nix.values import Lambda, NixAttrs, NixPath, NixString, force
from .known_libraries import REGISTRY, library_for_lock_node, library_for_url, spec_url
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


def classify(name: str, spec: dict[str, Any], lock: dict | None = None) -> str:
    """Which model stands for an input: a library name of ``libraries/inputs.nix``, or
    ``unknown:<what>``. ``follows`` and inputs without a URL are resolved through ``flake.lock``
    when there is one, else by the name they follow."""
    follows = spec.get("follows")
    if isinstance(follows, str) and follows:
        node = _lock_follow(lock, follows.split("/")) if lock else None
        if node is not None:
            found = library_for_lock_node(node)
            if found:
                return found
        return classify(follows.split("/")[-1], {}, None)
    url = spec_url(spec)
    if url:
        found = library_for_url(url)
        if found:
            return found
    node = _lock_follow(lock, [name]) if lock else None
    if node is not None and (not url or not url.startswith(("path:", "git+file:"))):
        found = library_for_lock_node(node)
        if found:
            return found
        if not url:
            url = spec_url(node.get("original") or {}) or spec_url(node.get("locked") or {})
    if not url:
        base = name.lower()
        if base == "nixpkgs" or re.match(r"^(nixpkgs|nixos)[-_]", base):
            return "nixpkgs"
        if base in REGISTRY:
            return REGISTRY[base]
    where = f", flake.lock node '{_lock_key(lock, [name])}'" if lock and _lock_key(lock, [name]) else ""
    return "unknown:" + (url or f"input '{name}'") + where


def _lock_key(lock: dict | None, path: list[str], depth: int = 0) -> str | None:
    """The flake.lock node key an input path (``["a", "nixpkgs"]``) leads to from the root
    (None when there is none, or when follows paths loop)."""
    if not lock or depth > 64:
        return None
    nodes = lock.get("nodes") or {}
    key = lock.get("root", "root")
    for step in path:
        inputs = (nodes.get(key) or {}).get("inputs") or {}
        target = inputs.get(step)
        if target is None:
            return None
        if isinstance(target, list):  # a follows, from the root
            key = _lock_key(lock, list(target), depth + 1)
            if key is None:
                return None
        else:
            key = target
    return key


def _lock_follow(lock: dict | None, path: list[str]) -> dict | None:
    key = _lock_key(lock, path)
    return (lock.get("nodes") or {}).get(key) if key else None


def lock_problem(data: Any) -> str | None:
    """What makes ``data`` not a flake.lock (None when its shape is right): ``nodes`` maps names
    to nodes, a node's ``inputs`` map names to a node name or a follows path (a list of names),
    ``locked``/``original`` are attribute sets of strings, integers and booleans, ``root`` names
    a node."""
    if not isinstance(data, dict):
        return "not a JSON object"
    nodes = data.get("nodes")
    if not isinstance(nodes, dict):
        return "'nodes' is not an object"
    if not isinstance(data.get("root", "root"), str):
        return "'root' is not a string"
    for key, node in nodes.items():
        if not isinstance(node, dict):
            return f"node '{key}' is not an object"
        inputs = node.get("inputs") or {}
        if not isinstance(inputs, dict):
            return f"node '{key}': 'inputs' is not an object"
        for name, target in inputs.items():
            if not (isinstance(target, str) or (isinstance(target, list) and all(isinstance(t, str) for t in target))):
                return f"node '{key}': input '{name}' is neither a node name nor a follows path"
        for part in ("locked", "original"):
            spec = node.get(part)
            if spec is None:
                continue
            if not isinstance(spec, dict) or not all(isinstance(v, (str, int, bool)) for v in spec.values()):
                return f"node '{key}': '{part}' is not an attribute set of strings, integers and booleans"
    return None


def read_lock(flake_dir: str) -> dict | None:
    """The flake's ``flake.lock`` (None when absent or unreadable; a clear error when it is
    JSON of the wrong shape)."""
    import json

    path = os.path.join(flake_dir, "flake.lock")
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    problem = lock_problem(data)
    if problem:
        raise UserError(f"{path} is not a valid flake.lock: {problem}")
    return data


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


def git_source_info(directory: str) -> dict[str, Any] | None:
    """What Nix puts in a flake's ``self`` for a git work tree: a clean tree has ``rev``,
    ``shortRev`` and ``revCount``; a dirty one (tracked files changed) ``dirtyRev`` and
    ``dirtyShortRev``; both ``lastModified`` (HEAD's commit time) and ``lastModifiedDate``.
    None when ``directory`` is not in a git work tree (or git is not installed)."""
    import shutil
    import subprocess
    import time

    if shutil.which("git") is None:
        return None

    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", "-C", directory, *args], capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return None
        return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else None

    if git("rev-parse", "--is-inside-work-tree") != "true":
        return None
    head = git("log", "-1", "--format=%H %ct")
    status = git("status", "--porcelain", "--untracked-files=no")
    if not head:  # a repository without commits: dirty, nothing to name
        return {"lastModified": 0, "lastModifiedDate": "19700101000000"}
    rev, _, stamp = head.partition(" ")
    modified = int(stamp or 0)
    out: dict[str, Any] = {"lastModified": modified,
                           "lastModifiedDate": time.strftime("%Y%m%d%H%M%S", time.gmtime(modified))}
    if status:
        out.update(dirtyRev=rev + "-dirty", dirtyShortRev=rev[:7] + "-dirty")
    else:
        count = git("rev-list", "--count", "HEAD")
        out.update(rev=rev, shortRev=rev[:7], revCount=int(count or 0))
    return out


def _input_values(names: dict[str, dict], lock: dict | None, session: Session, placeholders: bool) -> dict[str, Any]:
    """Input name -> model name (a string) or, for an unknown input under --placeholders, an open
    stand-in (with a warning)."""
    from .standin import stand_in

    out: dict[str, Any] = {}
    for name in sorted(names):
        kind = classify(name, names[name], lock)
        if kind.startswith("unknown:") and placeholders:
            session.warn(f"warning: --placeholders: flake input '{name}' ({kind[8:]}) is not modelled; "
                         "an open stand-in replaces it (its packages are labelled placeholders)")
            out[name] = stand_in(f"flake input '{name}'")
        else:
            out[name] = NixString(kind)
    return out


def evaluate_flake(ev: Any, path: str, session: Session, placeholders: bool, binds: dict[str, Any],
                   source_info: dict[str, Any] | None = None, nested: bool = False) -> Any:
    """The flake's ``self`` (its outputs plus ``inputs``/``outPath``/source info), lazily evaluated.
    ``source_info`` (a locked input's rev, narHash, ...) replaces what git says; ``nested`` flakes
    are inputs of another (``--override-input`` names the top flake's inputs only)."""
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
    declared: dict[str, dict] = {}
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
    flake_dir = os.path.dirname(file)
    lock = read_lock(flake_dir)
    from .real_nixpkgs import real_flake_input

    real: dict[str, Any] = {}
    for name in sorted(names):  # real trees found offline (or fetched) come before the models
        value = real_flake_input(ev, name, classify(name, names[name], lock),
                                 _lock_follow(lock, [name]) if lock else None, not nested)
        if value is not None:
            real[name] = value
    modelled = _input_values({n: v for n, v in names.items() if n not in real}, lock, session, placeholders)
    modelled.update(real)
    fn = ev.eval_file(EVAL_NIX)
    arg = NixAttrs({"dir": NixPath(flake_dir), "modelled": NixAttrs(modelled),
                    "binds": NixAttrs(dict(binds))})
    tracked = git_tracked(flake_dir)
    if tracked is not None:
        arg.d["tracked"] = NixAttrs({p: True for p in sorted(tracked)})
    info = source_info if source_info is not None else git_source_info(flake_dir)
    if info is None:
        info = {"lastModified": 0, "lastModifiedDate": "19700101000000"}
        if placeholders:
            # a checkout without its .git: Nix would see a dirty tree of a git repository there
            session.warn(f"warning: --placeholders: {flake_dir} has no git metadata; self.dirtyRev and "
                         "self.dirtyShortRev are placeholders (0000000-dirty)")
            info.update(dirtyRev="0" * 40 + "-dirty", dirtyShortRev="0000000-dirty")
    arg.d["sourceInfo"] = NixAttrs({k: (NixString(v) if isinstance(v, str) else v) for k, v in sorted(info.items())})
    return call(fn, arg, None)
