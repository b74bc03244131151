"""The real-world corpus (../shared/corpus): every entry run as a user would, coverage ratcheted.

For each row of ``manifest.tsv`` the test runs, from the entry's repository folder,
``nix2image images ENTRY --placeholders`` and then ``nix2image spec ENTRY -A ATTR --placeholders``
for the image attribute: the one the manifest's notes name (``attribute all.docker``), else the
first image ``images`` listed (no ``-A`` when the file itself is the image). Where the notes say
an argument selects the images (``when useDocker = true``), both commands get it as ``--arg``.
An entry is covered when ``spec`` prints an image spec.

The outcome of every entry, with the first error line, is in ``docs/coverage.md``. The test fails
when fewer entries are covered than that file records (a ratchet) and when any run prints a Python
traceback or an internal error. ``NIX2IMAGE_UPDATE_COVERAGE=1`` rewrites the file with this run's
outcomes (do it when coverage rises). Runs go two at a time (the machine has two cores).

``python tests/test_corpus.py [ID-PREFIX ...]`` prints the outcomes without touching the file.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
COVERAGE_MD = ROOT / "docs" / "coverage.md"
UPDATE_ENV = "NIX2IMAGE_UPDATE_COVERAGE"
TIMEOUT = 300  # seconds per command; a run that takes longer counts as a failure
CRASH_MARKS = ("Traceback (most recent call last)", "internal error")
#: ``attribute all.docker`` / ``attributes image and scriptImage`` in the manifest's notes
NOTES_ATTR = re.compile(r"\(attributes? ([A-Za-z0-9_.'-]+)")
#: ``callPackage'd from default.nix when useDocker = true``: the argument the notes say to pass
NOTES_ARG = re.compile(r"\bwhen (\w+) = (true|false)\b")
COVERAGE_LINE = re.compile(r"^Coverage: (\d+)/(\d+) ", re.M)


@dataclass(slots=True)
class Entry:
    id: str
    entry: str
    form: str
    notes: str

    @property
    def folder(self) -> Path:
        return CORPUS / "repos" / self.id

    @property
    def notes_attr(self) -> str | None:
        m = NOTES_ATTR.search(self.notes)
        return m.group(1) if m else None

    @property
    def notes_args(self) -> list[str]:
        return [a for m in NOTES_ARG.finditer(self.notes) for a in ("--arg", m.group(1), m.group(2))]


@dataclass(slots=True)
class Outcome:
    entry: Entry
    ok: bool
    attr: str | None  # the attribute spec was run with (None: the file itself / not reached)
    step: str  # "images" or "spec": where it stopped (or "spec" when it succeeded)
    error: str  # the first error line ("" when ok)
    crash: str  # a traceback / internal error excerpt ("" when none)
    images: list[str]
    seconds: float = 0.0


def manifest() -> list[Entry]:
    with open(CORPUS / "manifest.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [Entry(r["id"], r["entry"], r["form"], r["notes"]) for r in rows]


def _exe() -> str:
    beside = Path(sys.executable).parent / "nix2image"
    return str(beside) if beside.exists() else "nix2image"


def _run(entry: Entry, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop(UPDATE_ENV, None)
    try:
        return subprocess.run([_exe(), *args], cwd=entry.folder, capture_output=True, text=True,
                              timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -1, "", f"error: timed out after {TIMEOUT} s")


def first_error(stderr: str) -> str:
    """The line a user reads first: the first ``error:`` line (else the last non-empty line)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    line = next((ln for ln in lines if ln.startswith("error:")), lines[-1] if lines else "(no message)")
    # the checkout's own location differs between machines: name the tool's files from the repo root
    return line.replace(str(ROOT) + "/", "")


def _crash(stderr: str) -> str:
    for mark in CRASH_MARKS:
        i = stderr.find(mark)
        if i >= 0:
            return stderr[i:i + 2000]
    return ""


def run_entry(entry: Entry) -> Outcome:
    """``images`` then ``spec`` for one entry, from its folder (timed)."""
    start = time.monotonic()
    out = _run_entry(entry)
    out.seconds = time.monotonic() - start
    return out


def _run_entry(entry: Entry) -> Outcome:
    listed = _run(entry, "images", entry.entry, "--placeholders", *entry.notes_args)
    crash = _crash(listed.stderr)
    images: list[str] = []
    if listed.returncode == 0:
        images = [line.split("\t", 1)[0] for line in listed.stdout.splitlines() if line.strip()]
    attr = entry.notes_attr
    if attr is None:
        if listed.returncode != 0 or not images:
            return Outcome(entry, False, None, "images", first_error(listed.stderr), crash, images)
        attr = images[0] if images[0] != "(the file itself)" else None
    args = ["spec", entry.entry, "--placeholders", *entry.notes_args] + (["-A", attr] if attr else [])
    spec = _run(entry, *args)
    crash = crash or _crash(spec.stderr)
    ok = spec.returncode == 0 and spec.stdout.startswith("image ")
    error = "" if ok else first_error(spec.stderr)
    return Outcome(entry, ok, attr, "spec", error, crash, images)


def run_all(entries: list[Entry], jobs: int = 2) -> list[Outcome]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(run_entry, entries))


# --- docs/coverage.md -----------------------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(outcomes: list[Outcome]) -> str:
    ok = sum(o.ok for o in outcomes)
    total = len(outcomes)
    pct = 100 * ok // total if total else 0
    lines = [
        "# Corpus coverage",
        "",
        "The real-world corpus (`../shared/corpus`, see its README) run as a user would, by",
        "`tests/test_corpus.py`: from each entry's folder, `nix2image images ENTRY --placeholders`,",
        "then `nix2image spec ENTRY -A ATTR --placeholders` for the attribute the manifest's notes name,",
        "else the first image listed (with `--arg NAME VALUE` where the notes say `when NAME = VALUE`).",
        "The test fails when fewer entries give an image spec than recorded",
        "here; rewrite this file with `NIX2IMAGE_UPDATE_COVERAGE=1 pytest tests/test_corpus.py` when",
        "coverage rises.",
        "",
        f"Coverage: {ok}/{total} entries give an image spec ({pct} %).",
        "",
        "| entry | form | attribute | outcome | first error |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        attr = f"`{o.attr}`" if o.attr else ("(file)" if o.step == "spec" else "")
        outcome = "spec" if o.ok else f"fails in `{o.step}`"
        lines.append(f"| {o.entry.id} | {o.entry.form} | {_cell(attr)} | {outcome} | {_cell(o.error)} |")
    return "\n".join(lines) + "\n"


def recorded_level() -> int:
    """The number of covered entries docs/coverage.md records (0 when there is no file)."""
    try:
        text = COVERAGE_MD.read_text(encoding="utf-8")
    except FileNotFoundError:
        return 0
    m = COVERAGE_LINE.search(text)
    return int(m.group(1)) if m else 0


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# --- the test -------------------------------------------------------------------------------------

def test_corpus_coverage():
    import pytest

    from conftest import in_ci, nix2image_exe

    if not (CORPUS / "manifest.tsv").exists():
        msg = f"missing corpus: {CORPUS} (../shared/corpus beside the project)"
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    nix2image_exe()
    outcomes = run_all(manifest())
    ok = sum(o.ok for o in outcomes)
    if os.environ.get(UPDATE_ENV):
        _write_atomically(COVERAGE_MD, render(outcomes))
    crashes = [f"{o.entry.id}:\n{o.crash}" for o in outcomes if o.crash]
    assert not crashes, "Python traceback / internal error on corpus entries:\n\n" + "\n\n".join(crashes)
    level = recorded_level()
    lost = [f"{o.entry.id}: {o.error}" for o in outcomes if not o.ok]
    assert ok >= level, (f"corpus coverage dropped: {ok}/{len(outcomes)} entries give an image spec, "
                         f"docs/coverage.md records {level}. Failing entries:\n" + "\n".join(lost))


if __name__ == "__main__":
    wanted = sys.argv[1:]
    chosen = [e for e in manifest() if not wanted or any(e.id.startswith(w) for w in wanted)]
    results = run_all(chosen)
    for o in results:
        flag = "OK  " if o.ok else "FAIL"
        print(f"{flag} {o.seconds:5.1f}s {o.entry.id:45} {o.attr or '':40} {o.error[:150]}{'  [CRASH]' if o.crash else ''}")
    print(f"{sum(o.ok for o in results)}/{len(results)}")
