"""The part of a runAsRoot build that runs inside its namespaces (``python -m
translator.runasroot.worker PLAN.json``), started by :mod:`.namespace`.

Steps, as nixpkgs' ``mkRootLayer`` runs them in its VM: enter a new user namespace (the parent
writes the id map), then new mount/PID/IPC/UTS namespaces; as PID 1 there: unpack the base
image's flattened tree into ``lower`` (from inside that tree, so its symlinks resolve inside
it), mount the root (:mod:`.overlay`), give it ``/dev`` (a few devices on a tmpfs), ``/proc``
and a read-only ``/nix/store`` holding only the store paths the image needs (plus host tools
with ``--placeholders``), ``pivot_root`` into it and run the script; then unmount, run
``extraCommands`` in the upper directory, write the change as a layer tar
(:mod:`.layer_diff`) and remove the scratch trees. The result (mode, exit status, error) goes to
``result.json``; the script's output to ``script.log``. When this process dies every mount and
process of the namespaces dies with it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tarfile

from . import libc
from .layer_diff import copy_changes, layer_entries, upper_changes
from .overlay import OverlayError, force_rmtree, mount_root, unmount_root

HOST_TOOLS = ".nix2image-host-tools"
SCRIPT = ".nix2image-run-as-root.sh"
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")


class StepError(Exception):
    """A step failed; ``step`` names it for the parent's message."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step


def _write_result(plan: dict, **kw) -> None:
    tmp = plan["result"] + ".tmp"
    with open(tmp, "w") as f:
        json.dump(kw, f)
    os.replace(tmp, plan["result"])


def _run_in_child(fn) -> int:
    """Run ``fn`` in a forked child and return its exit status (its exceptions become status 1
    with the message on stderr)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            fn()
        except BaseException as err:  # noqa: BLE001 - the child must never return into the caller
            print(f"{type(err).__name__}: {err}", file=sys.stderr)
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def unpack_base(base_tar: str, lower: str) -> None:
    """Unpack the flattened base into ``lower`` from inside it (chrooted), so that no member and
    no symlink of the image can reach outside the tree."""
    fd = os.open(base_tar, os.O_RDONLY)

    # chrooted, the image's names and links cannot leave the tree: no filter needed (or wanted:
    # the "data" filter would refuse the absolute symlinks images are full of)
    kw = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}

    def inner() -> None:
        os.chroot(lower)
        os.chdir("/")
        with os.fdopen(fd, "rb") as f, tarfile.open(fileobj=f, mode="r|") as tf:
            for ti in tf:
                tf.extract(ti, "/", set_attrs=True, numeric_owner=True, **kw)

    code = _run_in_child(inner)
    os.close(fd)
    if code != 0:
        raise StepError("unpacking the base image", f"exit {code}")


def _mkdirs(root: str, rel: str, created: list[str]) -> None:
    path = root
    for part in rel.split("/"):
        path = os.path.join(path, part)
        if not os.path.lexists(path):
            os.mkdir(path, 0o755)
            created.append(path)


def _store_view(plan: dict, store: str, lower: str) -> None:
    """A tmpfs at ``store`` with each needed store path bound read-only, the base's own store
    paths, the host tools and the script; then the tmpfs itself is made read-only."""
    libc.mount("tmpfs", store, "tmpfs", libc.MS_NOSUID | libc.MS_NODEV, "mode=0755")
    entries = dict(plan["store"])
    base_store = os.path.join(lower, "nix", "store")
    if os.path.isdir(base_store):
        for name in os.listdir(base_store):
            entries.setdefault(name, os.path.join(base_store, name))
    if plan.get("host_tools"):
        entries[HOST_TOOLS] = plan["host_tools"]
    for name, loc in sorted(entries.items()):
        target = os.path.join(store, name)
        if os.path.isdir(loc) and not os.path.islink(loc):
            os.mkdir(target)
            libc.bind(loc, target)
        elif os.path.islink(loc):
            os.symlink(os.readlink(loc), target)
        else:
            open(target, "w").close()
            libc.bind(loc, target)
    with open(os.path.join(store, SCRIPT), "w") as f:
        f.write(plan["script"])
    os.chmod(os.path.join(store, SCRIPT), 0o555)
    libc.mount(None, store, None, libc.MS_REMOUNT | libc.MS_RDONLY | libc.MS_NOSUID | libc.MS_NODEV, "mode=0755")


def _dev(dev: str) -> None:
    libc.mount("tmpfs", dev, "tmpfs", libc.MS_NOSUID, "mode=0755")
    for name in DEVICES:
        target = os.path.join(dev, name)
        if os.path.exists("/dev/" + name):
            open(target, "w").close()
            libc.bind("/dev/" + name, target, readonly=False)
    for name, to in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                     ("stderr", "/proc/self/fd/2")):
        os.symlink(to, os.path.join(dev, name))
    os.mkdir(os.path.join(dev, "shm"), 0o1777)
    os.chmod(os.path.join(dev, "shm"), 0o1777)


def run_script(plan: dict, merged: str, lower: str) -> int:
    """Run the wrapper script as root with ``merged`` as ``/``; returns its exit status.

    The child takes its own mount namespace, so ``/dev``, ``/proc``, the store view and the
    ``pivot_root`` are its alone and vanish with it."""
    log = os.open(plan["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def inner() -> None:
        libc.unshare(libc.CLONE_NEWNS)
        libc.mount(None, "/", None, libc.MS_REC | libc.MS_PRIVATE)
        libc.mount(merged, merged, None, libc.MS_BIND | libc.MS_REC)
        _dev(os.path.join(merged, "dev"))
        try:
            libc.mount("proc", os.path.join(merged, "proc"), "proc", libc.MS_NOSUID | libc.MS_NODEV)
        except OSError:
            pass  # no /proc for the script (e.g. a locked /proc in a container); most scripts need none
        _store_view(plan, os.path.join(merged, "nix", "store"), lower)
        os.chdir(merged)
        os.mkdir(".nix2image-old-root", 0o700)
        libc.pivot_root(".", ".nix2image-old-root")
        os.chdir("/")
        libc.umount("/.nix2image-old-root", libc.MNT_DETACH)
        os.rmdir("/.nix2image-old-root")
        os.dup2(log, 1)
        os.dup2(log, 2)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        env = {"PATH": plan["path"], "HOME": "/root", "USER": "root", "SOURCE_DATE_EPOCH": str(plan["mtime"]),
               "TMPDIR": "/tmp", "TERM": "dumb"}
        shell = plan["shell"]
        os.execve(shell[0], shell + ["/nix/store/" + SCRIPT], env)

    return _run_in_child(inner)


def run_extra(plan: dict, upper: str) -> None:
    """``extraCommands`` after the script, in the upper directory (nixpkgs' postUmount step)."""
    text = plan.get("extra_commands") or ""
    if not text.strip():
        return
    from .storeview import store_view_mounted

    log = os.open(plan["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def inner() -> None:
        libc.unshare(libc.CLONE_NEWNS)
        libc.mount(None, "/", None, libc.MS_REC | libc.MS_PRIVATE)
        store_view_mounted(plan["extra_store"], plan["scratch"])
        os.chdir(upper)
        os.dup2(log, 1)
        os.dup2(log, 2)
        env = dict(plan["extra_env"], out=upper)
        os.execve(plan["bash"], [plan["bash"], "-e", "-c", text], env)

    code = _run_in_child(inner)
    if code != 0:
        raise StepError("extraCommands", f"extraCommands failed (exit {code})")


def work(plan: dict) -> None:
    s = plan["scratch"]
    lower, upper, wdir, merged = (os.path.join(s, n) for n in ("lower", "upper", "work", "merged"))
    for d in (lower, wdir, merged):
        os.makedirs(d, exist_ok=True)
    os.chmod(lower, 0o755)
    os.chmod(merged, 0o755)
    if plan.get("base_tar"):
        unpack_base(plan["base_tar"], lower)
    forced = plan.get("overlay") or None
    try:
        mode, tried = mount_root(lower, upper, wdir, merged, forced)
    except OverlayError as err:
        raise StepError("overlay", str(err)) from err
    _write_result(plan, mode=mode, tried=tried, phase="mounted")
    created: list[str] = []
    for rel in ("dev", "proc", "nix/store", "tmp"):
        _mkdirs(merged, rel, created)
    created = [c for c in created if not c.endswith("/tmp")]  # nixpkgs keeps the /tmp it makes
    status = run_script(plan, merged, lower)
    for path in reversed(created):
        try:
            os.rmdir(path)
        except OSError:
            pass  # the script put something there: it stays, as in nixpkgs
    if status != 0:
        _write_result(plan, mode=mode, tried=tried, status=status, phase="script")
        return
    if mode == "copy":
        forced_rel = {os.path.relpath(os.path.join(d, n), upper)
                      for d, dirnames, filenames in os.walk(upper) for n in dirnames + filenames}
        run_extra(plan, merged)
        changes = copy_changes(lower, merged, forced_rel)
    else:
        unmount_root(mode, merged)
        run_extra(plan, upper)
        changes = upper_changes(upper, lower)
    from ..image.tarwriter import HashingSink, write_tar

    with open(plan["layer"] + ".tmp", "wb") as f:
        sink = HashingSink(f, threaded=False)
        write_tar(layer_entries(changes, plan["mtime"]), sink)
        sink.flush()
    os.replace(plan["layer"] + ".tmp", plan["layer"])
    _write_result(plan, mode=mode, tried=tried, status=0, phase="done")


def _enter_userns(ctl_in: int, ctl_out: int) -> bool:
    """Enter a new user namespace, have the parent write its id map, become its root; False
    when the parent could not map it."""
    libc.die_with_parent()
    libc.unshare(libc.CLONE_NEWUSER)
    os.write(ctl_out, b"r")
    if os.read(ctl_in, 1) != b"g":
        return False
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)
    return True


def main(argv: list[str]) -> int:
    with open(argv[1]) as f:
        plan = json.load(f)
    try:
        if not _enter_userns(int(argv[2]), int(argv[3])):
            return 3
    except OSError as err:
        _write_result(plan, error=f"cannot create a user namespace ({err.strerror})", step="userns")
        return 3
    try:
        libc.unshare(libc.CLONE_NEWNS | libc.CLONE_NEWPID | libc.CLONE_NEWIPC | libc.CLONE_NEWUTS)
        libc.mount(None, "/", None, libc.MS_REC | libc.MS_PRIVATE)
    except OSError as err:
        _write_result(plan, error=f"cannot enter the namespaces ({err.strerror})", step="namespaces")
        return 3
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            libc.die_with_parent()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            work(plan)
        except StepError as err:
            _write_result(plan, error=str(err), step=err.step)
            code = 4
        except BaseException as err:  # noqa: BLE001
            _write_result(plan, error=f"{type(err).__name__}: {err}", step="internal")
            code = 5
        finally:
            try:
                cleanup(plan)
            finally:
                os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def cleanup(plan: dict) -> None:
    """Remove the scratch trees (their files may belong to ids only this namespace maps)."""
    s = plan["scratch"]
    for n in ("lower", "upper", "work", "merged"):
        p = os.path.join(s, n)
        force_rmtree(p)


def cleanup_main(argv: list[str]) -> int:
    """``worker --cleanup SCRATCH ctl_in ctl_out``: remove a scratch left by a killed worker."""
    if not _enter_userns(int(argv[3]), int(argv[4])):
        return 3
    # a fuse mount left behind was in the dead namespace only: the trees are plain files now
    force_rmtree(argv[2])
    return 0 if not os.path.exists(argv[2]) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--cleanup":
        sys.exit(cleanup_main(sys.argv))
    sys.exit(main(sys.argv))
