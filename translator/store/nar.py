"""Streaming NAR (Nix ARchive) serialisation of a filesystem path, and its hash and size.

The NAR format is what Nix hashes to name a source path (``"${./dir}"``, ``builtins.path``,
``nix-store --add``) and what ``narHash``/``narSize`` describe. It is a sequence of
length-prefixed strings (little-endian u64 length, bytes, zero padding to a multiple of 8):

    "nix-archive-1" node
    node      = "(" "type" ( "regular" ["executable" ""] "contents" <bytes>
                           | "symlink" "target" <target>
                           | "directory" { "entry" "(" "name" <name> "node" node ")" } ) ")"

Directory entries come in byte order of their names. Only the executable bit of regular files
is recorded (owner ``x``); times, owners and other modes are not. Nothing here builds the whole
archive in memory: a file's contents are streamed to the sink in large blocks, and directories are
walked with an explicit stack (no Python recursion limit on deep trees).
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False  # (typing is imported by type checkers only: at run time it costs every start-up)
if TYPE_CHECKING:
    from typing import Callable, Iterator

from .hashing import Hash, new_hasher

#: ``filter(path, type) -> bool`` decides whether a directory entry is included. ``type`` is
#: ``"regular"``, ``"directory"``, ``"symlink"`` or ``"unknown"``, as Nix passes it to a
#: ``builtins.path``/``filterSource`` filter. The root itself is never filtered (as in Nix).
if TYPE_CHECKING:
    PathFilter = Callable[[str, str], bool]

MAGIC = "nix-archive-1"
_CHUNK = 1 << 20
_FLUSH = 1 << 16


class NarError(OSError):
    """A path that cannot be archived (unsupported file type, file changed while reading)."""


def file_type(st: os.stat_result) -> str:
    """The type name Nix gives a file in filters: regular, directory, symlink or unknown."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return "regular"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISLNK(mode):
        return "symlink"
    return "unknown"


def _pad(n: int) -> bytes:
    return b"\0" * ((8 - n % 8) % 8)


def _str(b: bytes) -> bytes:
    return len(b).to_bytes(8, "little") + b + _pad(len(b))


# Pre-serialised tokens (the fixed words of the format).
_T = {w: _str(w.encode()) for w in (MAGIC, "(", ")", "type", "regular", "executable", "", "contents",
                                    "symlink", "target", "directory", "entry", "name", "node")}
_OPEN_REGULAR = _T["("] + _T["type"] + _T["regular"]
_EXECUTABLE = _T["executable"] + _T[""]
_OPEN_SYMLINK = _T["("] + _T["type"] + _T["symlink"] + _T["target"]
_OPEN_DIR = _T["("] + _T["type"] + _T["directory"]
_OPEN_ENTRY = _T["entry"] + _T["("] + _T["name"]
_CLOSE = _T[")"]


class _Writer:
    """Buffers the small tokens and passes big file blocks straight to the sink."""

    __slots__ = ("sink", "buf", "size")

    def __init__(self, sink: Callable[[bytes], object]) -> None:
        self.sink = sink
        self.buf = bytearray()
        self.size = 0

    def write(self, b: bytes) -> None:
        self.buf += b
        if len(self.buf) >= _FLUSH:
            self.flush()

    def write_big(self, b: bytes) -> None:
        self.flush()
        self.sink(b)
        self.size += len(b)

    def flush(self) -> None:
        if self.buf:
            self.sink(bytes(self.buf))
            self.size += len(self.buf)
            self.buf.clear()


def _dump_regular(w: _Writer, path: bytes, st: os.stat_result) -> None:
    w.write(_OPEN_REGULAR)
    if st.st_mode & stat.S_IXUSR:
        w.write(_EXECUTABLE)
    size = st.st_size
    w.write(_T["contents"] + size.to_bytes(8, "little"))
    left = size
    with open(path, "rb") as f:
        while left > 0:
            block = f.read(min(_CHUNK, left))
            if not block:
                raise NarError(f"file '{os.fsdecode(path)}' changed while it was being archived (shorter than {size} bytes)")
            left -= len(block)
            if len(block) >= _FLUSH:
                w.write_big(block)
            else:
                w.write(block)
    w.write(_pad(size) + _CLOSE)


def _entries(path: bytes, filt: PathFilter | None) -> Iterator[tuple[bytes, bytes, os.stat_result]]:
    """The entries of a directory in NAR order (byte order), filtered, with their lstat."""
    names = sorted(os.listdir(path))
    for name in names:
        child = path + b"/" + name if path != b"/" else b"/" + name
        st = os.lstat(child)
        if filt is not None and not filt(os.fsdecode(child), file_type(st)):
            continue
        yield name, child, st


def _open_node(w: _Writer, path: bytes, st: os.stat_result, filt: PathFilter | None):
    """Write the start of a node; return an entry iterator for a directory (still open), else None."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        _dump_regular(w, path, st)
        return None
    if stat.S_ISLNK(mode):
        w.write(_OPEN_SYMLINK + _str(os.readlink(path)) + _CLOSE)
        return None
    if stat.S_ISDIR(mode):
        w.write(_OPEN_DIR)
        return _entries(path, filt)
    raise NarError(f"file '{os.fsdecode(path)}' has an unsupported type")


def dump(path: str | bytes, sink: Callable[[bytes], object], filter: PathFilter | None = None) -> int:
    """Serialise ``path`` as a NAR into ``sink`` (called with successive byte blocks).

    ``filter`` (see :data:`PathFilter`) prunes directory entries below the root. Returns the
    NAR size in bytes.
    """
    root = os.fsencode(path)
    w = _Writer(sink)
    w.write(_T[MAGIC])
    it = _open_node(w, root, os.lstat(root), filter)
    stack = [it] if it is not None else []
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            w.write(_CLOSE)  # the directory node
            if stack:
                w.write(_CLOSE)  # the entry holding it
            continue
        name, child, st = entry
        w.write(_OPEN_ENTRY + _str(name) + _T["node"])
        sub = _open_node(w, child, st, filter)
        if sub is None:
            w.write(_CLOSE)
        else:
            stack.append(sub)
    w.flush()
    return w.size


def nar_hash(path: str | bytes, filter: PathFilter | None = None, algo: str = "sha256") -> tuple[Hash, int]:
    """The hash of the NAR serialisation of ``path`` and its size, without keeping the NAR."""
    h = new_hasher(algo)
    size = dump(path, h.update, filter)
    return Hash(algo, h.digest()), size


def nar_bytes(path: str | bytes, filter: PathFilter | None = None) -> bytes:
    """The whole NAR of ``path`` in memory (for small paths and tests)."""
    parts: list[bytes] = []
    dump(path, parts.append, filter)
    return b"".join(parts)
