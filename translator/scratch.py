"""Scratch directories that name their owner, and atomic replacement of outputs.

Every run that writes an output (``build -o``, ``stream -o``, ``pull -o``) or spools data
(``stream``, ``push``) works in a scratch directory ``.nix2image-<pid>-<start>-<random>`` created
beside the output (or in the temporary directory). ``<pid>`` and ``<start>`` (the process start
time from ``/proc/<pid>/stat``, in clock ticks since boot) name the owning process: a directory
whose owner is gone - no such pid, or a pid now used by a process that started at another time -
belongs to a run that was killed, and the next run that makes a scratch directory in the same
place removes it. A directory whose owner is alive is never touched. The name carries the owner,
so there is no moment at which a directory exists without one.

Outputs are finished inside the scratch directory and renamed onto their final name, so the final
name holds either the previous output or the whole new one. A directory output (an OCI layout)
is swapped in with ``renameat2(RENAME_EXCHANGE)`` where the kernel has it.

``NIX2IMAGE_TEST_KILL_AFTER_BYTES=N`` (a test hook, see :func:`arm_test_kill`) makes the process
kill itself with SIGKILL once it has written N bytes, to test all of the above.
"""

from __future__ import annotations

import errno
import os
import shutil
import secrets
import signal
import stat
import tempfile
import threading
import time

PREFIX = ".nix2image-"

#: Scratch directories of an unknown format (older versions) are removed once this old (s).
LEGACY_STALE = 24 * 3600


def _start_time(pid: int) -> str | None:
    """The start time of process ``pid`` (field 22 of ``/proc/pid/stat``), or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2:].split()
    return fields[19].decode() if len(fields) > 19 else None


def owner_tag(pid: int | None = None) -> str:
    """``<pid>-<start time>`` of this process (or ``pid``)."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}-{_start_time(pid) or 0}"


def owner_alive(name: str) -> bool | None:
    """Whether the process named in a scratch name ``.nix2image-<pid>-<start>-...`` still runs
    (None when the name does not carry an owner)."""
    parts = name[len(PREFIX):].split("-")
    if len(parts) < 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return _start_time(int(parts[0])) == parts[1]


def remove_tree(path: str) -> None:
    """Remove a file or tree, making read-only directories writable on the way."""
    def onerror(func, p, _exc):
        try:
            os.chmod(os.path.dirname(p), 0o755)
            if os.path.isdir(p) and not os.path.islink(p):
                os.chmod(p, 0o755)
            func(p)
        except OSError:
            pass

    try:
        st = os.lstat(path)
    except OSError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path, onerror=onerror)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass


def sweep(parent: str) -> list[str]:
    """Remove the scratch entries in ``parent`` whose owner process is gone; returns their paths.
    Entries of other users, and of live owners, are left alone."""
    removed = []
    try:
        names = [n for n in os.listdir(parent) if n.startswith(PREFIX)]
    except OSError:
        return removed
    uid = os.getuid()
    now = time.time()
    for n in names:
        p = os.path.join(parent, n)
        try:
            st = os.lstat(p)
        except OSError:
            continue
        if st.st_uid != uid:
            continue
        alive = owner_alive(n)
        if alive is None:  # not ours to judge by name: only when clearly abandoned
            if now - st.st_mtime < LEGACY_STALE or not stat.S_ISDIR(st.st_mode):
                continue
        elif alive:
            continue
        remove_tree(p)
        removed.append(p)
    return removed


_swept: set[str] = set()


def temp_name(directory: str, name: str) -> str:
    """A temporary file name beside ``directory/name``, carrying this process as owner (the
    directory's stale ones are swept once per process)."""
    if directory not in _swept:
        _swept.add(directory)
        sweep(directory)
    return os.path.join(directory, f"{PREFIX}{owner_tag()}-{secrets.token_hex(4)}-{name}.tmp")


def sweep_subdirs_once(root: str) -> None:
    """:func:`sweep` every directory directly below ``root`` (a cache fanned out by key prefix),
    once per process."""
    if root in _swept:
        return
    _swept.add(root)
    try:
        subs = [e.path for e in os.scandir(root) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for sub in subs:
        _swept.add(sub)
        sweep(sub)


def make_scratch(parent: str | None = None, kind: str = "") -> str:
    """A new scratch directory owned by this process in ``parent`` (default: the temporary
    directory), after removing the ones of dead processes there."""
    parent = parent or tempfile.gettempdir()
    sweep(parent)
    return tempfile.mkdtemp(prefix=f"{PREFIX}{owner_tag()}-{kind + '-' if kind else ''}", dir=parent)


class Scratch:
    """``with Scratch(parent) as d:`` - a scratch directory removed on exit (also on errors)."""

    def __init__(self, parent: str | None = None, kind: str = "") -> None:
        self.path = make_scratch(parent, kind)

    def __enter__(self) -> str:
        return self.path

    def __exit__(self, *exc) -> None:
        remove_tree(self.path)


# --- atomic replacement ------------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: str, b: str) -> bool:
    """Swap ``a`` and ``b`` atomically (Linux ``renameat2``); False where unsupported."""
    import ctypes  # (here: 1 ms of every command's start-up otherwise)

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), b)


def replace(tmp: str, dest: str, scratch: str) -> None:
    """Put ``tmp`` (a finished file or directory inside ``scratch``) at ``dest`` atomically: a
    reader of ``dest`` sees the old content or the new, never a mix or nothing. Whatever was at
    ``dest`` ends up in ``scratch`` (removed with it)."""
    for _ in range(100):  # another writer of the same dest may swap in between: retry
        try:
            os.replace(tmp, dest)
            return
        except OSError as err:
            if err.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.EISDIR, errno.ENOTDIR):
                raise
        # dest is a directory (or tmp is and dest is not): swap, or move the old one aside
        if os.path.isdir(tmp) == os.path.isdir(dest) and _exchange(tmp, dest):
            return
        try:
            os.rename(dest, tempfile.mkdtemp(prefix="old-", dir=scratch) + "/x")
        except FileNotFoundError:
            pass
    raise OSError(errno.EBUSY, "kept being replaced by another process", dest)


# --- test hook ----------------------------------------------------------------------------------

_sent = 0
_lock = threading.Lock()


def count_sent(n: int) -> None:
    """Account ``n`` bytes sent over a socket (the kernel's ``wchar`` counts file writes only)."""
    global _sent
    with _lock:
        _sent += n


def _written() -> int:
    try:
        with open("/proc/self/io", "rb") as f:
            for line in f:
                if line.startswith(b"wchar:"):
                    return int(line.split()[1]) + _sent
    except OSError:
        pass
    return _sent


def arm_test_kill() -> None:
    """When ``NIX2IMAGE_TEST_KILL_AFTER_BYTES=N`` is set, SIGKILL this process once it has
    written (to files or pipes, plus registry uploads) N bytes more than at this call.
    Used by the crash-safety tests; it has no effect otherwise."""
    value = os.environ.get("NIX2IMAGE_TEST_KILL_AFTER_BYTES")
    if not value or not value.isdigit():
        return
    limit = _written() + int(value)

    def watch() -> None:
        while _written() < limit:
            time.sleep(0.0005)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="nix2image-test-kill", daemon=True).start()
