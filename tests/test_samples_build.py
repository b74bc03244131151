"""Every sample builds into an image (placeholders standing in for catalog-only content), or
fails with the clear error its sample is there to show."""

from __future__ import annotations

import json

import pytest

from test_samples_universe import EXPECT, SAMPLES

# samples whose build must fail, and what the error must say
FAILS = {
    "pullimage-base.nix": "not in the pull cache",
}


@pytest.mark.parametrize("sample", sorted(EXPECT))
def test_sample_builds(sample, cli, tmp_path):
    options = [o for o in EXPECT[sample][0] if o != "--placeholders"]
    app = tmp_path / "result"
    (app / "bin").mkdir(parents=True)
    (app / "bin" / "app").write_text("#!/bin/sh\necho app\n")
    options = [o.replace("@APP@", str(app)) for o in options]
    out = tmp_path / "image.tar"
    proc = cli("build", str(SAMPLES / sample), "--placeholders", "--quiet", "-o", str(out), *options)
    assert "Traceback" not in proc.stderr
    if sample in FAILS:
        assert proc.returncode == 1 and FAILS[sample] in proc.stderr, proc.stderr
        assert not out.exists()
        return
    assert proc.returncode == 0, proc.stderr
    if EXPECT[sample][1] == "exportImage":  # a flattened root filesystem, not an image
        import tarfile

        with tarfile.open(out) as tf:
            assert tf.getnames()
        return
    shown = cli("inspect", "--json", str(out))
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)
