"""File system builtins: readFile, readDir, pathExists, hashFile, baseNameOf, dirOf, toPath,
findFile.

These read the local file system exactly as ``nix-instantiate --eval`` does (no store is
involved: nothing is copied). :func:`find_file` is Nix's search path lookup, shared with the
evaluator's ``<name>`` syntax.
"""

from __future__ import annotations

import os
import sys

from ..values import EvalError, NixAttrs, NixPath, NixString, force
from .. import limits
from .. import operations as ops
from . import builtin
from ...store.add import known_text, local_source
from ...store.fsstate import last_change, settled
from ..paths import canon_path
from ._util import force_string_noctx, from_bytes
from .strings import hash_bytes

#: Where ``<nix/...>`` resolves when no search path entry has it (Nix 2.8's corepkgs).
COREPKGS_PREFIX = "/__corepkgs__/"




def base_name_of(path: str) -> str:
    """Nix's baseNameOf: the last component, ignoring one trailing slash."""
    if not path:
        return ""
    last = len(path) - 1
    if path[last] == "/" and last > 0:
        last -= 1
    i = path.rfind("/", 0, last + 1)
    return path[i + 1:last + 1]


def dir_of(path: str) -> str:
    """Nix's dirOf: everything before the last slash (``.`` when there is none)."""
    i = path.rfind("/")
    if i < 0:
        return "."
    return "/" if i == 0 else path[:i]


def _os_error(what: str, path: str, err: OSError, pos) -> EvalError:
    return EvalError(f"{what} '{path}': {err.strerror or err}", pos)


def _read_bytes(path: str, pos) -> bytes:
    """The file's bytes, with Nix's messages for a file that cannot be opened or read (a file
    under a store path computed from a local source, never copied, is read from that source)."""
    text = known_text(path)
    if text is not None:
        return text.encode("utf-8", "surrogateescape")
    try:
        fh = open(local_source(path), "rb")
    except IsADirectoryError:
        raise EvalError("reading from file: Is a directory", pos) from None
    except OSError as err:
        raise _os_error("opening file", path, err, pos) from None
    with fh:
        try:
            return fh.read()
        except OSError as err:
            raise EvalError(f"reading from file: {err.strerror or err}", pos) from None


def unbuilt_output_error(path: str, ctx, pos) -> EvalError | None:
    """Nix realises a path's string context before reading it (building derivations: "import
    from derivation"); nix2image builds nothing while evaluating and has no network, so reading
    an output that is not on disk is this error (naming the download for ``builtin:fetchurl``)."""
    from ...store.derivation import DerivationError, read_derivation

    for c in sorted(ctx):
        if not c.startswith("!"):
            continue
        out, drv_path = c[1:].split("!", 1)
        try:
            drv = read_derivation(drv_path)
        except DerivationError:
            continue
        o = drv.outputs.get(out)
        if o is None or os.path.lexists(o.path):
            continue
        what = f"output '{out}' of '{drv_path}'"
        if drv.builder == "builtin:fetchurl":
            how = (f"it would be downloaded from '{drv.env.get('url', '?')}', and nix2image has no "
                   "network access; make the file available locally (e.g. with --bind) instead")
        else:
            how = "nix2image does not build derivations while evaluating (import from derivation)"
        return EvalError(f"cannot read '{path}': it is {what}, which is not built: {how}", pos)
    return None


def realise_path(v, pos) -> str:
    """``coerceToPath`` for reading: the path, once its context is available on disk."""
    if type(v) is NixPath:  # (the common case: a path value is absolute and has no context)
        return limits.check_path(v.path)
    s = ops.coerce_to_string(v, pos, copy_to_store=False)
    path = ops.coerce_to_path(s, pos)
    if s.ctx:
        err = unbuilt_output_error(path, s.ctx, pos)
        if err is not None:
            raise err
    return limits.check_path(path)


@builtin("readFile", 1)
def prim_read_file(args, pos):
    path = realise_path(args[0], pos)
    data = _read_bytes(path, pos)
    if b"\0" in data:
        raise EvalError(f"the contents of the file '{path}' cannot be represented as a Nix string", pos)
    return NixString(from_bytes(data))


#: readDir results by directory read: (identity of the directory's state, result). A directory's
#: mtime changes whenever an entry is added, removed or renamed (a file replaced by a symlink is
#: a rename), so an unchanged identity means an unchanged listing; nixpkgs' by-name tree is
#: listed again by every stage of the stdenv bootstrap (7,000 calls for 460 directories).
_dir_cache: dict[str, tuple[tuple, NixAttrs]] = {}


#: Directories whose kept listing was read or confirmed by a stat during the current evaluation:
#: one evaluation sees one state of a directory (the stdenv bootstrap lists each by-name shard
#: 16 times), and the next evaluation (:func:`new_evaluation`) confirms the listings again.
_confirmed: set[str] = set()


def new_evaluation() -> None:
    """Called as an evaluation starts: kept listings are checked against their directories again."""
    _confirmed.clear()


def _list_dir(path: str) -> NixAttrs:
    """The entries of directory ``path`` as readDir's set of name -> type (OSError passed on)."""
    if path in _confirmed:
        return _dir_cache[path][1]
    st = os.stat(path)  # a change after this is seen by the next call (a newer mtime)
    key = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
    hit = _dir_cache.get(path)
    if hit is not None and hit[0] == key:
        _confirmed.add(path)
        return hit[1]
    with os.scandir(path) as it:
        entries = list(it)
    d = {}
    for ent in entries:
        # the type the directory entry carries (d_type), as Nix's readDir; a file system that
        # leaves it unknown costs an lstat (made by os.DirEntry itself)
        if ent.is_symlink():
            kind = _SYMLINK
        elif ent.is_dir(follow_symlinks=False):
            kind = _DIRECTORY
        elif ent.is_file(follow_symlinks=False):
            kind = _REGULAR
        else:
            kind = _UNKNOWN
        d[os.fsdecode(ent.name)] = kind
    result = NixAttrs(dict(sorted(d.items())))
    if settled(last_change(st)):  # (else a change within the clock's tick could go unseen)
        _dir_cache[path] = (key, result)
        _confirmed.add(path)
    return result


_SYMLINK, _DIRECTORY, _REGULAR, _UNKNOWN = (NixString(k) for k in ("symlink", "directory", "regular", "unknown"))


@builtin("readDir", 1)
def prim_read_dir(args, pos):
    path = realise_path(args[0], pos)
    try:
        return _list_dir(local_source(path))
    except OSError as err:
        raise _os_error("opening directory", path, err, pos) from None


@builtin("pathExists", 1)
def prim_path_exists(args, pos):
    path = limits.may_exist(ops.coerce_to_path(args[0], pos))
    if path is None:  # forbidden in restricted mode: "does not exist", as Nix says
        return False
    try:
        os.lstat(local_source(path))
    except OSError:
        return known_text(path) is not None
    return True


@builtin("hashFile", 2)
def prim_hash_file(args, pos):
    algo = force_string_noctx(args[0], pos)
    path = realise_path(args[1], pos)
    hash_bytes(algo, b"", pos)  # unknown algorithm: fail before reading
    data = _read_bytes(path, pos)
    return NixString(hash_bytes(algo, data, pos))


@builtin("baseNameOf", 1, glob=True)
def prim_base_name_of(args, pos):
    s = ops.coerce_to_string(args[0], pos, copy_to_store=False)
    return NixString(base_name_of(s.s), s.ctx)


@builtin("dirOf", 1, glob=True)
def prim_dir_of(args, pos):
    v = force(args[0])
    s = ops.coerce_to_string(v, pos, copy_to_store=False)
    d = dir_of(s.s)
    if type(v) is NixPath:
        return NixPath(d)
    return NixString(d, s.ctx)


@builtin("toPath", 1)
def prim_to_path(args, pos):
    s = ops.coerce_to_string(args[0], pos, copy_to_store=False)
    if not s.s.startswith("/"):
        raise EvalError(f"string '{s.s}' doesn't represent an absolute path", pos)
    return NixString(canon_path(s.s), s.ctx)


# --- search path -----------------------------------------------------------------------------

_warned: set[str] = set()


def _resolve_entry(path: str) -> str | None:
    """The directory a search path entry stands for, or None (with Nix's warning) if unusable."""
    if "://" in path or path.startswith("channel:") or path.startswith("flake:"):
        if path not in _warned:
            _warned.add(path)
            sys.stderr.write(f"warning: Nix search path entry '{path}' cannot be downloaded, ignoring\n")
        return None
    full = canon_path(os.path.join(os.getcwd(), path))
    if not os.path.exists(full):
        if path not in _warned:
            _warned.add(path)
            sys.stderr.write(f"warning: Nix search path entry '{full}' does not exist, ignoring\n")
        return None
    return full


def find_file(search_path: list[tuple[str, str]], name: str, pos=None) -> str:
    """Nix's findFile: the first ``prefix=path`` entry under which ``name`` exists.

    Raises the (``tryEval``-catchable) error Nix raises when nothing matches."""
    for prefix, path in search_path:
        if not prefix:
            suffix = "/" + name
        else:
            n = len(prefix)
            if not name.startswith(prefix) or (len(name) > n and name[n] != "/"):
                continue
            suffix = "" if len(name) == n else "/" + name[n + 1:]
        base = _resolve_entry(path)
        if base is None:
            continue
        res = base + suffix
        if os.path.exists(res):
            return canon_path(res)
    if name.startswith("nix/"):
        return COREPKGS_PREFIX + name[4:]
    raise EvalError(f"file '{name}' was not found in the Nix search path (add it using $NIX_PATH or -I)",
                    pos, kind="throw")


@builtin("findFile", 2)
def prim_find_file(args, pos):
    entries: list[tuple[str, str]] = []
    for item in ops.force_list(args[0], pos).items:
        attrs = ops.force_attrs(item, pos)
        prefix = ""
        if "prefix" in attrs.d:
            prefix = force_string_noctx(attrs.d["prefix"], pos)
        if "path" not in attrs.d:
            raise EvalError("attribute 'path' missing for call to 'findFile'", pos)
        path = ops.coerce_to_string(attrs.d["path"], pos, copy_to_store=False).s
        entries.append((prefix, path))
    name = force_string_noctx(args[1], pos)
    return NixPath(limits.check_path(find_file(entries, name, pos)))
