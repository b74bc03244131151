"""``nix2image build`` and ``stream`` of a ``--spec-json`` without click (translator.entry,
translator.commands.image_main): a plain line is read exactly as click reads it (the evaluation
options click adds stay at their defaults), anything else is left to click, and the installed
command really runs such a line without importing click, with the same output and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import nix2image_exe, run_cli
from translator.cli import main
from translator.commands.image_main import parse_plain

HERE = Path(__file__).resolve().parent
SPEC = str(HERE / "data-image-options-spec.json")  # a name only: parsing never opens it

TOKENS = ["--spec-json", "s.json", "--store-root", "/tmp", "/nonexistent-dir", "--layers", "l.json", "/tmp",
          "-o", "--output", "out.tar", "--format", "oci", "docker-archive", "oci-archive", "zip", "--compress",
          "gzip", "zstd", "none", "--no-cache", "--layer-names", "digest", "position", "--strategy", "popularity",
          "-q", "--quiet", "--run-timeout", "3", "-A", "img", "--placeholders", "--help", "--", "-", "f.nix",
          "--format=oci", "-qo", "--debug", ""]


def click_params(command: str, argv: list[str]) -> dict | None:
    cmd = main.get_command(None, command)  # type: ignore[arg-type]
    try:
        ctx = cmd.make_context(command, list(argv))
    except (click.exceptions.Exit, click.ClickException):
        return None
    return ctx.params


def agree(command: str, argv: list[str]) -> None:
    """The plain reader's answer, where it gives one, is click's: the same values for its own
    options, and every option it does not know (the evaluation ones) at its default."""
    mine = parse_plain(command, argv)
    if mine is None:
        return
    theirs = click_params(command, argv)
    assert theirs is not None, argv
    assert {k: theirs[k] for k in mine} == mine
    defaults = click_params(command, ["--spec-json", "s.json"])
    assert {k: v for k, v in theirs.items() if k not in mine} == {k: v for k, v in defaults.items() if k not in mine}


PLAIN = [
    ["--spec-json", "s.json"],
    ["--spec-json", "s.json", "--store-root", "/tmp", "--layers", "l.json", "-o", "out.tar", "-q"],
    ["-o", "x", "--format", "oci", "--compress", "zstd", "--spec-json", "s.json", "--no-cache"],
    ["--spec-json", "a.json", "--spec-json", "s.json", "--strategy", "popularity", "--layer-names", "position"],
    ["--quiet", "--output", "o", "--spec-json", ""],
]


@pytest.mark.parametrize("command", ["build", "stream"])
@pytest.mark.parametrize("argv", PLAIN, ids=lambda a: " ".join(a))
def test_plain_lines_are_read_as_click_reads_them(command, argv):
    if command == "stream" and "oci" in argv:
        argv = [("oci-archive" if a == "oci" else a) for a in argv]
    assert parse_plain(command, argv) is not None
    agree(command, argv)


@pytest.mark.parametrize("argv", [
    [],                                              # no --spec-json: a Nix file's build (evaluation options)
    ["f.nix"], ["f.nix", "--spec-json", "s.json"],   # a FILE
    ["--spec-json", "s.json", "-A", "img"],          # an evaluation option
    ["--spec-json", "s.json", "--run-timeout", "3"],  # click checks the number
    ["--spec-json", "s.json", "--format", "zip"],    # not a choice
    ["--spec-json", "s.json", "--store-root", "/nonexistent-dir"],  # click.Path(exists=True)
    ["--spec-json", "/tmp"],                         # a directory where a file is wanted
    ["--spec-json", "s.json", "--help"], ["--spec-json=s.json"], ["-qo", "x", "--spec-json", "s.json"],
    ["--spec-json"], ["--spec-json", "-x"], ["--", "--spec-json", "s.json"],
])
def test_anything_else_is_left_to_click(argv):
    assert parse_plain("build", argv) is None


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["build", "stream"]), st.lists(st.sampled_from(TOKENS), max_size=9))
def test_generated_lines_agree_with_click(command, argv):
    agree(command, argv)


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "root"
    p = "/nix/store/" + "1" * 32 + "-hello"
    (root / p.lstrip("/") / "bin").mkdir(parents=True)
    (root / p.lstrip("/") / "bin" / "hello").write_text("#!/bin/sh\necho hi\n")
    spec = {"builder": "buildLayeredImage", "name": "plain", "tag": "t",
            "closure": [{"path": p, "nar_size": 100, "references": []}]}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    (tmp_path / "layers.json").write_text(json.dumps([[p]]))
    return tmp_path


def test_installed_build_of_a_spec_runs_without_click(store, tmp_path):
    """A plain ``build --spec-json`` never imports click; the archive, the summary line, and a
    stream of the same image, are what the click path gives (``--spec-json=FILE`` sends a line
    to click)."""
    rest = ["--store-root", str(store / "root"), "--layers", str(store / "layers.json"), "--no-cache"]
    args = ["--spec-json", str(store / "spec.json"), *rest]
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-X", "importtime", nix2image_exe(), "build", *args, "-o",
                           str(tmp_path / "plain.tar")], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time")}
    assert "click" not in imported and "translator.image.build" in imported
    assert parse_plain("build", [f"--spec-json={store / 'spec.json'}", *rest]) is None
    clicked = run_cli("build", f"--spec-json={store / 'spec.json'}", *rest, "-o", str(tmp_path / "click.tar"),
                      env=env, check=True)
    assert (tmp_path / "plain.tar").read_bytes() == (tmp_path / "click.tar").read_bytes()
    assert proc.stdout.replace("plain.tar", "X") == clicked.stdout.replace("click.tar", "X")
    streamed = subprocess.run([nix2image_exe(), "stream", *args, "--layer-names", "digest"], capture_output=True,
                              env=env, timeout=120, check=True).stdout
    assert streamed == (tmp_path / "plain.tar").read_bytes()


@pytest.mark.parametrize("extra, message", [
    (["--strategy", "popularity"], "give either --strategy or --layers, not both"),
    (["--spec-json", "/nonexistent/spec.json"], "/nonexistent/spec.json"),  # (the last --spec-json wins)
])
def test_errors_are_the_same_through_both_paths(store, tmp_path, extra, message):
    rest = ["--store-root", str(store / "root"), "--layers", str(store / "layers.json"), *extra,
            "-o", str(tmp_path / "x.tar")]
    plain = run_cli("build", "--spec-json", str(store / "spec.json"), *rest)
    clicked = run_cli("build", f"--spec-json={store / 'spec.json'}", *rest)
    assert message in plain.stderr and "Traceback" not in plain.stderr
    assert (plain.returncode, plain.stderr) == (clicked.returncode, clicked.stderr)
