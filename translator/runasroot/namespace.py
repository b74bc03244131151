"""Starting the runAsRoot worker in its own namespaces, and ending it.

The worker (:mod:`.worker`) first enters a new user namespace; this side then writes its id
map: as root, every id maps to itself (``0 0 4294967295``: the script is root, but only inside
namespaces that own no host device or mount); otherwise, as rootless podman does, the user's
own id becomes 0 and its subordinate ids (``/etc/subuid``, ``/etc/subgid``, written through
``newuidmap``/``newgidmap``) become 1..N, so a ``chown 1000`` in the script is kept.

:func:`check_support` finds what is missing (user namespaces disabled, no subordinate ids, no
``newuidmap``) and says how to enable it, before anything is started. :func:`run_worker` runs
the worker in its own process group with a time limit, kills the whole group on timeout or
interruption, and always removes the scratch trees (through a fresh namespace when they hold
files of subordinate ids the user cannot delete).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass

from ..errors import UserError
from .overlay import force_rmtree

FULL_RANGE = 4294967295


@dataclass(frozen=True, slots=True)
class IdMapping:
    """How ids inside map to ids outside: ``(inside, outside, count)`` triples."""

    mode: str  # "root" | "rootless"
    uids: tuple[tuple[int, int, int], ...]
    gids: tuple[tuple[int, int, int], ...]


def _read_int(path: str) -> int | None:
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _subids(path: str, user: str, uid: int) -> tuple[int, int] | None:
    """The first ``start:count`` range of ``user`` (or its numeric id) in ``path``."""
    try:
        with open(path) as f:
            for line in f:
                parts = line.strip().split(":")
                if len(parts) == 3 and parts[0] in (user, str(uid)):
                    try:
                        start, count = int(parts[1]), int(parts[2])
                    except ValueError:
                        continue
                    if count > 0:
                        return start, count
    except OSError:
        return None
    return None


def check_support() -> IdMapping:
    """The id mapping to use, or one clear error naming what is missing and how to enable it."""
    if _read_int("/proc/sys/user/max_user_namespaces") == 0:
        raise UserError("runAsRoot needs user namespaces, which are disabled on this machine "
                        "(user.max_user_namespaces = 0)",
                        hint="enable them: sysctl -w user.max_user_namespaces=15000")
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:
        return IdMapping("root", ((0, 0, FULL_RANGE),), ((0, 0, FULL_RANGE),))
    if _read_int("/proc/sys/kernel/unprivileged_userns_clone") == 0:
        raise UserError("runAsRoot needs user namespaces, which this kernel allows only to root "
                        "(kernel.unprivileged_userns_clone = 0)",
                        hint="enable them: sysctl -w kernel.unprivileged_userns_clone=1 (or build as root)")
    if _read_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1:
        raise UserError("runAsRoot needs user namespaces, which AppArmor restricts for unprivileged users "
                        "(kernel.apparmor_restrict_unprivileged_userns = 1)",
                        hint="allow them: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or build as root)")
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    missing = [f for f, r in (("/etc/subuid", _subids("/etc/subuid", user, uid)),
                              ("/etc/subgid", _subids("/etc/subgid", user, uid))) if r is None]
    if missing:
        raise UserError(f"runAsRoot as the unprivileged user {user!r} needs subordinate ids, and {user!r} "
                        f"has none in {' and '.join(missing)}",
                        hint=f"add a range (as root): usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {user} "
                             f"(or add the line '{user}:100000:65536' to /etc/subuid and /etc/subgid), or build as root")
    tools = [t for t in ("newuidmap", "newgidmap") if shutil.which(t) is None]
    if tools:
        raise UserError(f"runAsRoot as an unprivileged user needs {' and '.join(tools)} (Debian package uidmap), "
                        "which is not installed", hint="install it: apt-get install uidmap, or build as root")
    su, sg = _subids("/etc/subuid", user, uid), _subids("/etc/subgid", user, uid)
    assert su is not None and sg is not None
    return IdMapping("rootless", ((0, uid, 1), (1, su[0], su[1])), ((0, gid, 1), (1, sg[0], sg[1])))


def _write_maps(pid: int, m: IdMapping) -> None:
    if m.mode == "root":
        for kind, triples in (("uid", m.uids), ("gid", m.gids)):
            with open(f"/proc/{pid}/{kind}_map", "w") as f:
                f.write("".join(f"{a} {b} {c}\n" for a, b, c in triples))
        return
    for tool, triples in (("newuidmap", m.uids), ("newgidmap", m.gids)):
        args = [tool, str(pid)] + [str(x) for t in triples for x in t]
        proc = subprocess.run(args, capture_output=True, text=True)
        if proc.returncode != 0:
            raise UserError(f"runAsRoot: {tool} refused the id map ({proc.stderr.strip() or 'exit ' + str(proc.returncode)})",
                            hint="check the user's ranges in /etc/subuid and /etc/subgid")


@dataclass(slots=True)
class WorkerResult:
    returncode: int
    result: dict
    stderr: str


def _spawn(args: list[str], mapping: IdMapping, cwd: str) -> tuple[subprocess.Popen, int]:
    """Start ``args`` (which end with the two control fds) and write its id map when it asks."""
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    proc = subprocess.Popen(args + [str(to_child_r), str(from_child_w)], pass_fds=(to_child_r, from_child_w),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, cwd=cwd)
    os.close(to_child_r)
    os.close(from_child_w)
    try:
        ready = os.read(from_child_r, 1)
        if ready == b"r":
            try:
                _write_maps(proc.pid, mapping)
            except BaseException:
                os.write(to_child_w, b"x")
                raise
            os.write(to_child_w, b"g")
    finally:
        os.close(from_child_r)
    return proc, to_child_w


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def run_worker(plan: dict, mapping: IdMapping, timeout: float) -> WorkerResult:
    """Run the worker on ``plan`` (written to ``plan['scratch']/plan.json``); on timeout or
    interruption kill its process group; always remove the scratch trees."""
    scratch = plan["scratch"]
    path = os.path.join(scratch, "plan.json")
    with open(path, "w") as f:
        json.dump(plan, f)
    proc = None
    ctl = -1
    try:
        proc, ctl = _spawn([sys.executable, "-m", "translator.runasroot.worker", path], mapping, scratch)
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            raise UserError(f"runAsRoot did not finish within {timeout:g} s and was stopped (all its processes killed)",
                            hint="raise the limit with --run-timeout SECONDS") from None
        result: dict = {}
        try:
            with open(plan["result"]) as f:
                result = json.load(f)
        except (OSError, json.JSONDecodeError):
            pass
        return WorkerResult(proc.returncode, result, err.decode(errors="replace"))
    except BaseException:
        if proc is not None and proc.poll() is None:
            kill_group(proc)
        raise
    finally:
        if ctl >= 0:
            os.close(ctl)
        remove_scratch(scratch, mapping)


def remove_scratch(scratch: str, mapping: IdMapping) -> None:
    """Remove the worker's scratch trees, through a fresh namespace when rootless."""
    trees = [os.path.join(scratch, n) for n in ("lower", "upper", "work", "merged")]
    if not any(os.path.lexists(t) for t in trees):
        return
    if mapping.mode == "root":
        for t in trees:
            force_rmtree(t)
        return
    for t in trees:
        if not os.path.lexists(t):
            continue
        proc, ctl = _spawn([sys.executable, "-m", "translator.runasroot.worker", "--cleanup", t], mapping, scratch)
        proc.communicate()
        os.close(ctl)
