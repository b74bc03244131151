"""What the runAsRoot script runs with: its wrapper, its shell, its store view, host tools.

nixpkgs wraps the text as ``#!${runtimeShell}`` + ``set -e`` + ``export PATH=${coreutils}/bin:/bin``
and runs it chrooted. With real content the same shell and PATH are used here. When the shell's
content is a placeholder (``--placeholders``), a host-provided **static** busybox
(Debian ``busybox-static``) runs the script instead: it is bound at
``/nix/store/.nix2image-host-tools`` - inside the read-only store view, never in the layer - and
put first on ``PATH`` together with small ``useradd``/``groupadd``/``usermod`` stand-ins (busybox
has only ``adduser``/``addgroup``), and the placeholder programs of the image
(``bin/<mainProgram>`` scripts that would exit 127) are shown as no-ops that say so.
"""

from __future__ import annotations

import os
import shutil
import struct

from ..universe.contents import LABEL_FILE

HOST_TOOLS_DIR = "/nix/store/.nix2image-host-tools"
PLACEHOLDER_MARK = b"nix2image placeholder for "

#: shadow's commands for the common ``shadowSetup`` idioms, for busybox sh; they edit
#: /etc/passwd, /etc/group, /etc/shadow and /etc/gshadow as shadow would for these flags.
SHADOW_SHIM = r'''#!/nix/store/.nix2image-host-tools/bin/sh
# nix2image: stand-in for shadow's $0 while the image's shadow is a placeholder
cmd=${0##*/}; sys=; uid=; gid=; home=; shell=/bin/sh; groups=; comment=; mkhome=; usergroup=
while [ $# -gt 1 ]; do
  case "$1" in
    -r|--system) sys=1 ;;
    -u|--uid) uid=$2; shift ;;
    -g|--gid|--group) gid=$2; shift ;;
    -G|--groups) groups=$2; shift ;;
    -d|--home|--home-dir) home=$2; shift ;;
    -s|--shell) shell=$2; shift ;;
    -c|--comment) comment=$2; shift ;;
    -m|--create-home) mkhome=1 ;;
    -U|--user-group) usergroup=1 ;;
    -M|--no-create-home|-N|--no-user-group|-o|--non-unique|-f|--force) ;;
    -K|-p|--password|-e|-k) shift ;;
    *) echo "$cmd: option $1 is not known to nix2image's stand-in" >&2; exit 2 ;;
  esac
  shift
done
name=$1
[ -n "$name" ] || { echo "$cmd: no name given" >&2; exit 2; }
mkdir -p /etc; touch /etc/passwd /etc/group
free_id() { # $1: file; lowest free id from 1000 (system: highest free below 1000)
  if [ -n "$sys" ]; then i=999; while cut -d: -f3 "$1" | grep -qx "$i"; do i=$((i-1)); done
  else i=1000; while cut -d: -f3 "$1" | grep -qx "$i"; do i=$((i+1)); done; fi
  echo $i
}
gid_of() { case "$1" in ''|*[!0-9]*) grep "^$1:" /etc/group | cut -d: -f3 ;; *) echo "$1" ;; esac; }
case "$cmd" in
  groupadd)
    grep -q "^$name:" /etc/group && { echo "groupadd: group '$name' already exists" >&2; exit 9; }
    [ -n "$gid" ] || gid=$(free_id /etc/group)
    echo "$name:x:$gid:" >> /etc/group
    [ -f /etc/gshadow ] && echo "$name:!::" >> /etc/gshadow
    exit 0 ;;
  useradd)
    grep -q "^$name:" /etc/passwd && { echo "useradd: user '$name' already exists" >&2; exit 9; }
    [ -n "$uid" ] || uid=$(free_id /etc/passwd)
    if [ -z "$gid" ]; then
      if grep -q "^$name:" /etc/group; then gid=$(gid_of "$name"); else gid=$uid
        cut -d: -f3 /etc/group | grep -qx "$gid" && gid=$(free_id /etc/group)
        echo "$name:x:$gid:" >> /etc/group; [ -f /etc/gshadow ] && echo "$name:!::" >> /etc/gshadow; fi
    else
      g=$(gid_of "$gid"); [ -n "$g" ] || { echo "useradd: group '$gid' does not exist" >&2; exit 6; }; gid=$g
    fi
    [ -n "$home" ] || home=/home/$name
    echo "$name:x:$uid:$gid:$comment:$home:$shell" >> /etc/passwd
    [ -f /etc/shadow ] && echo "$name:!:1::::::" >> /etc/shadow
    for g in $(echo "$groups" | tr , ' '); do sed -i "s/^\($g:[^:]*:[^:]*:\)\(.*\)$/\1\2,$name/; s/:,$name$/:$name/" /etc/group; done
    [ -n "$mkhome" ] && { mkdir -p "$home"; chown "$uid:$gid" "$home"; }
    exit 0 ;;
  usermod)
    for g in $(echo "$groups" | tr , ' '); do sed -i "s/^\($g:[^:]*:[^:]*:\)\(.*\)$/\1\2,$name/; s/:,$name$/:$name/" /etc/group; done
    exit 0 ;;
esac
'''

NOOP_SHIM = '''#!{shell}
# nix2image: {path} is a placeholder; at build time it is not run
echo "nix2image: not running placeholder {path}" >&2
exit 0
'''


def is_static_elf(path: str) -> bool:
    """An ELF executable with no program interpreter (runs in any root, needs no libraries)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF" or head[4] != 2:
                return False
            endian = "<" if head[5] == 1 else ">"
            phoff, = struct.unpack_from(endian + "Q", head, 32)
            phentsize, phnum = struct.unpack_from(endian + "HH", head, 54)
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                if struct.unpack(endian + "I", f.read(4))[0] == 3:  # PT_INTERP
                    return False
            return True
    except (OSError, struct.error):
        return False


def find_static_busybox() -> str | None:
    for cand in (os.environ.get("NIX2IMAGE_HOST_BUSYBOX"), "/bin/busybox", "/usr/bin/busybox",
                 shutil.which("busybox")):
        if cand and os.path.isfile(cand) and is_static_elf(cand):
            return os.path.realpath(cand)
    return None


def is_placeholder(location: str) -> bool:
    return os.path.isfile(os.path.join(location, LABEL_FILE))


def make_host_tools(dest: str, busybox: str) -> str:
    """``dest/bin``: busybox and its applets, plus the shadow stand-ins; returns ``dest``."""
    import subprocess

    bindir = os.path.join(dest, "bin")
    os.makedirs(bindir)
    shutil.copy2(busybox, os.path.join(bindir, "busybox"))  # a copy: bound read-only, never in the layer
    out = subprocess.run([busybox, "--list"], capture_output=True, text=True).stdout.split()
    for applet in out:
        if applet != "busybox" and "/" not in applet:
            os.symlink("busybox", os.path.join(bindir, applet))
    for name in ("useradd", "groupadd", "usermod"):
        p = os.path.join(bindir, name)
        if os.path.lexists(p):
            os.unlink(p)
        with open(p, "w") as f:
            f.write(SHADOW_SHIM)
        os.chmod(p, 0o555)
    return dest


def placeholder_run_view(location: str, store_path: str, dest: str, shell: str = "/bin/sh") -> str:
    """A copy of placeholder content whose program scripts (which would exit 127) say they are
    not run and succeed, run by ``shell``; returns its directory."""
    shutil.copytree(location, dest, symlinks=True)
    for dirpath, _dirs, files in os.walk(dest):
        for n in files:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                continue
            with open(p, "rb") as f:
                head = f.read(256)
            if head.startswith(b"#!/bin/sh") and PLACEHOLDER_MARK in head:
                os.chmod(p, 0o755)
                with open(p, "w") as f:
                    f.write(NOOP_SHIM.format(shell=shell, path=store_path + "/" + os.path.relpath(p, dest)))
                os.chmod(p, 0o555)
    for dirpath, dirs, _files in os.walk(dest):
        os.chmod(dirpath, 0o555)
    return dest


def wrapper(text: str, path: str) -> str:
    """The script as nixpkgs' ``shellScript`` writes it (the shell is given on the command line)."""
    return f"set -e\nexport PATH={path}\n{text}\n"
