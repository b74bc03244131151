"""Materialise the outputs of modelled builders (writeText, runCommand, buildEnv, ...) on disk.

Each recipe recorded during evaluation (:class:`~.session.Recipe`) is turned into a directory or
file in a content cache, keyed by its store path (which is a hash of the recipe, so a cached
result never goes stale). Scripts (``runCommand``, ``postBuild``) run with the host's bash in a
scratch directory with ``$out`` set; ``$out`` is a scratch path of exactly the store path's length
and is rewritten to the store path afterwards (as Nix rewrites hashes), so files that mention
``$out`` are right.

References are found as Nix finds them: by scanning the output for the hash parts of the store
paths the recipe could refer to (its inputs and their closures, and itself).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import UserError
from ..storeinfo import PathInfo
from ..store.nar import nar_hash
from .session import Recipe
from ..cachedir import cache_home

STORE = "/nix/store/"


def default_cache_dir() -> str:
    return cache_home("realized")


def hash_part(path: str) -> str:
    return path[len(STORE):len(STORE) + 32]


class RealizeError(UserError):
    """A modelled builder could not be materialised."""


class MissingInputError(RealizeError):
    """An input's content is not available (catalog-only package without a store or placeholders)."""


class Realizer:
    """Makes recipe outputs exist on disk. ``locate(path)`` finds the content of any input."""

    def __init__(self, recipes: dict[str, Recipe], locate: Callable[[str], str | None],
                 cache_dir: str | None = None, closure: Callable[[list[str]], list[PathInfo]] | None = None,
                 synthetic: Callable[[str], bool] | None = None) -> None:
        self.recipes = recipes
        self.locate = locate
        # inputs whose content is a --placeholders stand-in count as having no content: a script
        # that fails on them failed for want of the real input
        self.synthetic = synthetic
        self.cache_dir = cache_dir or default_cache_dir()
        self.closure = closure

    # -- public ----------------------------------------------------------------------------

    def location(self, store_path: str) -> str:
        """The on-disk content of a recipe output, realising it (and its inputs) when needed."""
        recipe = self.recipes[store_path]
        dest = os.path.join(self.cache_dir, os.path.basename(store_path))
        if os.path.lexists(dest):
            return dest
        os.makedirs(self.cache_dir, exist_ok=True)
        scratch = tempfile.mkdtemp(prefix="n2i-", dir=self.cache_dir)
        try:
            out = self._padded_out(scratch, store_path)
            self._build(recipe, out, scratch)
            if not os.path.lexists(out):
                raise RealizeError(f"builder for '{recipe.name}' ({recipe.kind}) did not produce $out")
            _rewrite(out, out, store_path)
            try:
                os.rename(out, dest)
            except OSError:
                if not os.path.lexists(dest):
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return dest

    def path_info(self, store_path: str, candidates: set[str]) -> PathInfo:
        """narSize/narHash of the realised output and the references found in it."""
        loc = self.location(store_path)
        h, size = nar_hash(loc)
        found = scan_references(loc, candidates | {store_path})
        return PathInfo(store_path, size, tuple(sorted(found)), nar_hash=str(h))

    # -- building --------------------------------------------------------------------------

    def _padded_out(self, scratch: str, store_path: str) -> str:
        """A scratch path of the same length as ``store_path`` (hash rewriting keeps offsets)."""
        base = os.path.join(scratch, "o")
        want = len(store_path)
        if len(base) + 1 > want:
            # too deep a cache dir for equal-length rewriting: fall back to a short temp dir
            short = tempfile.mkdtemp(prefix="n")
            base = os.path.join(short, "o")
            if len(base) + 1 > want:
                raise RealizeError(f"cannot realise {store_path}: temporary directory path too long")
        return base + "x" * (want - len(base))

    def _input(self, path: str) -> str:
        sp = _store_path_of(path)
        loc = self.locate(sp)
        if loc is None:
            raise MissingInputError(
                f"the content of {sp} is needed to build it into another store path but is not available",
                hint="provide it with --bind NAME=PATH, a real Nix store, or use --placeholders")
        return loc + path[len(sp):]

    def _build(self, r: Recipe, out: str, scratch: str) -> None:
        d = r.data
        kind = r.kind
        if kind == "text":
            dest = d.get("destination") or ""
            target = out + dest if dest else out
            os.makedirs(os.path.dirname(target), exist_ok=True)
            Path(target).write_text(d.get("text", ""), encoding="utf-8")
            os.chmod(target, 0o755 if d.get("executable") else 0o644)
        elif kind == "runCommand":
            env = {k: str(v) for k, v in (d.get("env") or {}).items()}
            self._bash(r, d.get("buildCommand", ""), out, scratch, env, d.get("inputs") or [])
        elif kind == "symlinkJoin":
            os.makedirs(out)
            for p in d.get("paths") or []:
                self._lndir(self._input(p), p, out)
            if d.get("postBuild"):
                self._bash(r, d["postBuild"], out, scratch, {k: str(v) for k, v in (d.get("env") or {}).items()}, [])
        elif kind == "buildEnv":
            BuildEnv(self, r, out).run()
            if d.get("postBuild"):
                self._bash(r, d["postBuild"], out, scratch, {}, d.get("inputs") or [])
        elif kind == "linkFarm":
            os.makedirs(out)
            for e in d.get("entries") or []:
                link = os.path.join(out, e["name"])
                os.makedirs(os.path.dirname(link), exist_ok=True)
                os.symlink(e["path"], link)
        elif kind == "substituteAll":
            src = self._input(d["src"])
            text = Path(src).read_text(encoding="utf-8")
            for k, v in sorted((d.get("vars") or {}).items()):
                text = text.replace(f"@{k}@", str(v))
            Path(out).write_text(text, encoding="utf-8")
            os.chmod(out, 0o755 if d.get("isExecutable") else 0o644)
        elif kind in ("closureInfo", "closureList"):
            if self.closure is None:
                raise RealizeError(f"cannot compute the closure for '{r.name}' here")
            roots = [_store_path_of(p) for p in d.get("rootPaths") or []]
            infos = self.closure(roots)
            listing = "".join(f"{i.path}\n" for i in infos)
            if kind == "closureList":
                Path(out).write_text(listing, encoding="utf-8")
            else:
                os.makedirs(out)
                Path(out, "store-paths").write_text(listing, encoding="utf-8")
                reg = []
                for i in infos:
                    refs = sorted(set(i.references))
                    reg += [i.path, i.nar_hash or "", str(i.nar_size), "", str(len(refs)), *refs]
                Path(out, "registration").write_text("".join(x + "\n" for x in reg), encoding="utf-8")
                total = sum(i.nar_size for i in infos)
                Path(out, "total-nar-size").write_text(f"{total}\n", encoding="utf-8")
        else:
            raise RealizeError(f"nix2image cannot build '{r.name}' (a {kind})")

    def _lndir(self, src: str, src_store: str, dst: str) -> None:
        """lndir -silent: mirror ``src`` as real directories with symlinks to files; first wins."""
        for entry in sorted(os.listdir(src)):
            s = os.path.join(src, entry)
            t = os.path.join(dst, entry)
            target = src_store + "/" + entry
            if os.path.isdir(s) and not os.path.islink(s):
                if os.path.islink(t) or (os.path.lexists(t) and not os.path.isdir(t)):
                    continue
                os.makedirs(t, exist_ok=True)
                self._lndir(s, target, t)
            elif not os.path.lexists(t):
                os.symlink(target, t)

    def _bash(self, r: Recipe, script: str, out: str, scratch: str, env: dict[str, str], inputs: list) -> None:
        bash = shutil.which("bash")
        if bash is None:
            raise RealizeError(f"bash is needed to build '{r.name}' but is not installed")
        build = os.path.join(scratch, "build")
        os.makedirs(build, exist_ok=True)
        paths = [p + "/bin" for p in inputs if isinstance(p, str)]
        full_env = {
            "PATH": ":".join(paths + [os.environ.get("PATH", "/usr/bin:/bin")]),
            "HOME": "/homeless-shelter",
            "NIX_BUILD_TOP": build,
            "TMPDIR": build,
            "TMP": build,
            "TEMP": build,
            "out": out,
            "name": r.name,
            "NIX_STORE": "/nix/store",
            "LANG": "C",
            "SOURCE_DATE_EPOCH": "1",
        }
        full_env.update(env)
        full_env["out"] = out
        argv = [bash, "-e", "-c", script]
        mounts = self._input_mounts(r)
        if mounts and store_namespaces_work():
            # inputs appear at their store paths, as in a Nix build (a private mount namespace)
            table = os.path.join(scratch, "mounts.tsv")
            Path(table).write_text("".join(f"{sp}\t{loc}\n" for sp, loc in mounts), encoding="utf-8")
            full_env["N2I_MOUNTS"] = table
            full_env["N2I_REAL"] = os.path.join(scratch, "real-store")
            full_env["N2I_SCRIPT"] = script
            argv = ["unshare", "-rm", bash, "-e", "-c", _NAMESPACE_SETUP]
        proc = subprocess.run(argv, cwd=build, env=full_env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            where = f" (defined at {r.pos})" if r.pos else ""
            missing = self._inputs_without_content(r)
            if missing:
                raise MissingInputError(
                    f"the build script of '{r.name}'{where} failed (exit code {proc.returncode}) and its inputs "
                    f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''} have no content here:\n{tail}",
                    hint="provide them with a Nix store (--store), --bind NAME=PATH, or use --placeholders")
            raise RealizeError(
                f"the build script of '{r.name}'{where} failed with exit code {proc.returncode}:\n{tail}",
                hint="scripts run with the host's bash and tools; store paths of inputs exist only as "
                     "symlink targets unless a real Nix store or --bind provides them")


    def _inputs_without_content(self, r: Recipe) -> list[str]:
        out = []
        for p in sorted(r.refs):
            if p == r.out_path or (p in self.recipes and self.recipes[p].kind in ("image", "pull")):
                continue
            try:
                loc = self.locate(p)
            except UserError:
                loc = None
            if loc is None or (self.synthetic is not None and self.synthetic(p)):
                out.append(p)
        return out

    def _input_mounts(self, r: Recipe) -> list[tuple[str, str]]:
        """(store path, on-disk location) of the recipe's inputs and their closures."""
        paths = sorted(p for p in r.refs if p != r.out_path)
        if self.closure is not None and paths:
            try:
                paths = sorted({i.path for i in self.closure(paths)})
            except UserError:
                pass
        out = []
        for p in paths:
            if p == r.out_path or p in self.recipes and self.recipes[p].kind in ("image", "pull"):
                continue
            try:
                loc = self.locate(p)
            except UserError:
                loc = None
            if loc is not None and os.path.lexists(loc):
                out.append((p, os.path.abspath(loc) if loc != p else loc))
        return out


#: Runs inside ``unshare -rm``: hides the host store behind a tmpfs, then mounts each input at its
#: store path (inputs that live in the host store are reached through a bind of it made first).
_NAMESPACE_SETUP = r"""
set -e
if [ -d /nix/store ]; then mkdir -p "$N2I_REAL"; mount --rbind /nix/store "$N2I_REAL"; fi
mount -t tmpfs nix2image-store /nix/store
while IFS="$(printf '\t')" read -r sp loc; do
  case "$loc" in /nix/store/*) loc="$N2I_REAL/${loc#/nix/store/}" ;; esac
  if [ -d "$loc" ] && [ ! -L "$loc" ]; then mkdir -p "$sp"; else : > "$sp"; fi
  if [ -L "$loc" ]; then rm -f "$sp"; ln -s "$(readlink "$loc")" "$sp"; else mount --bind "$loc" "$sp"; fi
done < "$N2I_MOUNTS"
exec bash -e -c "$N2I_SCRIPT"
"""

_ns_ok: bool | None = None


def store_namespaces_work() -> bool:
    """Whether inputs can be shown at their store paths (user + mount namespaces available)."""
    global _ns_ok
    if _ns_ok is None:
        if shutil.which("unshare") is None or not os.path.isdir("/nix/store"):
            _ns_ok = False
        else:
            try:
                proc = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs n2i /nix/store"],
                                      capture_output=True, timeout=20)
                _ns_ok = proc.returncode == 0
            except (OSError, subprocess.SubprocessError):
                _ns_ok = False
    return _ns_ok


class BuildEnv:
    """nixpkgs' buildEnv: merge package trees under ``pathsToLink``, a directory provided by one
    package is a symlink to it, shared directories become real directories; files provided by
    two packages are a collision (an error unless ``ignoreCollisions``, or equal contents)."""

    def __init__(self, realizer: Realizer, recipe: Recipe, out: str) -> None:
        self.r = realizer
        self.recipe = recipe
        d = recipe.data
        self.out = out
        self.prefix = (d.get("extraPrefix") or "").strip("/")
        self.links = ["/" + p.strip("/") if p.strip("/") else "/" for p in (d.get("pathsToLink") or ["/"])]
        self.ignore = bool(d.get("ignoreCollisions"))
        self.check_contents = d.get("checkCollisionContents", True)
        # rel path -> ("dir", None) | ("link", (store_target, disk_location))
        self.tree: dict[str, tuple[str, tuple[str, str] | None]] = {"": ("dir", None)}

    def in_links(self, rel: str) -> bool:
        p = "/" + rel if rel else "/"
        return any(l == "/" or p == l or p.startswith(l + "/") for l in self.links)

    def parent_of_link(self, rel: str) -> bool:
        p = "/" + rel if rel else ""
        return any(l.startswith(p + "/") for l in self.links)

    def run(self) -> None:
        for p in self.recipe.data.get("paths") or []:
            sp = _store_path_of(p)
            self.add("", p, self.r._input(p), sp)
        root = os.path.join(self.out, self.prefix) if self.prefix else self.out
        os.makedirs(root, exist_ok=True)
        for rel in sorted(self.tree):
            kind, info = self.tree[rel]
            dest = os.path.join(root, rel) if rel else root
            if kind == "dir":
                os.makedirs(dest, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                os.symlink(info[0], dest)

    def add(self, rel: str, target: str, loc: str, owner: str) -> None:
        base = rel.rsplit("/", 1)[-1]
        if rel in ("nix-support", "propagated-build-inputs") or rel.endswith("info/dir") \
                or base in ("perllocal.pod", "log"):
            return  # as nixpkgs' buildEnv: package metadata is not linked
        is_dir = os.path.isdir(loc)
        existing = self.tree.get(rel)
        if is_dir:
            if not (self.in_links(rel) or self.parent_of_link(rel)):
                return
            if existing is None:
                if rel and self.in_links(rel):
                    self.tree[rel] = ("link", (target, loc))
                    return
                self.tree[rel] = ("dir", None)
            elif existing[0] == "link":
                old_target, old_loc = existing[1]
                if not os.path.isdir(old_loc):
                    self.collision(rel, old_target, target)
                    return
                self.tree[rel] = ("dir", None)
                self._remove_below(rel)
                for entry in sorted(os.listdir(old_loc)):
                    self.add(f"{rel}/{entry}" if rel else entry, f"{old_target}/{entry}", os.path.join(old_loc, entry), owner)
            for entry in sorted(os.listdir(loc)):
                self.add(f"{rel}/{entry}" if rel else entry, f"{target}/{entry}", os.path.join(loc, entry), owner)
            return
        if not self.in_links(rel):
            return
        if existing is None:
            self.tree[rel] = ("link", (target, loc))
            return
        if existing[0] == "dir":
            self.collision(rel, "a directory", target)
            return
        old_target, old_loc = existing[1]
        if old_target == target:
            return
        if self.check_contents and _same_content(old_loc, loc):
            return
        if "/placeholders/" in old_loc and "/placeholders/" in loc:
            return  # two synthetic stand-ins: no real files collide
        self.collision(rel, old_target, target)

    def _remove_below(self, rel: str) -> None:
        for k in [k for k in self.tree if k.startswith(rel + "/")]:
            del self.tree[k]

    def collision(self, rel: str, a: str, b: str) -> None:
        if self.ignore or "nix2image-placeholder" in rel:
            return  # placeholders all carry the same file names: not a real collision
        raise RealizeError(
            f"buildEnv '{self.recipe.name}': collision between `{a}' and `{b}' (at /{rel})"
            + (f", defined at {self.recipe.pos}" if self.recipe.pos else ""),
            hint="set ignoreCollisions = true; or remove one of the packages")


def _same_content(a: str, b: str) -> bool:
    try:
        if os.path.islink(a) and os.path.islink(b):
            return os.readlink(a) == os.readlink(b)
        if os.path.isfile(a) and os.path.isfile(b):
            return Path(a).read_bytes() == Path(b).read_bytes()
    except OSError:
        return False
    return False


def _store_path_of(path: str) -> str:
    if not path.startswith(STORE):
        return path
    rest = path[len(STORE):]
    return STORE + rest.split("/", 1)[0]


def _rewrite(root: str, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (same length) in file contents and symlink targets below root."""
    if len(old) != len(new):
        raise ValueError("rewrite needs equal lengths")
    ob, nb = old.encode(), new.encode()

    def fix(path: str) -> None:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            t = os.readlink(path)
            if old in t:
                os.unlink(path)
                os.symlink(t.replace(old, new), path)
        elif stat.S_ISREG(st.st_mode):
            data = Path(path).read_bytes()
            if ob in data:
                Path(path).write_bytes(data.replace(ob, nb))
                os.chmod(path, st.st_mode & 0o7777)

    if os.path.isdir(root) and not os.path.islink(root):
        for dirpath, dirnames, filenames in os.walk(root):
            for n in dirnames + filenames:
                p = os.path.join(dirpath, n)
                if os.path.islink(p) or os.path.isfile(p):
                    fix(p)
    else:
        fix(root)


def scan_references(root: str, candidates: set[str]) -> set[str]:
    """The candidates whose hash part occurs in a file or symlink target below ``root``."""
    by_hash = {hash_part(c).encode(): c for c in candidates if c.startswith(STORE)}
    found: set[str] = set()
    if not by_hash:
        return found

    def scan(data: bytes) -> None:
        if b"/nix/store/" not in data and not any(h in data for h in by_hash):
            return
        for h, c in by_hash.items():
            if c not in found and h in data:
                found.add(c)

    def visit(path: str) -> None:
        if os.path.islink(path):
            scan(os.readlink(path).encode())
        elif os.path.isfile(path):
            scan(Path(path).read_bytes())

    if os.path.isdir(root) and not os.path.islink(root):
        for dirpath, dirnames, filenames in os.walk(root):
            for n in dirnames + filenames:
                visit(os.path.join(dirpath, n))
    else:
        visit(root)
    return found
