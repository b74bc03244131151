"""Hand-written Nix files in the styles real docker-image files use, each evaluated to the
expected image spec and closure (``tests/universe_cases/*.nix``).

Each case states what it expects in its header comment, as JSON after ``# expect:`` (and the
command-line options after ``# options:``). Store paths are compared by name: ``<hello-2.12.1>``
stands for ``/nix/store/<hash>-hello-2.12.1``. Keys:

* spec fields (``builder``, ``name``, ``tag``, ``architecture``, ``max_layers``, ``created``, ...)
* ``roots``, ``closure`` (exact), ``closure_includes``, ``closure_excludes``: store path names
* ``config``: the config as written, store paths by name
* ``warnings``: substrings each found in some warning
* ``files``: ``"<name>/rel": text`` | ``{"link": target}`` | ``{"exec": bool}`` | ``{"dir": true}``
  checked in the content source (real content of modelled builders)
* ``from_image``: fields of the base image reference; ``extra``: subset of ``spec.extra``
* ``needs_namespaces``: the case needs build scripts to see inputs at their store paths
* ``error``: substrings of the CLI's error (then the case runs through the installed CLI and must
  exit non-zero without a traceback)
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import in_ci, run_cli

CASES = Path(__file__).parent / "universe_cases"
STORE_RE = re.compile(r"/nix/store/[0-9a-z]{32}-([A-Za-z0-9+\-._?=]+)")


def norm(v):
    """Store paths -> <name> everywhere in ``v``."""
    if isinstance(v, str):
        return STORE_RE.sub(lambda m: f"<{m.group(1)}>", v)
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {norm(k): norm(x) for k, x in v.items()}
    return v


def header(path: Path) -> tuple[dict, list[str]]:
    expect_lines, options = [], []
    mode = None
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if body.startswith("expect:"):
            mode = "expect"
            body = body[len("expect:"):]
        elif body.startswith("options:"):
            options = json.loads(body[len("options:"):])
            mode = None
            continue
        elif mode == "expect" and not line.startswith("#  "):
            mode = None  # a plain comment ends the expectation block
        if mode == "expect":
            expect_lines.append(body)
    return json.loads(" ".join(expect_lines) or "{}"), options


def expand(options: list[str], tmp_path: Path) -> list[str]:
    out = []
    for o in options:
        o = o.replace("@CASES@", str(CASES))
        if "@TMP@" in o:
            o = o.replace("@TMP@", str(tmp_path))
        out.append(o)
    return out


def opts_from(options: list[str]):
    from translator.commands.spec_options import load_options

    kw = {"attr": None, "arg": [], "argstr": [], "bind": [], "catalog": [], "placeholders": False,
          "full_size": False, "include": [], "system": None, "pull_cache": None}
    it = iter(options)
    for o in it:
        if o in ("-A", "--attr"):
            kw["attr"] = next(it)
        elif o == "--bind":
            kw["bind"].append(next(it))
        elif o == "--arg":
            kw["arg"].append((next(it), next(it)))
        elif o == "--argstr":
            kw["argstr"].append((next(it), next(it)))
        elif o == "--catalog":
            kw["catalog"].append(next(it))
        elif o == "--placeholders":
            kw["placeholders"] = True
        elif o == "--system":
            kw["system"] = next(it)
        elif o == "--pull-cache":
            kw["pull_cache"] = next(it)
        else:
            raise AssertionError(f"unknown option in case header: {o}")
    return load_options(**kw)


def prepare(tmp_path: Path) -> None:
    """Fixtures some cases bind: a build output directory and a single file."""
    app = tmp_path / "result"
    (app / "bin").mkdir(parents=True)
    (app / "bin" / "app").write_text("#!/bin/sh\necho app\n")
    (app / "bin" / "app").chmod(0o755)
    (tmp_path / "tool").mkdir()
    (tmp_path / "tool" / "README").write_text("tool\n")


def check_files(files: dict, spec, source) -> None:
    by_name = {}
    for info in spec.closure:
        by_name[STORE_RE.match(info.path).group(1)] = info.path
    for key, want in files.items():
        name, _, rel = key.partition("/")
        assert name in by_name, f"{name} not in closure {sorted(by_name)}"
        loc = source.location(by_name[name])
        p = os.path.join(loc, rel) if rel else loc
        if isinstance(want, str):
            assert os.path.isfile(p), f"{key}: not a file"
            assert norm(Path(p).read_text()) == want, f"{key}: content differs"
        elif "link" in want:
            assert os.path.islink(p), f"{key}: not a symlink"
            assert norm(os.readlink(p)) == want["link"]
        elif "exec" in want:
            assert bool(os.stat(p).st_mode & 0o111) == want["exec"], f"{key}: executable bit"
        elif "dir" in want:
            assert os.path.isdir(p) and not os.path.islink(p), f"{key}: not a directory"
        elif "absent" in want:
            assert not os.path.lexists(p), f"{key}: should not exist"


def case_files():
    return sorted(p for p in CASES.glob("*.nix"))


def test_enough_cases():
    assert len(case_files()) >= 40


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_case(path: Path, tmp_path: Path) -> None:
    expect, options = header(path)
    assert expect, f"{path.name}: no '# expect:' header"
    if expect.pop("needs_namespaces", False):
        from translator.universe.realize import store_namespaces_work

        if not store_namespaces_work():
            msg = "user and mount namespaces (unshare -rm) are not available here"
            if in_ci():
                pytest.fail(msg)
            pytest.skip(msg)
    prepare(tmp_path)
    options = expand(options, tmp_path)
    if "error" in expect:
        proc = run_cli("spec", str(path), *options, cwd=tmp_path)
        assert proc.returncode != 0, proc.stdout
        assert "Traceback" not in proc.stderr
        for frag in expect["error"]:
            assert frag in norm(proc.stderr), f"missing {frag!r} in:\n{proc.stderr}"
        return
    from translator.universe.load import load_spec

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        spec, source = load_spec(str(path), opts_from(options))
    finally:
        os.chdir(cwd)
    names = sorted(norm(i.path)[1:-1] for i in spec.closure)
    for key, want in expect.items():
        if key == "roots":
            assert sorted(norm(r)[1:-1] for r in spec.roots) == sorted(want)
        elif key == "closure":
            assert names == sorted(want)
        elif key == "closure_includes":
            missing = sorted(set(want) - set(names))
            assert not missing, f"closure lacks {missing}: {names}"
        elif key == "closure_excludes":
            assert not (set(want) & set(names)), names
        elif key == "config":
            assert norm(spec.config) == want
        elif key == "warnings":
            for frag in want:
                assert any(frag in w for w in spec.warnings), f"no warning with {frag!r}: {spec.warnings}"
        elif key == "no_warnings":
            assert not [w for w in spec.warnings if "warning" in w and "estimated" not in w], spec.warnings
        elif key == "files":
            check_files(want, spec, source)
        elif key == "from_image":
            fi = spec.from_image
            assert fi is not None
            for k, v in want.items():
                got = getattr(fi, k) if k != "spec.name" else fi.spec.name
                assert norm(got) == v, f"from_image.{k}: {got!r}"
        elif key == "extra":
            for k, v in want.items():
                assert norm(spec.extra.get(k)) == v, f"extra.{k}: {spec.extra.get(k)!r}"
        elif key == "images":
            assert [s.name for s in spec.images] == want
        elif key == "contents":
            assert [norm(p)[1:-1] for p in spec.contents] == want
        elif key == "copy_to_root":
            assert [norm(p)[1:-1] for p in spec.copy_to_root] == want
        elif key == "tag_is_hash":
            assert re.fullmatch(r"[0-9a-z]{32}", spec.tag or ""), spec.tag
        else:
            assert hasattr(spec, key), f"unknown expectation {key}"
            assert norm(getattr(spec, key)) == want, f"{key}: {getattr(spec, key)!r}"
