"""The script's root filesystem: the base image below, the change above.

:func:`mount_root` tries, in order (or only the one forced by ``NIX2IMAGE_RUNASROOT_OVERLAY``):

* ``kernel`` - overlayfs (``userxattr`` inside a user namespace, so whiteouts and opaque
  markers need no privilege outside it);
* ``fuse`` - ``fuse-overlayfs`` (Debian package ``fuse-overlayfs``) where the kernel refuses;
* ``copy`` - the lower tree copied (owners kept) and the upper one copied over it; the change
  is then found by comparison (:func:`translator.runasroot.layer_diff.copy_changes`).

Runs inside the build's private namespaces (see :mod:`.worker`), as root there.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile

from . import libc

MODES = ("kernel", "fuse", "copy")


class OverlayError(Exception):
    """No way to make the root filesystem; the message lists what each mode said."""


def copy_tree(src: str, dst: str) -> None:
    """Copy ``src`` into the existing directory ``dst`` keeping owners, modes and links (as
    ``cp -a`` does, hard links aside); later trees replace earlier entries of the same name."""
    for name in sorted(os.listdir(src)):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        st = os.lstat(s)
        if os.path.lexists(d) and not (stat.S_ISDIR(st.st_mode) and os.path.isdir(d) and not os.path.islink(d)):
            if os.path.isdir(d) and not os.path.islink(d):
                shutil.rmtree(d)
            else:
                os.unlink(d)
        if stat.S_ISDIR(st.st_mode):
            if not os.path.isdir(d):
                os.mkdir(d, 0o700)
            copy_tree(s, d)
        elif stat.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(s), d)
        elif stat.S_ISREG(st.st_mode):
            shutil.copyfile(s, d, follow_symlinks=False)
        else:
            os.mknod(d, st.st_mode, st.st_rdev)
        os.lchown(d, st.st_uid, st.st_gid)
        if not stat.S_ISLNK(st.st_mode):
            os.chmod(d, stat.S_IMODE(st.st_mode))


def force_rmtree(path: str) -> None:
    """Remove ``path`` whatever the modes inside it (store directories are 0555)."""
    if not os.path.lexists(path):
        return
    for dirpath, dirnames, _ in os.walk(path):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            if not os.path.islink(p):
                try:
                    os.chmod(p, 0o700)
                except OSError:
                    pass
    shutil.rmtree(path, ignore_errors=True)


def _kernel(lower: str, upper: str, work: str, merged: str) -> None:
    bad = [p for p in (lower, upper, work) if "," in p or ":" in p]
    if bad:
        raise OSError(0, f"the scratch path {bad[0]} has ',' or ':', which overlayfs options cannot hold")
    libc.mount("overlay", merged, "overlay", 0, f"lowerdir={lower},upperdir={upper},workdir={work},userxattr")


def _fuse(lower: str, upper: str, work: str, merged: str) -> None:
    exe = shutil.which("fuse-overlayfs")
    if exe is None:
        raise OSError(0, "fuse-overlayfs is not installed (Debian package fuse-overlayfs)")
    if not os.path.exists("/dev/fuse"):
        raise OSError(0, "/dev/fuse is missing")
    # its daemon keeps the descriptors it inherits: give it a file, not a pipe to wait on
    with tempfile.TemporaryFile() as err:
        proc = subprocess.run([exe, "-o", f"lowerdir={lower},upperdir={upper},workdir={work}", merged],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        err.seek(0)
        msg = err.read().decode(errors="replace").strip()
    if proc.returncode != 0:
        raise OSError(0, f"fuse-overlayfs: {msg or 'exit ' + str(proc.returncode)}")


def _copy(lower: str, upper: str, work: str, merged: str) -> None:
    copy_tree(lower, merged)
    copy_tree(upper, merged)


def mount_root(lower: str, upper: str, work: str, merged: str, forced: str | None = None) -> tuple[str, list[str]]:
    """Make ``merged`` the union of ``lower`` and ``upper``; returns ``(mode, why others failed)``."""
    tried: list[str] = []
    for mode in ([forced] if forced else MODES):
        fn = {"kernel": _kernel, "fuse": _fuse, "copy": _copy}.get(mode)
        if fn is None:
            raise OverlayError(f"unknown overlay mode {mode!r} (one of {', '.join(MODES)})")
        try:
            fn(lower, upper, work, merged)
            return mode, tried
        except OSError as err:
            tried.append(f"{mode}: {err.strerror or err}")
    raise OverlayError("; ".join(tried))


def unmount_root(mode: str, merged: str) -> None:
    if mode in ("kernel", "fuse"):
        libc.umount(merged)
