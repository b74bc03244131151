"""Store paths for ``extraCommands``/``fakeRootCommands`` that read them: when a path a command
names has its content elsewhere (``--placeholders``, ``--bind``, ``--store DIR``), the commands
run in a private mount namespace whose ``/nix/store`` is the host's with those paths added
(a read-only overlay whose upper layer is a directory of symlinks to the content). Nothing is
written to the host's store; the view vanishes with the commands.

``python -m translator.runasroot.storeview SCRATCH MAP.json -- CMD...`` is the wrapper
:func:`wrap_command` builds; :func:`store_view_mounted` does the mounting (also used inside the
runAsRoot worker, for the extraCommands that follow the script).
"""

from __future__ import annotations

import json
import os
import re
import sys

from . import libc

STORE = "/nix/store"
_PATH_RE = re.compile(r"/nix/store/[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+\-._?=]+")


def mentioned_paths(text: str) -> list[str]:
    """The store paths a command text names (``${pkg}/bin/x`` -> ``/nix/store/...-pkg``)."""
    return sorted({m.group(0) for m in _PATH_RE.finditer(text or "")})


def needed_view(text: str, content, known: set[str] | None = None) -> list[tuple[str, str]]:
    """``(store path, location)`` for the paths ``text`` names whose content is not at the path
    itself; empty when the host store already has them all (nothing to do)."""
    out = []
    for p in mentioned_paths(text):
        if known is not None and p not in known:
            continue
        try:
            loc = content.location(p)
        except Exception:  # noqa: BLE001 - a path with no content stays unseen, as without the view
            continue
        if os.path.realpath(loc) != os.path.realpath(p) or not os.path.lexists(p):
            out.append((p, os.path.abspath(loc)))
    return out


def store_view_mounted(entries: list[tuple[str, str]], scratch: str) -> None:
    """In the current (private) mount namespace, show ``entries`` under ``/nix/store``."""
    if not entries:
        return
    if not os.path.isdir(STORE):
        raise OSError(0, f"the commands read {entries[0][0]}, but this host has no {STORE} to show it in "
                         "(create it: mkdir -p /nix/store)")
    links = os.path.join(scratch, "store-view")
    os.makedirs(links, exist_ok=True)
    for path, loc in entries:
        link = os.path.join(links, os.path.basename(path))
        if not os.path.lexists(link):
            os.symlink(loc, link)
    libc.mount("overlay", STORE, "overlay", libc.MS_RDONLY, f"lowerdir={links}:{STORE}")


def wrap_command(cmd: list[str], entries: list[tuple[str, str]], scratch: str) -> list[str]:
    """``cmd`` run with ``entries`` visible under ``/nix/store`` (``cmd`` itself when none)."""
    if not entries:
        return cmd
    os.makedirs(scratch, exist_ok=True)
    spec = os.path.join(scratch, "store-view.json")
    with open(spec, "w") as f:
        json.dump(entries, f)
    return [sys.executable, "-m", "translator.runasroot.storeview", scratch, spec, "--"] + cmd


def main(argv: list[str]) -> int:
    scratch, spec = argv[1], argv[2]
    cmd = argv[argv.index("--") + 1:]
    with open(spec) as f:
        entries = [tuple(e) for e in json.load(f)]
    uid, gid = os.getuid(), os.getgid()
    try:
        if uid == 0:  # root needs no user namespace (and keeps every id for chown)
            libc.unshare(libc.CLONE_NEWNS)
        else:  # the user stays itself, with the right to mount in its own namespaces
            libc.unshare(libc.CLONE_NEWUSER | libc.CLONE_NEWNS)
            with open("/proc/self/setgroups", "w") as f:
                f.write("deny")
            with open("/proc/self/uid_map", "w") as f:
                f.write(f"{uid} {uid} 1")
            with open("/proc/self/gid_map", "w") as f:
                f.write(f"{gid} {gid} 1")
        libc.mount(None, "/", None, libc.MS_REC | libc.MS_PRIVATE)
        store_view_mounted(entries, scratch)
    except OSError as err:
        print(f"nix2image: cannot show {entries[0][0]} (content at {entries[0][1]}) under {STORE} "
              f"for the commands: {err.strerror or err}", file=sys.stderr)
        return 126
    os.execvp(cmd[0], cmd)
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv))
