"""Fuzz targets over every reader of outside data, shared by ``tests/test_fuzz.py`` (a short
hypothesis run in CI) and ``bench/fuzz.py`` (long runs with per-reader counts).

A *target* has seeds (small valid inputs written here), a structure-aware mutator (one Nix token
changed, one tar header field changed, one JSON value replaced, one header of a registry answer
changed ...) and a runner that feeds one input to the real reader. :func:`run_one` classifies the
outcome: a clean user error (the project's :class:`~translator.errors.UserError` family, or the
evaluator's errors, which the CLI turns into user errors) is fine; any other exception is a
*crash*; running past the time bound is a *hang*. The evaluator also has a memory bound: hitting
it (or the time bound, for a program that legitimately runs forever) counts as *bounded*.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import random
import re
import resource
import signal
import socketserver
import tarfile
import tempfile
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from translator.errors import UserError

# ---------------------------------------------------------------------------------------------
# outcomes


class Hang(BaseException):
    """Raised by the timer when a reader runs past its bound (BaseException: readers' own
    ``except Exception`` must not swallow it)."""


@dataclass
class Outcome:
    kind: str  # "ok" | "clean" | "crash" | "hang" | "bounded"
    detail: str = ""


def _on_alarm(signum, frame):  # noqa: ARG001
    raise Hang()


@dataclass
class Target:
    name: str
    seeds: Callable[[], list[bytes]]
    mutate: Callable[[random.Random, bytes], bytes]
    run: Callable[[bytes, str], None]
    clean: tuple[type[BaseException], ...] = (UserError,)
    timeout: float = 5.0
    mem_bound: bool = False  # evaluator: MemoryError and timeouts are bounds, not crashes
    _seed_cache: list[bytes] | None = field(default=None, repr=False)

    def seed_list(self) -> list[bytes]:
        if self._seed_cache is None:
            self._seed_cache = self.seeds()
        return self._seed_cache


MEM_HEADROOM = 768 << 20


def run_one(target: Target, data: bytes) -> Outcome:
    """Feed ``data`` to ``target``'s reader in a fresh temporary folder, bounded in time (and
    memory for the evaluator); classify what happened."""
    old = signal.signal(signal.SIGALRM, _on_alarm)
    old_as = resource.getrlimit(resource.RLIMIT_AS)
    if target.mem_bound:
        cur = _vm_size()
        if cur:
            soft = cur + MEM_HEADROOM
            if old_as[1] == resource.RLIM_INFINITY or soft < old_as[1]:
                resource.setrlimit(resource.RLIMIT_AS, (soft, old_as[1]))
    try:
        with tempfile.TemporaryDirectory(prefix="n2i-fuzz-") as tmp:
            signal.setitimer(signal.ITIMER_REAL, target.timeout)
            try:
                target.run(data, tmp)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        return Outcome("ok")
    except Hang:
        return Outcome("bounded" if target.mem_bound else "hang", f"ran past {target.timeout}s")
    except MemoryError:
        if target.mem_bound:
            return Outcome("bounded", "memory bound")
        return Outcome("crash", traceback.format_exc())
    except target.clean:
        return Outcome("clean")
    except Exception:  # noqa: BLE001 - the point: anything else is a crash
        return Outcome("crash", traceback.format_exc())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if target.mem_bound:
            resource.setrlimit(resource.RLIMIT_AS, old_as)


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


# ---------------------------------------------------------------------------------------------
# generic mutators

_INTERESTING_STR = ["", "..", "../../etc/passwd", "/abs", "a" * 300, "\x00", "sha256:", "sha256:" + "0" * 64,
                    "sha256:zz", "é", "²", "-1", "1e999", "nul\x00l", "a/../../b", "%zz", "\ud800"]
_INTERESTING_NUM = [0, -1, 1, 2**31, 2**63, -(2**63), 10**30, 1.5, float("1e308")]


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    k = rng.randrange(8 if depth < 2 else 5)
    if k == 0:
        return None
    if k == 1:
        return rng.choice([True, False])
    if k == 2:
        return rng.choice(_INTERESTING_NUM)
    if k in (3, 4):
        return rng.choice(_INTERESTING_STR)
    if k == 5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(3))]
    if k == 6:
        return {rng.choice(["a", "Config", "digest", "nodes", "", "x"]): _random_json(rng, depth + 1)}
    return "".join(rng.choice("abc/.:@0") for _ in range(rng.randrange(10)))


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


def mutate_json_doc(rng: random.Random, doc: Any) -> Any:
    """One structural change: replace a value (by another type or an odd value), drop a key or
    item, duplicate an item, or rename a key."""
    paths = _paths(doc)
    path = rng.choice(paths)
    if not path:
        return _random_json(rng) if rng.random() < 0.3 else doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    action = rng.randrange(5)
    if action == 0 or action == 1:
        parent[last] = _random_json(rng)
    elif action == 2:
        del parent[last]
    elif action == 3 and isinstance(parent, list):
        parent.insert(last, parent[last])
    elif action == 3 and isinstance(parent, dict):
        parent[str(last) + rng.choice(["", "x", "/"])] = parent.pop(last) if rng.random() < 0.5 else parent[last]
    else:  # a string value changed by one character / a number nudged
        v = parent[last]
        if isinstance(v, str) and v:
            i = rng.randrange(len(v))
            parent[last] = v[:i] + rng.choice("0/.:a\x00é") + v[i + 1:]
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            parent[last] = rng.choice([v + 1, v - 1, -v, v * 1000])
        else:
            parent[last] = _random_json(rng)
    return doc


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """Plain byte-level changes (flip, insert, delete, truncate, splice a run)."""
    b = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(5)
        if not b:
            b += bytes([rng.randrange(256)])
            continue
        i = rng.randrange(len(b))
        if op == 0:
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[i:i] = bytes([rng.randrange(256)]) * rng.randrange(1, 4)
        elif op == 2:
            del b[i:i + rng.randrange(1, 8)]
        elif op == 3:
            del b[i:]
        else:
            b[i] = rng.choice(b"\x00\xff\"{}[]:,0-.\\/\n")
    return bytes(b)


def json_mutator(rng: random.Random, data: bytes) -> bytes:
    if rng.random() < 0.2:
        return mutate_bytes(rng, data)
    try:
        doc = json.loads(data)
    except ValueError:
        return mutate_bytes(rng, data)
    return json.dumps(mutate_json_doc(rng, doc)).encode()


# ---------------------------------------------------------------------------------------------
# Nix source

NIX_SEEDS = [
    'let x = 1; y = x + 2; in { inherit x y; z = [ x y "s${toString y}" ]; }',
    'rec { a = 1; b = a * 3; c = builtins.map (v: v + 1) [ 1 2 3 ]; d = builtins.attrNames { p = 1; q = 2; }; }',
    '{ f ? null, g, ... }@args: f',
    "let s = ''\n  line ${\"x\"}\n  ''$ done\n''; in builtins.stringLength s",
    'with builtins; foldl\' (a: b: a + b) 0 (genList (i: i * i) 10)',
    'let p = ./foo/bar.nix; u = https://example.org/x; in [ p u ~/x (builtins.tryEval <nixpkgs>).success ]',
    'assert 1 < 2; if true && !false then { a.b.c = 1; a.b.d = 2; } else null',
    'builtins.fromJSON "{\\"a\\": [1, 2.5, null, true]}"',
    'let xs = [ 1 2 3 ]; in builtins.concatStringsSep "," (map toString (builtins.filter (x: x > 1) xs))',
    '(({ a = { b = 1; }; }.a.c or { x = 3; }) // { c = "d"; }) ? c',
    'builtins.replaceStrings [ "a" ] [ "bb" ] (builtins.substring 1 3 "xaaay")',
    'builtins.match "([a-z]+)-([0-9.]+)" "hello-2.12"',
    'let f = { x, y ? x + 1 }: x * y; in f { x = 3; }',
    'builtins.toJSON { a = [ 1 "two" 3.0 ]; b = null; }',
    'builtins.tryEval (throw "no")',
    'builtins.attrNames { "or" = 1; ${"dyn"} = 2; }',
    'builtins.seq (builtins.deepSeq [ 1 ] 2) (-3 / 2)',
    'let inherit (builtins) head tail length; in head (tail [ 1 2 ]) + length [ ]',
    '"${toString 1.5}" + "\\n\\t\\$"',
    'builtins.split "(a)b" "xabyab"',
]

_NIX_TOKEN = re.compile(r"""\s+|#[^\n]*|/\*.*?\*/|''|\$\{|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_'-]*|
                          [0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.\.\.|->|==|!=|<=|>=|&&|\|\||//|\+\+|
                          [./~][A-Za-z0-9._/+-]*|<[A-Za-z0-9./_-]+>|.""", re.X | re.S)
_NIX_VOCAB = ["let", "in", "rec", "with", "inherit", "if", "then", "else", "assert", "or", "(", ")", "{", "}", "[",
              "]", ";", ":", "=", ".", ",", "?", "@", "...", "+", "-", "*", "/", "++", "//", "==", "!=", "<", ">",
              "&&", "||", "->", "!", '"', "''", "${", "}", "x", "1", "0", "99999999999999999999", "-9223372036854775808",
              "1.5e400", "./.", "/", "<nix>", "~/a", "builtins", "throw", "abort", "import", "null", "true",
              "__curPos", "a.b", '"\\', "#", "/*", "\n", "\t", "\x00", "é"]


def nix_tokens(text: str) -> list[str]:
    return [m.group(0) for m in _NIX_TOKEN.finditer(text)]


def mutate_nix(rng: random.Random, data: bytes) -> bytes:
    """Valid Nix with one token changed (replaced, deleted, duplicated or inserted); now and then
    a plain byte change."""
    text = data.decode("utf-8", errors="replace")
    if rng.random() < 0.1:
        return mutate_bytes(rng, data)
    toks = nix_tokens(text)
    idx = [i for i, t in enumerate(toks) if not t.isspace()] or [0]
    if not toks:
        toks = [""]
    i = rng.choice(idx)
    op = rng.randrange(4)
    repl = rng.choice(_NIX_VOCAB + toks)
    if op == 0:
        toks[i] = repl
    elif op == 1:
        toks[i] = ""
    elif op == 2:
        toks.insert(i, toks[i] + " ")
    else:
        toks.insert(i, repl + " ")
    return "".join(toks).encode("utf-8", errors="replace")


def run_parse(data: bytes, tmp: str) -> None:
    from translator.nix.parser import parse_string

    parse_string(data.decode("utf-8", errors="replace"), "«fuzz»", tmp)


def run_eval(data: bytes, tmp: str) -> None:
    from translator.nix.evaluator import Evaluator
    from translator.nix.printer import print_value
    from translator.nix.values import Thunk

    ev = Evaluator([], nix_path_env=False)
    v = ev.eval_string(data.decode("utf-8", errors="replace"), "«fuzz»", tmp)
    v = v.force() if isinstance(v, Thunk) else v
    print_value(v, True)


# ---------------------------------------------------------------------------------------------
# tar archives (docker-archive, OCI archive and layout, layer members)

def _tar(members: list[tuple[str, bytes]], *, extra: list[tarfile.TarInfo] | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for name, body in members:
            if name.endswith("/"):
                ti = tarfile.TarInfo(name.rstrip("/"))
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                tf.addfile(ti)
                continue
            ti = tarfile.TarInfo(name)
            ti.size = len(body)
            ti.mode = 0o644
            ti.mtime = 1
            tf.addfile(ti, io.BytesIO(body))
        for ti in extra or []:
            tf.addfile(ti)
    return buf.getvalue()


def layer_tar() -> bytes:
    link = tarfile.TarInfo("bin/sh")
    link.type = tarfile.SYMTYPE
    link.linkname = "/nix/store/abc-bash/bin/bash"
    hard = tarfile.TarInfo("etc/hosts2")
    hard.type = tarfile.LNKTYPE
    hard.linkname = "etc/hosts"
    return _tar([("etc/", b""), ("etc/hosts", b"127.0.0.1 localhost\n"), ("bin/", b"")], extra=[link, hard])


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _config(layer: bytes) -> bytes:
    return json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh"]},
                       "rootfs": {"type": "layers", "diff_ids": ["sha256:" + _sha(layer)]},
                       "history": [{"created_by": "fuzz"}]}, sort_keys=True).encode()


def docker_archive_seed(parents: bool = True) -> bytes:
    layer = layer_tar()
    cfg = _config(layer)
    lid = _sha(layer)
    members = [(f"{lid}/", b""), (f"{lid}/layer.tar", layer), (f"{lid}/VERSION", b"1.0"),
               (f"{_sha(cfg)}.json", cfg),
               ("manifest.json", json.dumps([{"Config": f"{_sha(cfg)}.json", "RepoTags": ["fuzz:latest"],
                                              "Layers": [f"{lid}/layer.tar"]}]).encode())]
    if parents:
        members.append((f"{lid}/json", json.dumps({"id": lid, "config": {}}).encode()))
        members.append(("repositories", json.dumps({"fuzz": {"latest": lid}}).encode()))
    return _tar(members)


def _manifest(layer: bytes, cfg: bytes, kind: str) -> str:
    """An image manifest naming ``cfg`` and ``layer``; ``kind`` is "oci" or "docker" media types."""
    mt = {"oci": ("application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.config.v1+json",
                  "application/vnd.oci.image.layer.v1.tar"),
          "docker": ("application/vnd.docker.distribution.manifest.v2+json",
                     "application/vnd.docker.container.image.v1+json", "application/vnd.docker.image.rootfs.diff.tar")}
    m, c, lt = mt[kind]
    return json.dumps({"schemaVersion": 2, "mediaType": m, "config": {"mediaType": c, "digest": "sha256:" + _sha(cfg),
                                                                    "size": len(cfg)},
                       "layers": [{"mediaType": lt, "digest": "sha256:" + _sha(layer), "size": len(layer)}]})


def oci_members() -> list[tuple[str, bytes]]:
    layer = layer_tar()
    cfg = _config(layer)
    manifest = _manifest(layer, cfg, "oci").encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + _sha(manifest),
         "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}).encode()
    return [("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'), ("index.json", index), ("blobs/", b""),
            ("blobs/sha256/", b""), (f"blobs/sha256/{_sha(layer)}", layer), (f"blobs/sha256/{_sha(cfg)}", cfg),
            (f"blobs/sha256/{_sha(manifest)}", manifest)]


def oci_archive_seed() -> bytes:
    return _tar(oci_members())


# ustar header fields: (offset, length)
_TAR_FIELDS = {"name": (0, 100), "mode": (100, 8), "uid": (108, 8), "gid": (116, 8), "size": (124, 12),
               "mtime": (136, 12), "chksum": (148, 8), "type": (156, 1), "linkname": (157, 100),
               "magic": (257, 6), "prefix": (345, 155)}
_FIELD_VALUES = [b"", b"\x00", b"..", b"../x", b"/etc/passwd", b"7777777", b"77777777777", b"-1", b"\x80\x00\x00\x01",
                 b"\xff" * 8, b"9", b"0", b"1", b"2", b"5", b"L", b"K", b"x", b"g", b"S", b"manifest.json",
                 b"index.json", b"blobs/sha256/", b"a" * 100, b"00000001000", b"ustar", b"ustar\x00"]


def _tar_headers(data: bytes) -> list[int]:
    offs = []
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
            for ti in tf:
                offs.append(ti.offset)
    except Exception:  # noqa: BLE001 - a damaged tar: the headers read so far
        pass
    return offs


def _checksum(block: bytearray) -> None:
    block[148:156] = b" " * 8
    s = sum(block[:512])
    block[148:156] = b"%06o\x00 " % s


def mutate_tar_header(rng: random.Random, data: bytes) -> bytes:
    """One header field of one member changed (checksum recomputed most of the time, so that the
    change gets past the checksum test into the reader)."""
    offs = _tar_headers(data)
    if not offs:
        return mutate_bytes(rng, data)
    off = rng.choice(offs)
    name = rng.choice(list(_TAR_FIELDS))
    start, length = _TAR_FIELDS[name]
    b = bytearray(data)
    block = bytearray(b[off:off + 512])
    if name == "size" and rng.random() < 0.6:
        val = b"%011o" % rng.choice([0, 1, 511, 513, 1 << 20, 8**11 - 1])
    else:
        val = rng.choice(_FIELD_VALUES)
    block[start:start + length] = (val + b"\x00" * length)[:length]
    if rng.random() < 0.9:
        _checksum(block)
    b[off:off + 512] = block
    return bytes(b)


def _rebuild(data: bytes, change: Callable[[str, bytes], bytes | None], rng: random.Random) -> bytes:
    """Re-pack a tar, letting ``change`` replace the body of one chosen regular member."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
        items = [(ti, tf.extractfile(ti).read() if ti.isfile() else None) for ti in tf]
    files = [i for i, (ti, _) in enumerate(items) if ti.isfile()]
    if not files:
        return data
    k = rng.choice(files)
    ti, body = items[k]
    new = change(ti.name, body)
    if new is not None:
        items[k] = (ti, new)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as out:
        for ti, body in items:
            if body is not None:
                ti.size = len(body)
                out.addfile(ti, io.BytesIO(body))
            else:
                out.addfile(ti)
    return buf.getvalue()


def mutate_archive(rng: random.Random, data: bytes) -> bytes:
    """Structure-aware image-archive mutation: one tar header field, or one JSON value of a
    manifest/config/index member, or one header field of the layer tar inside, or bytes."""
    r = rng.random()
    if r < 0.35:
        return mutate_tar_header(rng, data)
    if r < 0.85:
        def change(name: str, body: bytes) -> bytes | None:
            if body[:1] in (b"{", b"["):
                return json_mutator(rng, body)
            if len(body) >= 512 and _tar_headers(body):
                return mutate_tar_header(rng, body)
            return mutate_bytes(rng, body)
        try:
            return _rebuild(data, change, rng)
        except Exception:  # noqa: BLE001 - a tar too damaged to re-pack: plain bytes instead
            return mutate_bytes(rng, data)
    return mutate_bytes(rng, data)


def run_archive(data: bytes, tmp: str) -> None:
    from translator.image.inspect import inspect_image, render

    p = os.path.join(tmp, "image.tar")
    with open(p, "wb") as fh:
        fh.write(data)
    render(inspect_image(p))


def run_docker_read(data: bytes, tmp: str) -> None:
    from translator.image.docker_archive import read_docker_archive

    p = os.path.join(tmp, "image.tar")
    with open(p, "wb") as fh:
        fh.write(data)
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    read_docker_archive(p, work)


def run_oci_dir(data: bytes, tmp: str) -> None:
    """The OCI archive unpacked into a layout folder (members written by hand, confined to the
    folder), then read by the layout reader."""
    from translator.image.oci_layout import read_oci_dir

    root = os.path.join(tmp, "layout")
    os.mkdir(root)
    try:
        tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
        items = [(ti, tf.extractfile(ti).read() if ti.isfile() else None) for ti in tf]
    except (tarfile.TarError, OSError, ValueError, EOFError, OverflowError):
        return  # not a tar: nothing to lay out
    for ti, body in items:
        rel = os.path.normpath(ti.name).lstrip("/")
        if rel.startswith("..") or rel in (".", ""):
            continue
        dest = os.path.join(root, rel)
        try:  # a member clashing with an earlier one (file vs folder) is left out
            if ti.isdir():
                os.makedirs(dest, exist_ok=True)
            elif body is not None:
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "wb") as fh:
                    fh.write(body)
        except OSError:
            continue
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    read_oci_dir(root, work)


def run_layer(data: bytes, tmp: str) -> None:
    from translator.image.inspect import layer_summary

    p = os.path.join(tmp, "layer.tar")
    with open(p, "wb") as fh:
        fh.write(data)
    layer_summary(p, 0, len(data))


# ---------------------------------------------------------------------------------------------
# catalogs, closures, flake.lock, niv sources

_H = "0123456789abcdfghijklmnpqrsvwxyz"


def _sp(name: str, n: int) -> str:
    return "/nix/store/" + "".join(_H[(n * 7 + i) % 32] for i in range(32)) + "-" + name


def closure_seed() -> bytes:
    a, b = _sp("hello-2.12", 1), _sp("glibc-2.39", 2)
    return json.dumps([{"path": a, "narSize": 1000, "references": [a, b], "closureSize": 3000},
                       {"path": b, "narSize": 2000, "references": [b]}]).encode()


def closure_dot_seed() -> bytes:
    a, b = _sp("hello-2.12", 1), _sp("glibc-2.39", 2)
    return f'digraph G {{\n"{a}" -> "{b}";\n"{b}";\n}}\n'.encode()


def catalog_seed() -> bytes:
    from translator.universe.catalog import Catalog, catalog_from_paths, dump_catalog, load_default  # noqa: F401
    from translator.closure_io import parse_closure

    infos = parse_closure(closure_seed().decode())
    return dump_catalog(catalog_from_paths(infos)).encode()


def run_closure(data: bytes, tmp: str) -> None:
    from translator.closure_io import check_closed, closure_sizes, parse_closure

    infos = parse_closure(data.decode("utf-8", errors="replace"), "«fuzz»")
    check_closed(infos)
    closure_sizes(infos)


def run_catalog(data: bytes, tmp: str) -> None:
    from translator.universe.catalog import dump_catalog, parse_catalog

    dump_catalog(parse_catalog(data.decode("utf-8", errors="replace"), "«fuzz»"))


def flake_lock_seed() -> bytes:
    return json.dumps({"nodes": {
        "root": {"inputs": {"nixpkgs": "nixpkgs", "utils": "flake-utils", "sys": ["flake-utils", "systems"]}},
        "nixpkgs": {"locked": {"type": "github", "owner": "NixOS", "repo": "nixpkgs", "rev": "a" * 40,
                               "narHash": "sha256-" + "A" * 43 + "="},
                    "original": {"type": "github", "owner": "NixOS", "repo": "nixpkgs", "ref": "nixos-24.05"}},
        "flake-utils": {"inputs": {"systems": "systems"},
                        "locked": {"type": "github", "owner": "numtide", "repo": "flake-utils", "rev": "b" * 40},
                        "original": {"id": "flake-utils", "type": "indirect"}},
        "systems": {"locked": {"type": "github", "owner": "nix-systems", "repo": "default", "rev": "c" * 40},
                    "original": {"type": "github", "owner": "nix-systems", "repo": "default"}}},
        "root": "root", "version": 7}).encode()


def niv_seed() -> bytes:
    return json.dumps({"nixpkgs": {"branch": "nixos-24.05", "owner": "NixOS", "repo": "nixpkgs", "rev": "a" * 40,
                                   "sha256": "0" * 52, "type": "tarball",
                                   "url": "https://github.com/NixOS/nixpkgs/archive/" + "a" * 40 + ".tar.gz",
                                   "url_template": "https://github.com/<owner>/<repo>/archive/<rev>.tar.gz"},
                       "niv": {"owner": "nmattia", "repo": "niv", "rev": "d" * 40, "type": "tarball",
                               "url": "https://github.com/nmattia/niv/archive/x.tar.gz"}}).encode()


def run_flake_lock(data: bytes, tmp: str) -> None:
    from translator.universe.fetches import lock_entry
    from translator.universe.flake import classify, read_lock

    with open(os.path.join(tmp, "flake.lock"), "wb") as fh:
        fh.write(data)
    lock = read_lock(tmp)
    for name in ("nixpkgs", "utils", "sys", "other"):
        classify(name, {}, lock)
        classify(name, {"follows": "utils/systems"}, lock)
    lock_entry("https://github.com/NixOS/nixpkgs/archive/" + "a" * 40 + ".tar.gz", "nixpkgs", tmp)


def run_niv(data: bytes, tmp: str) -> None:
    from translator.universe.fetches import lock_entry

    os.mkdir(os.path.join(tmp, "nix"))
    with open(os.path.join(tmp, "nix", "sources.json"), "wb") as fh:
        fh.write(data)
    lock_entry("https://github.com/NixOS/nixpkgs/archive/" + "a" * 40 + ".tar.gz", "nixpkgs", tmp)
    lock_entry("https://example.org/none.tar.gz", "niv", tmp)


# ---------------------------------------------------------------------------------------------
# binary cache texts

NARINFO_PATH = _sp("hello-2.12", 1)


def narinfo_seed() -> bytes:
    return (f"StorePath: {NARINFO_PATH}\nURL: nar/{'1' * 52}.nar.xz\nCompression: xz\n"
            f"FileHash: sha256:{'1' * 52}\nFileSize: 1234\nNarHash: sha256:{'0' * 52}\nNarSize: 5000\n"
            f"References: {NARINFO_PATH[11:]} {_sp('glibc-2.39', 2)[11:]}\nDeriver: {'2' * 32}-hello-2.12.drv\n"
            f"Sig: cache.example.org-1:{'A' * 86}==\nCA: fixed:r:sha256:{'3' * 52}\n").encode()


def cache_info_seed() -> bytes:
    return b"StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n"


def mutate_lines(rng: random.Random, data: bytes) -> bytes:
    """``Key: value`` texts: one line's key or value changed, dropped, duplicated, or bytes."""
    if rng.random() < 0.15:
        return mutate_bytes(rng, data)
    lines = data.decode("utf-8", errors="replace").split("\n")
    i = rng.randrange(len(lines))
    key, sep, value = lines[i].partition(":")
    op = rng.randrange(5)
    if op == 0:
        lines[i] = key + sep + " " + rng.choice(_INTERESTING_STR + ["²", "١٢", "sha256:" + "z" * 52, "md5:x",
                                                                    "../x", "9" * 30, "sha512:" + "0" * 10])
    elif op == 1:
        lines[i] = rng.choice(["StorePath", "URL", "NarHash", "NarSize", "FileSize", "References", "Deriver",
                               "Priority", "StoreDir", "", " "]) + sep + value
    elif op == 2:
        del lines[i]
    elif op == 3:
        lines.insert(i, lines[i])
    else:
        lines[i] = key + rng.choice(["", "::", " :"]) + value
    return "\n".join(lines).encode("utf-8", errors="replace")


def run_narinfo(data: bytes, tmp: str) -> None:
    from translator.binary_cache.narinfo import parse_narinfo

    parse_narinfo(data.decode("utf-8", errors="replace"), NARINFO_PATH, "https://cache.example.org")


def run_cache_info(data: bytes, tmp: str) -> None:
    from translator.binary_cache.substituter import parse_cache_info

    parse_cache_info(data.decode("utf-8", errors="replace"))


# ---------------------------------------------------------------------------------------------
# registry answers and auth challenges (a fake registry on 127.0.0.1)

CHALLENGE_SEEDS = [b'Bearer realm="http://127.0.0.1:1/token",service="registry.example",scope="repository:a/b:pull"',
                   b'Basic realm="Registry Realm"', b'Bearer realm=http://x/token,service=svc']


def mutate_challenge(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("latin-1")
    parts = re.split(r'(\s+|,|=|")', text)
    i = rng.randrange(len(parts))
    parts[i] = rng.choice(["", '"', ",", "=", " ", "Bearer", "basic", "realm", "scope", "\\\"", "é", "a" * 50,
                           "realm=\"", "=,=", "\x00"])
    return "".join(parts).encode("latin-1", errors="replace") if rng.random() < 0.85 else mutate_bytes(rng, data)


def run_challenge(data: bytes, tmp: str) -> None:
    from translator.registry.auth import parse_challenge

    parse_challenge(data.decode("latin-1"))


class _Reply:
    """What the fake registry answers: path -> (status, headers, body)."""

    routes: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # noqa: D102 - quiet
        pass

    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0]
        if self.headers.get("Authorization") and path + "#authorized" in _Reply.routes:
            path += "#authorized"  # the answer once the client has a token
        status, headers, body = _Reply.routes.get(path, (404, [("Content-Type", "application/json")],
                                                         b'{"errors":[{"code":"NOT_FOUND","message":"x"}]}'))
        try:
            self.send_response_only(status)
            has_len = False
            for k, v in headers:
                self.send_header(k, v)
                has_len = has_len or k.lower() == "content-length"
            if not has_len:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except (OSError, ValueError):
            pass
        self.close_connection = True

    do_HEAD = do_GET


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


_server: _Server | None = None


def fake_registry() -> int:
    """Start (once) the fake registry on 127.0.0.1; its port."""
    global _server
    if _server is None:
        _server = _Server(("127.0.0.1", 0), _Handler)
        threading.Thread(target=_server.serve_forever, daemon=True).start()
    return _server.server_address[1]


def registry_seed() -> tuple[bytes, bytes]:
    """Two whole registry conversations as JSON (per path: status, headers and body as text), one
    anonymous, one behind a bearer-token challenge."""
    port = fake_registry()
    layer = layer_tar()
    cfg = _config(layer)
    manifest = _manifest(layer, cfg, "docker")
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": [{"digest": "sha256:" + _sha(manifest.encode()), "size": len(manifest),
                                       "platform": {"os": "linux", "architecture": "amd64"}}]})
    mt = "application/vnd.docker.distribution.manifest.v2+json"
    routes = {
        "/v2/fuzz/app/manifests/latest": [200, [["Content-Type", "application/vnd.oci.image.index.v1+json"]], index],
        f"/v2/fuzz/app/manifests/sha256:{_sha(manifest.encode())}": [200, [["Content-Type", mt]], manifest],
        f"/v2/fuzz/app/blobs/sha256:{_sha(cfg)}": [200, [["Content-Type", "application/octet-stream"]], cfg.decode()],
        f"/v2/fuzz/app/blobs/sha256:{_sha(layer)}": [200, [], layer.decode("latin-1")],
        "/token": [200, [["Content-Type", "application/json"]], '{"token": "t0k"}'],
    }
    auth_routes = dict(routes)
    auth_routes["/v2/fuzz/app/manifests/latest#authorized"] = routes["/v2/fuzz/app/manifests/latest"]
    auth_routes["/v2/fuzz/app/manifests/latest"] = [401, [["WWW-Authenticate",
                                                           f'Bearer realm="http://127.0.0.1:{port}/token",'
                                                           'service="fake",scope="repository:fuzz/app:pull"']], ""]
    return json.dumps({"routes": routes, "auth_first": False, "port": port}).encode(), \
        json.dumps({"routes": auth_routes, "auth_first": True, "port": port}).encode()


def mutate_registry(rng: random.Random, data: bytes) -> bytes:
    """One change in one answer: its status, one header, or its body (JSON bodies structurally)."""
    try:
        doc = json.loads(data)
        routes = doc["routes"]
        path = rng.choice(sorted(routes))
        status, headers, body = routes[path]
    except (ValueError, KeyError, TypeError, IndexError):
        return mutate_bytes(rng, data)
    op = rng.randrange(4)
    if op == 0:
        status = rng.choice([200, 201, 204, 301, 307, 400, 401, 403, 404, 429, 500, 503, 99, 999])
    elif op == 1:
        name = rng.choice(["Content-Type", "Content-Length", "Location", "WWW-Authenticate", "Docker-Content-Digest",
                           "Transfer-Encoding"])
        value = rng.choice(["", "0", "-1", "99999", "application/json", "text/plain; charset=x", "chunked",
                            "http://127.0.0.1:1/x", "/v2/fuzz/app/blobs/sha256:" + "0" * 64, "Bearer", 'Bearer realm="',
                            'Basic realm="x"', "sha256:" + "0" * 64, "\u00e9"])
        headers = [h for h in headers if h[0] != name] + [[name, value]]
    else:
        raw = body.encode("latin-1", errors="replace")
        body = (json_mutator(rng, raw) if raw[:1] in (b"{", b"[") else mutate_bytes(rng, raw)).decode("latin-1")
    routes[path] = [status, headers, body]
    return json.dumps(doc).encode()


def run_registry(data: bytes, tmp: str) -> None:
    from translator.http.retry import RetryPolicy
    from translator.registry.client import RegistryClient
    from translator.registry.pull import fetch
    from translator.registry.reference import parse_reference

    port = fake_registry()
    try:
        doc = json.loads(data)
        if isinstance(doc.get("port"), int):  # a saved conversation: point its URLs at this server
            doc = json.loads(data.replace(b"127.0.0.1:%d" % doc["port"], b"127.0.0.1:%d" % port))
        routes = {p: (int(s), [(str(k), str(v)) for k, v in h], str(b).encode("latin-1", errors="replace"))
                  for p, (s, h, b) in doc["routes"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return  # not a conversation: nothing to serve
    _Reply.routes = routes
    client = RegistryClient(f"127.0.0.1:{port}", insecure=True, timeout=2.0, log=lambda m: None,
                            retry=RetryPolicy(attempts=2, backoff=0, sleep=lambda s: None))
    ref = parse_reference(f"127.0.0.1:{port}/fuzz/app:latest")
    fetch(ref, client, Path(tmp) / "pull")


# ---------------------------------------------------------------------------------------------
# the targets

def _eval_seeds() -> list[bytes]:
    return [s.encode() for s in NIX_SEEDS]


def _parse_seeds() -> list[bytes]:
    """The small expressions above plus the project's own modelled nixpkgs files (real-sized Nix
    with every construct the library uses), the smaller ones, in a fixed order."""
    root = Path(__file__).resolve().parent.parent / "translator" / "universe" / "nixpkgs"
    files = sorted((p for p in root.rglob("*.nix") if p.stat().st_size < 6000), key=lambda p: str(p))
    return _eval_seeds() + [p.read_bytes() for p in files[:25]]


def _mix(rng: random.Random, mut: Callable[[random.Random, bytes], bytes], data: bytes) -> bytes:
    return mut(rng, data)


def targets() -> dict[str, Target]:
    from translator.nix.values import EvalError

    nix_clean = (UserError, EvalError, RecursionError)
    return {t.name: t for t in [
        Target("nix-parse", _parse_seeds, mutate_nix, run_parse, clean=(UserError, RecursionError), timeout=5),
        Target("nix-eval", _eval_seeds, mutate_nix, run_eval, clean=nix_clean, timeout=2, mem_bound=True),
        Target("docker-archive", lambda: [docker_archive_seed(), docker_archive_seed(False)], mutate_archive,
               run_docker_read),
        Target("image-inspect", lambda: [docker_archive_seed(), oci_archive_seed()], mutate_archive, run_archive),
        Target("oci-layout", lambda: [oci_archive_seed()], mutate_archive, run_oci_dir),
        Target("layer-tar", lambda: [layer_tar()], lambda r, d: mutate_tar_header(r, d) if r.random() < 0.7
               else mutate_bytes(r, d), run_layer),
        Target("closure", lambda: [closure_seed(), closure_dot_seed()],
               lambda r, d: json_mutator(r, d) if d[:1] == b"[" else mutate_bytes(r, d), run_closure),
        Target("catalog", lambda: [catalog_seed()], json_mutator, run_catalog),
        Target("flake-lock", lambda: [flake_lock_seed()], json_mutator, run_flake_lock),
        Target("niv-sources", lambda: [niv_seed()], json_mutator, run_niv),
        Target("narinfo", lambda: [narinfo_seed()], mutate_lines, run_narinfo),
        Target("nix-cache-info", lambda: [cache_info_seed()], mutate_lines, run_cache_info),
        Target("auth-challenge", lambda: CHALLENGE_SEEDS, mutate_challenge, run_challenge),
        Target("registry", lambda: list(registry_seed()), mutate_registry, run_registry, timeout=15),
    ]}


def mutant(target: Target, rng: random.Random, rounds: int | None = None) -> bytes:
    """A seed of ``target`` with 1-3 structure-aware mutations applied."""
    data = rng.choice(target.seed_list())
    for _ in range(rounds or rng.choice([1, 1, 1, 2, 3])):
        data = target.mutate(rng, data)
    return data


REGRESSIONS = Path(__file__).parent / "fuzz_regressions"


def regression_files() -> list[tuple[str, Path]]:
    """``tests/fuzz_regressions/<target>/<name>``: inputs that once crashed a reader."""
    out = []
    if REGRESSIONS.is_dir():
        for d in sorted(REGRESSIONS.iterdir()):
            if d.is_dir():
                out += [(d.name, f) for f in sorted(d.iterdir()) if f.is_file()]
    return out
