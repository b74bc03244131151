"""Layer contents: which tar entries, in which order, with which metadata.

* :func:`store_layer_entries` - a store layer exactly as nixpkgs' ``stream_layered_image.py``
  writes it (``/nix/``, ``/nix/store/``, then each path and its tree in pathlib order, absolute
  names, hard links as regular files, a store path that is a symlink as one symlink entry,
  forced mtime/uid/gid/uname/gname).
* :func:`customisation_root` / :func:`tree_entries` - buildLayeredImage's customisation layer:
  ``contents`` linked into a root as ``symlinkJoin`` (lndir) does, ``extraCommands`` run by bash,
  ``fakeRootCommands`` under ``fakeroot`` with the resulting ownership read back inside it.
* :func:`copy_to_root` - buildImage's layer root: ``copyToRoot`` copied as ``rsync -ak`` (or
  ``-aK`` with ``keepContentsDirlinks``) does.

Everything here returns :class:`~translator.image.tarwriter.Entry` lists; writing is elsewhere.
"""

from __future__ import annotations

import json
import operator
import os
import shutil
import stat
import sys
import tarfile
from dataclasses import dataclass

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Iterator

from ..errors import UserError
from .tarwriter import Entry, HeaderTemplate, header_template

S_ISREG, S_ISDIR = stat.S_ISREG, stat.S_ISDIR
REGTYPE = tarfile.REGTYPE

STORE_DIR = "/nix/store"


@dataclass(frozen=True, slots=True)
class Owner:
    """The metadata forced on every entry of a layer (nixpkgs' conf ``mtime``/``uid``/...)."""

    mtime: int = 1
    uid: int = 0
    gid: int = 0
    uname: str = "root"
    gname: str = "root"


class DirectContent:
    """A :class:`~translator.spec.ContentSource` for a real local store: a path is its own location."""

    def location(self, store_path: str) -> str:
        return store_path


class RootedContent:
    """Store paths found under another directory (``ROOT/nix/store/...``), e.g. an unpacked closure."""

    def __init__(self, root: str) -> None:
        self.root = root

    def location(self, store_path: str) -> str:
        return os.path.join(self.root, store_path.lstrip("/"))


def _info(name: str, st: os.stat_result, src: str, owner: Owner, template: HeaderTemplate | None = None) -> Entry:
    """A header for ``src`` as ``tarfile.gettarinfo`` builds it, then the owner fields forced.

    With ``template`` (the owner's :class:`HeaderTemplate`) the header bytes of regular files
    are made here, in the walk, without going through the generic encoder.
    """
    ti = tarfile.TarInfo(name)
    mode = st.st_mode
    ti.mode = perm = mode & 0o7777
    if S_ISREG(mode):
        ti.type = REGTYPE
        ti.size = size = st.st_size
        ti.mtime = owner.mtime
        ti.uid, ti.gid, ti.uname, ti.gname = owner.uid, owner.gid, owner.uname, owner.gname
        return Entry(ti, source=src, header=template.header(name, perm, size, REGTYPE) if template else None)
    if S_ISDIR(mode):
        ti.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(mode):
        ti.type = tarfile.SYMTYPE
        ti.linkname = os.readlink(src)
    elif stat.S_ISFIFO(mode):
        ti.type = tarfile.FIFOTYPE
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        ti.type = tarfile.CHRTYPE if stat.S_ISCHR(mode) else tarfile.BLKTYPE
        ti.devmajor = os.major(st.st_rdev)
        ti.devminor = os.minor(st.st_rdev)
    else:  # sockets and the like cannot be archived
        raise UserError(f"cannot archive {src}: unsupported file type")
    ti.mtime = owner.mtime
    ti.uid, ti.gid, ti.uname, ti.gname = owner.uid, owner.gid, owner.uname, owner.gname
    return Entry(ti)


def nix_dirs(owner: Owner) -> list[Entry]:
    """``/nix/`` and ``/nix/store/``, 0755, written first in every store layer."""
    out = []
    for name in ("/nix", "/nix/store"):
        ti = tarfile.TarInfo(name)
        ti.type = tarfile.DIRTYPE
        ti.mode = 0o755
        ti.mtime = owner.mtime
        ti.uid, ti.gid, ti.uname, ti.gname = owner.uid, owner.gid, owner.uname, owner.gname
        out.append(Entry(ti))
    return out


def _listing(directory: str) -> list[os.DirEntry]:
    """The entries of ``directory`` sorted by name (code points, as pathlib sorts)."""
    try:
        with os.scandir(directory) as it:
            return sorted(it, key=_BY_NAME)
    except OSError as err:
        raise UserError(f"cannot read {directory}: {err.strerror}") from err


_BY_NAME = operator.attrgetter("name")


def walk_sorted(location: str) -> Iterator[tuple[str, os.stat_result, str]]:
    """``(relative path, lstat, on-disk path)`` for everything under ``location``, in pathlib order.

    Pathlib orders paths by their tuple of components, which is a depth-first pre-order walk with
    each directory's names sorted by code point. Symlinks are never followed. One ``scandir`` per
    directory and one ``lstat`` per entry; an explicit stack instead of nested generators, so
    an entry costs the same at any depth.
    """
    stack = [("", iter(_listing(location)))]
    while stack:
        prefix, it = stack[-1]
        for de in it:
            st = de.stat(follow_symlinks=False)
            rel = prefix + de.name
            yield rel, st, de.path
            if stat.S_ISDIR(st.st_mode):
                stack.append((rel + "/", iter(_listing(de.path))))
                break
        else:
            stack.pop()


def store_path_entries(store_path: str, location: str, owner: Owner) -> Iterator[Entry]:
    """One store path and its tree, named absolutely under the store path."""
    try:
        st = os.lstat(location)
    except OSError as err:
        raise UserError(f"store path {store_path} has no content at {location} ({err.strerror})") from err
    template = header_template(owner.uid, owner.gid, owner.uname, owner.gname, owner.mtime)
    yield _info(store_path, st, location, owner, template)
    if stat.S_ISDIR(st.st_mode):
        for rel, st2, full in walk_sorted(location):
            yield _info(store_path + "/" + rel, st2, full, owner, template)


def store_layer_entries(paths: list[str] | tuple[str, ...], content, owner: Owner) -> list[Entry]:
    """All entries of a store layer holding ``paths`` (in the order given, never re-sorted)."""
    entries = nix_dirs(owner)
    for p in paths:
        entries.extend(store_path_entries(p, content.location(p), owner))
    return entries


def tree_entries(root: str, *, owner: Owner, overrides: dict[str, list[int]] | None = None,
                 exclude_top: tuple[str, ...] = ()) -> list[Entry]:
    """Entries for a whole directory tree (names relative, no ``./``), in pathlib order.

    ``overrides`` maps a relative path to ``[uid, gid, mode]`` as seen under fakeroot.
    """
    out = []
    for rel, st, full in walk_sorted(root):
        if rel.split("/", 1)[0] in exclude_top:
            continue
        e = _info(rel, st, full, owner)
        if overrides is not None and rel in overrides:
            uid, gid, mode = overrides[rel]
            e.info.uid, e.info.gid = uid, gid
            e.info.mode = stat.S_IMODE(mode)
            e.info.uname = e.info.gname = ""
        out.append(e)
    return out


# --- customisation layer (buildLayeredImage) -------------------------------------------------

def link_join(root: str, sources: list[tuple[str, str]]) -> None:
    """Populate ``root`` as ``symlinkJoin`` (lndir -silent) does: directories are merged as real
    directories, files become symlinks to their absolute store path, symlinks are copied; the
    first path providing a name wins.

    ``sources`` are ``(store path, on-disk location)`` pairs.
    """
    def join(src_loc: str, src_name: str, dst: str) -> None:
        for name in sorted(os.listdir(src_loc)):
            s = os.path.join(src_loc, name)
            d = os.path.join(dst, name)
            sname = src_name + "/" + name
            is_dir = os.path.isdir(s)  # follows symlinks, as lndir's stat does
            if is_dir:
                if os.path.lexists(d) and not (os.path.isdir(d) and not os.path.islink(d)):
                    continue  # a file of an earlier path already has this name
                if not os.path.lexists(d):
                    os.mkdir(d)
                    os.chmod(d, 0o755)
                join(s, sname, d)
            else:
                if os.path.lexists(d):
                    continue
                if os.path.islink(s):
                    os.symlink(os.readlink(s), d)
                else:
                    os.symlink(sname, d)

    for store_path, loc in sources:
        if os.path.isdir(loc):
            join(loc, store_path, root)


_STATDUMP = r"""
import json, os, sys
root = sys.argv[1]
out = {}
for dirpath, dirnames, filenames in os.walk(root):
    for n in dirnames + filenames:
        full = os.path.join(dirpath, n)
        st = os.lstat(full)
        out[os.path.relpath(full, root)] = [st.st_uid, st.st_gid, st.st_mode]
with open(sys.argv[2], "w") as f:
    json.dump(out, f)
"""


def _command_env(root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.update({"HOME": "/homeless-shelter", "out": root, "SOURCE_DATE_EPOCH": "1"})
    return env


def _store_view(cmd: list[str], script: str, content, root: str) -> list[str]:
    """``cmd`` run where the store paths ``script`` names are visible under /nix/store even when
    their content is elsewhere (placeholders, --bind): see :mod:`translator.runasroot.storeview`."""
    if content is None:
        return cmd
    from ..runasroot import command_view
    from ..runasroot.storeview import wrap_command

    scratch = os.path.join(os.path.dirname(root), ".store-view")
    return wrap_command(cmd, command_view(script, content, scratch), scratch)


def run_extra_commands(root: str, script: str, what: str = "extraCommands", content=None) -> None:
    """Run ``script`` with bash in ``root`` (as nixpkgs runs extraCommands in the layer dir)."""
    if not script.strip():
        return
    if shutil.which("bash") is None:
        raise UserError(f"{what} needs bash, which is not on PATH")
    import subprocess  # (extraCommands and fakeRootCommands only: not on every build's start-up)

    proc = subprocess.run(_store_view(["bash", "-e", "-c", script], script, content, root), cwd=root, env=_command_env(root),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise UserError(f"{what} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")


def run_fake_root(root: str, script: str, fakechroot: bool = False, content=None) -> dict[str, list[int]]:
    """Run ``fakeRootCommands`` under ``fakeroot`` and return the ownership it leaves.

    The ownership fakeroot pretends (``chown``, ``mknod`` modes...) exists only inside the
    fakeroot session, so the tree is stat-ed from inside that same session and the result
    (``{relpath: [uid, gid, mode]}``) is applied to the tar entries.
    """
    if shutil.which("fakeroot") is None:
        raise UserError("fakeRootCommands need the `fakeroot` program (Debian package fakeroot), not found on PATH")
    # enableFakechroot: nixpkgs runs the commands under proot with the layer as "/". Without
    # root or proot there is no chroot: the commands run in the layer directory (relative paths
    # work; absolute ones are not redirected) and the caller warns about it.
    del fakechroot
    cmd = ("set -e\ncd \"$1\"\n(\n" + (script or ":") + "\n)\ncd /\nexec \"$2\" -c \"$3\" \"$1\" \"$4\"\n")
    dump = os.path.join(os.path.dirname(root), ".fakeroot-state.json")
    import subprocess

    proc = subprocess.run(_store_view(["fakeroot", "--", "bash", "-c", cmd, "fakeroot", root, sys.executable, _STATDUMP, dump],
                                      script, content, root),
                          env=_command_env(root), capture_output=True, text=True)
    if proc.returncode != 0:
        raise UserError(f"fakeRootCommands failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    try:
        with open(dump) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        raise UserError(f"fakeRootCommands: could not read the ownership fakeroot recorded ({err})") from err
    finally:
        if os.path.exists(dump):
            os.unlink(dump)


def customisation_root(workdir: str, contents: list[str], content, *, extra_commands: str = "",
                       fake_root_commands: str = "", enable_fakechroot: bool = False, prepare=None
                       ) -> tuple[str, dict[str, list[int]] | None]:
    """Build the customisation layer's root under ``workdir``; returns ``(root, ownership overrides)``."""
    root = os.path.join(workdir, "customisation")
    os.mkdir(root)
    os.chmod(root, 0o755)
    link_join(root, [(p, content.location(p)) for p in contents])
    if prepare is not None:  # e.g. the Nix database of *WithNixDb, made before extraCommands as nixpkgs does
        prepare(root)
    run_extra_commands(root, extra_commands, content=content)
    overrides = None
    if fake_root_commands.strip() or enable_fakechroot:
        overrides = run_fake_root(root, fake_root_commands, enable_fakechroot, content=content)
    return root, overrides


# --- buildImage layer ------------------------------------------------------------------------

def _copy_tree(src: str, dst: str, keep_dirlinks: bool) -> None:
    """Merge ``src/`` into ``dst/`` as ``rsync -a -k`` (default) or ``rsync -a -K`` does.

    ``-k``: a symlink to a directory in the source is copied as the directory it points to.
    ``-K``: source symlinks stay symlinks, and a symlink to a directory already in the
    destination is kept and copied through.
    """
    for name in sorted(os.listdir(src)):
        s = os.path.join(src, name)
        d = os.path.join(dst, name)
        s_is_link = os.path.islink(s)
        s_is_dir = os.path.isdir(s) if (not keep_dirlinks or not s_is_link) else False
        if s_is_dir:
            if os.path.islink(d) and keep_dirlinks and os.path.isdir(d):
                _copy_tree(s, d, keep_dirlinks)  # -K: follow the receiver's dirlink
                continue
            if os.path.lexists(d) and not (os.path.isdir(d) and not os.path.islink(d)):
                _remove(d)
            if not os.path.lexists(d):
                os.mkdir(d)
            _copy_tree(s, d, keep_dirlinks)
            shutil.copystat(s, d, follow_symlinks=True)
        else:
            if os.path.lexists(d):
                _remove(d)
            if s_is_link:
                os.symlink(os.readlink(s), d)
            else:
                shutil.copy2(s, d)


def _remove(p: str) -> None:
    if os.path.isdir(p) and not os.path.islink(p):
        for dirpath, dirnames, _ in os.walk(p):
            os.chmod(dirpath, 0o755)
        shutil.rmtree(p)
    else:
        os.unlink(p)


def _make_writable(root: str) -> list[tuple[str, int]]:
    """Give the owner write access to every directory (store dirs are 0555); returns what to restore."""
    saved = []
    for dirpath, dirnames, _ in os.walk(root):
        for n in dirnames:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                continue
            m = stat.S_IMODE(os.lstat(p).st_mode)
            if not m & 0o200:
                saved.append((p, m))
                os.chmod(p, m | 0o200)
    return saved


def copy_to_root(workdir: str, paths: list[str], content, *, keep_dirlinks: bool,
                 extra_commands: str = "", prepare=None) -> str:
    """buildImage's layer root: each ``copyToRoot`` path copied in, then ``extraCommands``."""
    root = os.path.join(workdir, "root")
    os.mkdir(root)
    os.chmod(root, 0o755)
    for p in paths:
        loc = content.location(p)
        if os.path.isdir(loc):
            saved = _make_writable(root)
            _copy_tree(loc, root, keep_dirlinks)
            for d, m in saved:
                if os.path.isdir(d):
                    os.chmod(d, m)
    saved = _make_writable(root)
    if prepare is not None:
        prepare(root)
    run_extra_commands(root, extra_commands, content=content)
    for d, m in reversed(saved):
        if os.path.isdir(d) and not os.path.islink(d):
            os.chmod(d, m)
    return root
