"""Stand-in for ``nix-instantiate`` in nixpkgs' lib test scripts: maps the flags they use onto
``nix2image eval`` and runs it, through the server of ``server.py`` when ``NIX2IMAGE_STANDIN``
names its socket (fast), else as a process (``NIX2IMAGE`` names the command)."""

import json
import os
import socket
import sys

IGNORED = {"--eval-only", "--eval", "--show-trace", "--read-write-mode"}


def translate(argv):
    out = ["eval"]
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--timeout":
            i += 2  # no evaluation timeout in nix2image; the test harness bounds the run
            continue
        if a in IGNORED:
            pass
        elif a in ("--json", "--strict"):
            out.append(a)
        elif a in ("-E", "--expr"):
            out += ["-E", argv[i + 1]]
            i += 1
        elif a in ("-A", "--attr", "-I"):
            out += [a, argv[i + 1]]
            i += 1
        elif a in ("--arg", "--argstr"):
            out += [a, argv[i + 1], argv[i + 2]]
            i += 2
        elif a.startswith("-"):
            sys.exit(f"nix-instantiate stand-in: unsupported flag {a}")
        else:
            out.append(a)
        i += 1
    return out


def main():
    args = translate(sys.argv[1:])
    sock = os.environ.get("NIX2IMAGE_STANDIN")
    if not sock:
        exe = os.environ.get("NIX2IMAGE", "nix2image")
        os.execvp(exe, [exe, *args])
    env = {k: v for k, v in os.environ.items() if k != "NIX2IMAGE_STANDIN"}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sock)
        with s.makefile("rwb") as f:
            f.write(json.dumps({"args": args, "cwd": os.getcwd(), "env": env}).encode() + b"\n")
            f.flush()
            answer = json.loads(f.readline())
    sys.stdout.buffer.write(answer["out"].encode("utf-8", "surrogateescape"))
    sys.stderr.buffer.write(answer["err"].encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(answer["rc"])


if __name__ == "__main__":
    main()
