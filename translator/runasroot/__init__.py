"""``buildImage``'s ``runAsRoot`` without a VM.

nixpkgs runs the script in a QEMU VM (``runInLinuxVM``): the base image's layers and the new
contents are mounted as the root filesystem with the build host's store bound in, the script
runs chrooted as root, and what changed becomes the new layer. Here the same happens in private
namespaces on the build host:

* :mod:`.namespace` - user/mount/PID namespaces, as root or rootless (subordinate ids), the
  time limit, and the clean-up whatever happens;
* :mod:`.worker` - what runs inside them: unpack the base, mount, run, unmount, write the layer;
* :mod:`.overlay` - kernel overlayfs, fuse-overlayfs or a copy, chosen automatically;
* :mod:`.layer_diff` - the upper directory (or the difference) as an OCI layer;
* :mod:`.script` - the script's wrapper, shell and host tools for ``--placeholders``;
* :mod:`.storeview` - store paths for ``extraCommands``/``fakeRootCommands`` that read them.

:func:`run_as_root_layer` is what :mod:`translator.image.build` calls.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import shutil
import tarfile
import tempfile

from ..errors import UserError
from ..image.tarwriter import Entry

#: default ``--run-timeout``: generous, a script that needs more is almost surely stuck
DEFAULT_TIMEOUT = 3600.0
HOST_TOOLS_LABEL = "org.nix2image.runasroot-host-tools"

_timeout: contextvars.ContextVar[float] = contextvars.ContextVar("runasroot_timeout", default=DEFAULT_TIMEOUT)
_notes: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("runasroot_notes", default=None)


@contextlib.contextmanager
def settings(timeout: float | None = None):
    """The run time limit and a collector of warnings for one build; nested (images built as
    bases or merge inputs) they keep the outer limit and collector and yield an empty list."""
    if _notes.get() is not None:
        yield []
        return
    notes: list[str] = []
    t1 = _timeout.set(timeout) if timeout is not None else None
    t2 = _notes.set(notes)
    try:
        yield notes
    finally:
        _notes.reset(t2)
        if t1 is not None:
            _timeout.reset(t1)


def note(text: str) -> None:
    """A warning for the build's result, once."""
    notes = _notes.get()
    if notes is not None and text not in notes:
        notes.append(text)


def _store_path_of(path: str) -> str:
    return "/".join(path.split("/")[:4])


def _real_location(content, store_path: str) -> str | None:
    from .script import is_placeholder

    try:
        loc = content.location(store_path)
    except UserError:
        return None
    if not os.path.lexists(loc) or is_placeholder(loc):
        return None
    return loc


def command_view(text: str, content, scratch: str, known: set[str] | None = None) -> list[tuple[str, str]]:
    """``(store path, location)`` for what ``extraCommands``/``fakeRootCommands`` text names but
    the host store lacks; placeholder programs in it become no-ops (see :mod:`.script`)."""
    from .script import is_placeholder, placeholder_run_view
    from .storeview import needed_view

    out = []
    for path, loc in needed_view(text, content, known):
        if is_placeholder(loc):
            note("commands that read store paths ran with placeholder content; its programs were "
                 "shown to them as no-ops that succeed")
            dest = os.path.join(scratch, "views", os.path.basename(path))
            if not os.path.isdir(dest):
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                placeholder_run_view(loc, path, dest)
            loc = dest
        out.append((path, loc))
    return out


def _layer_from_tar(path: str) -> list[Entry]:
    out: list[Entry] = []
    with tarfile.open(path, "r:") as tf:
        for ti in tf:
            ti.pax_headers = {}
            out.append(Entry(ti, source=path if ti.isreg() else None, offset=ti.offset_data if ti.isreg() else 0))
    return out


def run_as_root_layer(spec, content, base, workdir: str, *, copied: list[str], keep_dirlinks: bool,
                      mtime: int) -> tuple[list[Entry], dict[str, str]]:
    """The layer of a ``buildImage`` with ``runAsRoot``: ``copied`` (copyToRoot/contents) put in,
    the script run as root over the base image, ``extraCommands`` run after it; returns the
    layer's entries (bodies read from a tar in ``workdir``) and labels for the image config."""
    from ..image import layer as layermod
    from ..image.export import export_entries
    from ..image.tarwriter import HashingSink, write_tar
    from .namespace import check_support, run_worker
    from .script import HOST_TOOLS_DIR, find_static_busybox, is_placeholder, make_host_tools, placeholder_run_view, wrapper

    where = f"image {spec.name!r}" + (f" at {spec.origin}" if spec.origin else "")
    mapping = check_support()
    scratch = tempfile.mkdtemp(prefix="runasroot-", dir=workdir)
    os.chmod(scratch, 0o755)
    labels: dict[str, str] = {}
    if spec.disk_size not in (None, 1024) or spec.build_vm_memory_size not in (None, 512):
        note(f"{where}: diskSize/buildVMMemorySize are ignored: runAsRoot runs without a VM")

    base_tar = None
    if base is not None:
        base_tar = os.path.join(scratch, "base.tar")
        with open(base_tar, "wb") as f:
            sink = HashingSink(f, threaded=False)
            write_tar(export_entries(base), sink)
            sink.flush()
    root = layermod.copy_to_root(scratch, copied, content, keep_dirlinks=keep_dirlinks)
    os.rename(root, os.path.join(scratch, "upper"))

    # the script's shell and PATH: the image's own (nixpkgs' runtimeShell and coreutils) when real
    shell_path = spec.extra.get("runAsRootShell")
    path_var = spec.extra.get("runAsRootPath") or "/bin"
    real_shell = shell_path and _real_location(content, _store_path_of(shell_path))
    host_tools = None
    store: dict[str, str] = {}
    if real_shell:
        shell = [shell_path]
    else:
        busybox = find_static_busybox()
        if busybox is None:
            raise UserError(f"runAsRoot of {where}: the image's shell "
                            f"{shell_path or '(none given)'} has no real content, and no static busybox was found "
                            "on this host to run the script with",
                            hint="install Debian's busybox-static (or set NIX2IMAGE_HOST_BUSYBOX), or build the "
                                 "image's packages with Nix so their real content is used")
        host_tools = make_host_tools(os.path.join(scratch, "host-tools"), busybox)
        with open(busybox, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        labels[HOST_TOOLS_LABEL] = f"busybox sha256:{digest}"
        shell = [HOST_TOOLS_DIR + "/bin/sh"]
        path_var = f"{HOST_TOOLS_DIR}/bin:{path_var}"
        note("runAsRoot ran with the host's static busybox (the image's shell and tools are placeholders); "
             f"the images are labelled {HOST_TOOLS_LABEL}")
    for info in spec.closure:
        try:
            loc = content.location(info.path)
        except UserError:
            continue
        if is_placeholder(loc):
            dest = os.path.join(scratch, "views-root", os.path.basename(info.path))
            loc = placeholder_run_view(loc, info.path, dest, shell=HOST_TOOLS_DIR + "/bin/sh")
        store[os.path.basename(info.path)] = os.path.abspath(loc)

    extra_store = command_view(spec.extra_commands, content, scratch) if spec.extra_commands.strip() else []
    env = layermod._command_env(".")
    env.pop("out", None)
    plan = {
        "scratch": scratch, "base_tar": base_tar, "store": sorted(store.items()), "host_tools": host_tools,
        "script": wrapper(spec.run_as_root or "", path_var), "shell": shell, "path": path_var, "mtime": mtime,
        "log": os.path.join(scratch, "script.log"), "result": os.path.join(scratch, "result.json"),
        "layer": os.path.join(scratch, "layer.tar"), "extra_commands": spec.extra_commands,
        "extra_store": extra_store, "extra_env": env, "bash": shutil.which("bash") or "/bin/bash",
        "overlay": os.environ.get("NIX2IMAGE_RUNASROOT_OVERLAY") or None,
    }
    res = run_worker(plan, mapping, _timeout.get())
    r = res.result
    mode = r.get("mode")
    if mode:
        import logging  # (here: 3 ms of every build's start-up otherwise)

        logging.getLogger("nix2image.runasroot").debug(
            "runAsRoot of %s: %s ids, root filesystem by %s%s", where, mapping.mode,
            {"kernel": "kernel overlayfs", "fuse": "fuse-overlayfs", "copy": "a copy (no overlay available)"}[mode],
            f" (not available: {'; '.join(r.get('tried') or [])})" if r.get("tried") else "")
    output = _read_log(plan["log"])
    if r.get("error"):
        step = r.get("step", "")
        hint = None
        if step == "overlay":
            hint = ("allow overlay mounts in user namespaces (Linux >= 5.11), or install fuse-overlayfs "
                    "(Debian package fuse-overlayfs) with /dev/fuse available")
        elif step in ("userns", "namespaces"):
            hint = "enable user namespaces: sysctl -w user.max_user_namespaces=15000 (and kernel.unprivileged_userns_clone=1)"
        detail = "\n".join(t for t in (output, res.stderr.strip()) if t)
        raise UserError(f"runAsRoot of {where}: {step}: {r['error']}" + (f"\n{detail}" if detail else ""), hint=hint)
    if r.get("status"):
        raise UserError(f"runAsRoot script of {where} failed (exit {r['status']})"
                        + (f"; its output:\n{output}" if output else " without output"))
    if res.returncode != 0 or r.get("phase") != "done":
        how = f"killed by signal {-res.returncode}" if res.returncode < 0 else f"exit {res.returncode}"
        raise UserError(f"runAsRoot of {where}: the build namespace ended early ({how})"
                        + (f":\n{res.stderr.strip()}" if res.stderr.strip() else ""))
    return _layer_from_tar(plan["layer"]), labels


def _read_log(path: str, limit: int = 64 << 10) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - limit))
            text = f.read().decode(errors="replace")
    except OSError:
        return ""
    return ("[...]\n" if size > limit else "") + text.rstrip()
