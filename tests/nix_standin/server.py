"""A long-lived ``nix2image`` for scripts that start ``nix-instantiate`` hundreds of times
(nixpkgs' ``lib/tests/modules.sh``): it imports nix2image once, then serves each request in a
forked child (fresh evaluator state, as a new process would have) and sends back the exit status,
standard output and standard error. Requests and answers are one JSON line each, over a Unix
socket. Start: ``python server.py SOCKET [DIR...]`` (the
DIRs' Nix files are parsed before serving); it stops when the socket file is removed or on SIGTERM.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile


def _serve_one(conn: socket.socket) -> None:
    with conn, conn.makefile("rwb") as f:
        req = json.loads(f.readline())
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            pid = os.fork()
            if pid == 0:  # the child runs the command as a fresh process would
                code = 70
                try:
                    os.dup2(out.fileno(), 1)
                    os.dup2(err.fileno(), 2)
                    os.chdir(req["cwd"])
                    os.environ.clear()
                    os.environ.update(req["env"])
                    from translator.entry import execute

                    code = execute(req["args"])  # as the console command runs it
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
            rc = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            answer = {"rc": rc if rc >= 0 else 128 - rc,
                      "out": out.read().decode("utf-8", "surrogateescape"),
                      "err": err.read().decode("utf-8", "surrogateescape")}
        f.write(json.dumps(answer).encode() + b"\n")
        f.flush()


def main(path: str, warm: list[str]) -> None:
    import translator.cli  # noqa: F401 - the point: import (and warm) everything once
    from translator.commands import eval_options, nix_cmds  # noqa: F401
    from translator.nix import evaluator  # noqa: F401
    from translator.nix.parser import parse_file

    for d in warm:  # parse these trees' files now: every forked child finds them parsed
        for root, _dirs, files in os.walk(d, followlinks=True):
            for name in files:
                if name.endswith(".nix"):
                    try:  # by real path: import follows symbolic links
                        parse_file(os.path.realpath(os.path.join(root, name)))
                    except Exception:  # noqa: BLE001 - a file that does not parse fails when used
                        pass

    import gc

    gc.collect()
    gc.freeze()  # children never rescan (or copy) the warmed heap
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(path)
        s.listen(4)
        s.settimeout(1.0)
        print("ready", flush=True)
        while os.path.exists(path):
            try:
                conn, _ = s.accept()
            except TimeoutError:
                continue
            conn.settimeout(None)
            _serve_one(conn)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
