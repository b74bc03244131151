"""Generate the worked example's closures: one web application at three versions.

    python samples/closures/make_webapp.py   # writes webapp-v1.json, webapp-v2.json, webapp-v3.json

Store paths are input-addressed as in Nix: a path's hash depends on its name, version and the
hashes of its dependencies, so changing one package changes the hash of everything that depends
on it. v1 -> v2 changes only the application (1.0 -> 1.1); v2 -> v3 is an openssl security
update (3.0.13 -> 3.0.14) with the application unchanged. Sizes are realistic narSizes.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from translator.closure_io import write_references_graph  # noqa: E402
from translator.storeinfo import PathInfo  # noqa: E402

ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"
MIB = 1024 * 1024

# name: (version, narSize, dependencies)
BASE = {
    "glibc": ("2.39-52", 30 * MIB, []),
    "libgcc": ("13.2.0", 140 * 1024, ["glibc"]),
    "zlib": ("1.3.1", 130 * 1024, ["glibc"]),
    "bzip2": ("1.0.8", 180 * 1024, ["glibc"]),
    "xz": ("5.4.6", 600 * 1024, ["glibc"]),
    "libffi": ("3.4.6", 60 * 1024, ["glibc"]),
    "expat": ("2.6.2", 400 * 1024, ["glibc"]),
    "ncurses": ("6.4", 3 * MIB, ["glibc"]),
    "readline": ("8.2p10", 900 * 1024, ["glibc", "ncurses"]),
    "sqlite": ("3.45.3", 2 * MIB, ["glibc", "zlib", "readline"]),
    "openssl": ("3.0.13", 6 * MIB, ["glibc"]),
    "tzdata": ("2024a", 2 * MIB, []),
    "mailcap": ("2.1.53", 100 * 1024, []),
    "cacert": ("3.98", 500 * 1024, []),
    "bash": ("5.2p26", 1600 * 1024, ["glibc"]),
    "coreutils": ("9.5", 7 * MIB, ["glibc"]),
    "libpq": ("16.3", 3 * MIB, ["glibc", "openssl", "zlib"]),
    "python3": ("3.12.3", 110 * MIB, ["glibc", "libgcc", "zlib", "bzip2", "xz", "libffi", "expat", "ncurses",
                                      "readline", "sqlite", "openssl", "tzdata", "mailcap"]),
    "python3.12-markupsafe": ("2.1.5", 200 * 1024, ["python3"]),
    "python3.12-jinja2": ("3.1.4", 1200 * 1024, ["python3", "python3.12-markupsafe"]),
    "python3.12-werkzeug": ("3.0.3", 1500 * 1024, ["python3", "python3.12-markupsafe"]),
    "python3.12-click": ("8.1.7", 700 * 1024, ["python3"]),
    "python3.12-itsdangerous": ("2.2.0", 100 * 1024, ["python3"]),
    "python3.12-blinker": ("1.8.2", 60 * 1024, ["python3"]),
    "python3.12-flask": ("3.0.3", 900 * 1024, ["python3", "python3.12-jinja2", "python3.12-werkzeug",
                                                 "python3.12-click", "python3.12-itsdangerous", "python3.12-blinker"]),
    "python3.12-psycopg2": ("2.9.9", 1100 * 1024, ["python3", "libpq"]),
    "python3.12-gunicorn": ("22.0.0", 800 * 1024, ["python3"]),
    "webapp": ("1.0", 2 * MIB, ["python3", "python3.12-flask", "python3.12-psycopg2"]),
    "webapp-env": ("", 60 * 1024, ["python3", "webapp", "python3.12-flask", "python3.12-psycopg2",
                                   "python3.12-gunicorn", "bash", "coreutils", "cacert"]),
}

VERSIONS = {
    "webapp-v1.json": {},
    "webapp-v2.json": {"webapp": "1.1"},
    "webapp-v3.json": {"webapp": "1.1", "openssl": "3.0.14"},
}


def nix_base32(data: bytes, length: int = 32) -> str:
    n = int.from_bytes(data, "little")
    return "".join(ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(length)))


def closure(changes: dict[str, str]) -> list[PathInfo]:
    paths: dict[str, str] = {}

    def path(name: str) -> str:
        if name not in paths:
            version, _, deps = BASE[name]
            version = changes.get(name, version)
            key = name + version + "".join(sorted(path(d) for d in deps))
            full = f"{name}-{version}" if version else name
            paths[name] = f"/nix/store/{nix_base32(hashlib.sha256(key.encode()).digest())}-{full}"
        return paths[name]

    out = []
    for name, (_, size, deps) in BASE.items():
        out.append(PathInfo(path(name), size + (4096 if name in changes else 0), tuple(path(d) for d in deps)))
    return sorted(out, key=lambda i: i.path)


def main() -> None:
    here = Path(__file__).resolve().parent
    for file, changes in VERSIONS.items():
        write_references_graph(closure(changes), here / file)


if __name__ == "__main__":
    main()
