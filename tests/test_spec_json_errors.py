"""``build --spec-json``: a malformed spec is an error naming the file, the entry and the field at
fault (exit 1), where a closure entry without a ``path`` was a crash (``internal error:
KeyError``) and a misspelt field was dropped without a word; and the spec ``spec --json`` writes
(Nix's ``narSize``/``narHash``/``closureSize`` in its closure) is read with its sizes and hashes,
which were dropped too (every size 0, every layer keyed by walking its trees)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, run_cli

BASE = {"builder": "buildLayeredImage", "name": "x", "tag": "t"}
PATH = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x"


@pytest.mark.parametrize("extra, message", [
    ({"closure": [{"pathh": PATH}]}, "closure[0]: a closure entry must be an object with a string 'path'"),
    ({"closure": [PATH]}, "closure[0]: a closure entry must be an object with a string 'path'"),
    ({"closure": {"path": PATH}}, "'closure' must be a list of store path objects"),
    ({"closure": [{"path": PATH, "nar-hash": "sha256-x"}]},
     f"closure[0] ({PATH}): unknown field 'nar-hash' (a closure entry has path, nar_size, references, "
     "nar_hash, closure_size, or Nix's narSize, narHash, closureSize)"),
    ({"closure": [{"path": PATH, "narSize": 1, "nar_size": 2}]}, f"closure[0] ({PATH}): 'nar_size' is given twice"),
    ({"closure": [{"path": PATH, "nar_size": "12"}]}, f"closure[0] ({PATH}): 'nar_size' must be a whole number, not \"12\""),
    ({"closure": [{"path": PATH, "narSize": -1}]}, f"closure[0] ({PATH}): 'nar_size' must be a whole number, not -1"),
    ({"closure": [{"path": PATH, "references": PATH}]}, f"closure[0] ({PATH}): 'references' must be a list of store paths"),
    ({"closure": [{"path": PATH, "nar_hash": 5}]}, f"closure[0] ({PATH}): 'nar_hash' must be a string, not 5"),
    ({"call": [{"bogus": 1}]}, "call[0]: "),
    ({"call": ["x"]}, "call[0]: must be a JSON object"),
    ({"from_image": {"nope": 1}}, "from_image: "),
])
def test_malformed_spec_is_a_clear_error(extra, message, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({**BASE, **extra}))
    proc = run_cli("build", "--spec-json", str(spec), "-o", str(tmp_path / "out.tar"), "-q")
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith(f"error: {spec}: "), proc.stderr
    assert message in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out.tar").exists()


def test_spec_data_reads_back():
    """Every closure field of the spec's data (``spec_to_data``) is one the reader takes."""
    from translator.image.specjson import spec_from_data, spec_to_data
    from translator.spec import ImageSpec
    from translator.storeinfo import PathInfo

    spec = ImageSpec(builder="buildLayeredImage", name="x", tag="t",
                     closure=[PathInfo(PATH, 12, (PATH,), nar_hash="sha256:abc", closure_size=12)])
    back = spec_from_data(json.loads(json.dumps(spec_to_data(spec))), "spec.json")
    assert back.closure == spec.closure


def test_spec_json_output_builds_with_its_sizes_and_hashes(tmp_path):
    """``spec --json``'s closure (Nix's field names) read back by ``--spec-json``: the same sizes and
    hashes, so the layering and the layer cache's keys are those of a build from the Nix file."""
    from translator.image.specjson import load_spec_json

    sample = ROOT / "samples" / "hello-layered.nix"
    out = run_cli("spec", "--json", "--placeholders", str(sample), check=True).stdout
    written = json.loads(out)["closure"]
    assert written and all("narSize" in e and "narHash" in e for e in written)
    (tmp_path / "spec.json").write_text(out)
    spec = load_spec_json(str(tmp_path / "spec.json"))
    assert [(p.path, p.nar_size, p.nar_hash) for p in spec.closure] == \
        [(e["path"], e["narSize"], e["narHash"]) for e in written]
    assert any(p.nar_size > 0 for p in spec.closure)
