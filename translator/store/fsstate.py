"""What the file system says about a path's state, for caches keyed by it rather than by content.

Every cache that trusts file metadata (readDir listings, parsed files, source hashes, store
layers without a narHash) follows the same two rules, kept here once:

* a change is seen through the mtime *and* the ctime: any write moves the ctime, which nobody
  can set back, so an edit that restores the mtime is still seen;
* a path changed within the last :data:`SETTLED_NS` is not trusted: a second change within one
  tick of the file system's clock would leave its times as they were.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time

#: How long ago a path must have last changed for its metadata to stand for its content.
SETTLED_NS = 2_000_000_000


def last_change(st: os.stat_result) -> int:
    """When the object ``st`` describes last changed (its newer of mtime and ctime, in ns)."""
    return max(st.st_mtime_ns, st.st_ctime_ns)


def settled(changed_ns: int) -> bool:
    """Whether something last changed at ``changed_ns`` may be keyed by its metadata."""
    return time.time_ns() - changed_ns > SETTLED_NS


def tree_state(location: str) -> tuple[str, int]:
    """(fingerprint, newest change in ns) of everything under ``location``, symlinks not
    followed: a hash of the names, types, modes, sizes, mtimes, ctimes and inodes, read without
    opening a file. Directories are read in the order the file system gives: an unchanged one
    lists the same way, and another order could only cost a miss, never a wrong hit."""
    st = os.lstat(location)
    newest = last_change(st)
    parts: list = [(".", st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)]
    add = parts.append
    stack = [(location, "")] if stat.S_ISDIR(st.st_mode) else []
    while stack:
        d, rel = stack.pop()
        try:
            with os.scandir(d) as it:
                for e in it:
                    st = e.stat(follow_symlinks=False)
                    r = rel + "/" + e.name
                    add((r, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
                    newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
                    if stat.S_ISDIR(st.st_mode):
                        stack.append((e.path, r))
        except OSError as err:
            add(("!" + rel, err.errno))
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogateescape")).hexdigest(), newest


