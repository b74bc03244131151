"""The installed ``nix2image`` plan / compare / graph / explain commands, as a user runs them."""

from __future__ import annotations

import json

import pytest

from conftest import CONFORMANCE, ROOT, need_conformance, need_tool

GRAPHS = CONFORMANCE / "layering" / "graphs"
EXPECTED = CONFORMANCE / "layering" / "expected"
SAMPLES = ROOT / "samples" / "closures"


def _need_data():
    need_conformance(GRAPHS)


def _json(proc):
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)


def test_plan_popularity_json_has_ranking_and_the_nixpkgs_cut(cli):
    _need_data()
    out = _json(cli("plan", "--closure", str(GRAPHS / "doc-example.json"), "--strategy", "popularity",
                    "--max-layers", "3", "--json"))
    ranking = json.loads((EXPECTED / "doc-example.popularity.json").read_text())["output"]
    assert out["strategy"] == "popularity"
    assert out["ranking"] == ranking
    assert out["layers"] == [[ranking[0]], [ranking[1]], ranking[2:]]
    assert sum(out["layer_sizes"]) == out["total_size"]


def test_plan_auto_matches_conformance(cli):
    _need_data()
    exp = json.loads((EXPECTED / "doc-example.auto-layer.5.json").read_text())
    out = _json(cli("plan", "--closure", str(GRAPHS / "doc-example.json"), "--max-layers", "5", "--json"))
    assert out["strategy"] == "auto" and out["layers"] == exp["output"] and "ranking" not in out


def test_plan_pipeline_from_json_text_and_file(cli, tmp_path):
    _need_data()
    exp = json.loads((EXPECTED / "doc-example.flatten.split-pc-limit10.json").read_text())
    pipe = json.dumps(exp["params"]["pipeline"])
    out = _json(cli("plan", "--closure", str(GRAPHS / "doc-example.json"), "--pipeline", pipe, "--json"))
    assert out["strategy"] == "pipeline" and out["layers"] == exp["output"]
    f = tmp_path / "pipe.json"
    f.write_text(pipe)
    assert _json(cli("plan", "--closure", str(GRAPHS / "doc-example.json"), "--strategy", "pipeline",
                     "--pipeline", str(f), "--json"))["layers"] == exp["output"]


def test_plan_table_is_readable(cli):
    _need_data()
    proc = cli("plan", "--closure", str(GRAPHS / "two-roots.json"), "--strategy", "single")
    assert proc.returncode == 0, proc.stderr
    assert "single: 1 store layer(s), 8 path(s)" in proc.stdout and "100.0%" in proc.stdout


def test_own_layers_file_extra_top_layer_warns(cli, tmp_path):
    _need_data()
    ranking = json.loads((EXPECTED / "doc-example.popularity.json").read_text())["output"]
    f = tmp_path / "layers.json"
    f.write_text(json.dumps([[ranking[0]], ranking[1:3]]))
    proc = cli("plan", "--closure", str(GRAPHS / "doc-example.json"), "--layers", str(f), "--json")
    out = _json(proc)
    assert out["layers"][:2] == [[ranking[0]], ranking[1:3]]
    assert sorted(out["layers"][2]) == sorted(ranking[3:])
    assert "warning:" in proc.stderr and "extra top layer" in proc.stderr


def test_own_layers_file_with_foreign_path_is_an_error(cli, tmp_path):
    _need_data()
    f = tmp_path / "layers.json"
    f.write_text(json.dumps([["/nix/store/00000000000000000000000000000000-stranger-1.0"]]))
    proc = cli("plan", "--closure", str(GRAPHS / "doc-example.json"), "--layers", str(f))
    assert proc.returncode == 1
    assert "stranger-1.0" in proc.stderr and "not in the image's closure" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_closure_file_names_file_line_column(cli, tmp_path):
    f = tmp_path / "broken.json"
    f.write_text('[\n  {"path": "/nix/store/x-a", "narSize": 1,}\n]\n')
    proc = cli("plan", "--closure", str(f))
    assert proc.returncode == 1
    assert f"{f}:2:" in proc.stderr and "invalid JSON" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_pipeline_names_the_step(cli):
    _need_data()
    proc = cli("plan", "--closure", str(GRAPHS / "diamond.json"), "--pipeline", '[["popularity_contest"], ["limit_layers", 0]]')
    assert proc.returncode == 1
    assert "step 2" in proc.stderr and "limit_layers" in proc.stderr
    proc = cli("plan", "--closure", str(GRAPHS / "diamond.json"), "--pipeline", '[["frobnicate"]]')
    assert proc.returncode == 1 and "unknown step 'frobnicate'" in proc.stderr


def test_compare_versions_json(cli):
    versions = sorted(SAMPLES.glob("webapp-v*.json"))
    assert len(versions) == 3, "samples/closures/webapp-v1..3.json"
    out = _json(cli("compare", "--strategies", "popularity,auto,nixery,single", *map(str, versions), "--json"))
    assert [s["strategy"] for s in out["strategies"]] == ["popularity", "auto", "nixery", "single"]
    for s in out["strategies"]:
        assert len(s["updates"]) == 2
        assert s["running_totals"][-1] == s["total_moved_bytes"] == sum(u["moved_bytes"] for u in s["updates"])
        for u in s["updates"]:
            assert u["moved_bytes"] + u["reused_bytes"] == u["total_bytes"]
            assert 0.0 <= u["reused_fraction"] <= 1.0
        assert s["sharing"]["images"] == 3
    single = next(s for s in out["strategies"] if s["strategy"] == "single")
    auto = next(s for s in out["strategies"] if s["strategy"] == "auto")
    assert single["updates"][0]["reused_bytes"] == 0  # one big layer: any change moves everything
    assert auto["total_moved_bytes"] < single["total_moved_bytes"]


def test_compare_table(cli):
    versions = sorted(SAMPLES.glob("webapp-v*.json"))
    proc = cli("compare", *map(str, versions))
    assert proc.returncode == 0, proc.stderr
    assert "popularity:" in proc.stdout and "least moved" in proc.stdout


def test_graph_dot_and_svg(cli, tmp_path):
    _need_data()
    dot = tmp_path / "g.dot"
    proc = cli("graph", "--closure", str(GRAPHS / "two-roots.json"), "--strategy", "auto", "-o", str(dot))
    assert proc.returncode == 0, proc.stderr
    text = dot.read_text()
    assert text.startswith("digraph closure {") and "fillcolor" in text and "->" in text
    need_tool("dot")
    svg = tmp_path / "g.svg"
    proc = cli("graph", "--closure", str(GRAPHS / "two-roots.json"), "-o", str(svg))
    assert proc.returncode == 0, proc.stderr
    assert "<svg" in svg.read_text()
    proc = cli("graph", "--closure", str(GRAPHS / "two-roots.json"), "-o", str(tmp_path / "g.png"))
    assert proc.returncode != 0 and "must end in .svg or .dot" in proc.stderr


def test_explain_says_why(cli):
    _need_data()
    g = str(GRAPHS / "doc-example.json")
    out = _json(cli("explain", "--closure", g, "--strategy", "popularity", "--max-layers", "3", "zlib-1.3.1", "--json"))
    assert out["score"] == "4" and out["rank"] == 2 and out["layer"] == 2
    proc = cli("explain", "--closure", g, "--strategy", "auto", "--max-layers", "3", "zlib-1.3.1")
    assert proc.returncode == 0 and "python3-3.12.8" in proc.stdout
    proc = cli("explain", "--closure", g, "--strategy", "nixery", "zlib-1.3.1")
    assert proc.returncode == 0 and "dominates" in proc.stdout
    proc = cli("explain", "--closure", g, "nothere")
    assert proc.returncode == 1 and "not in the closure" in proc.stderr


def test_nix_file_budget_counts_customisation_layer(cli, tmp_path):
    f = tmp_path / "img.nix"
    f.write_text("{ pkgs ? import <nixpkgs> {} }:\npkgs.dockerTools.buildLayeredImage {\n"
                 "  name = \"demo\";\n  contents = [ pkgs.hello ];\n  maxLayers = 3;\n}\n")
    out = _json(cli("plan", str(f), "--strategy", "popularity", "--json"))
    assert len(out["layers"]) == 2  # maxLayers 3 minus the customisation layer
    proc = cli("plan", str(f), "--max-layers", "1")
    assert proc.returncode == 1
    assert "maxLayers = 1" in proc.stderr and "1 customisation layer" in proc.stderr


def test_nix_file_budget_counts_base_image_layers(cli, tmp_path):
    f = tmp_path / "stacked.nix"
    f.write_text("{ pkgs ? import <nixpkgs> {} }:\nlet base = pkgs.dockerTools.buildLayeredImage {\n"
                 "  name = \"base\"; contents = [ pkgs.bash ]; maxLayers = 3; };\n"
                 "in pkgs.dockerTools.buildLayeredImage {\n"
                 "  name = \"top\"; fromImage = base; contents = [ pkgs.hello ]; maxLayers = 6; }\n")
    out = _json(cli("plan", str(f), "--strategy", "popularity", "--json"))
    assert len(out["layers"]) == 2  # 6 - 1 customisation - 3 base layers (2 store + 1 customisation)
    proc = cli("plan", str(f), "--max-layers", "4")
    assert proc.returncode == 1
    assert "3 base image layer(s)" in proc.stderr and "raise maxLayers to at least 5" in proc.stderr


def test_image_layering_pipeline_is_the_default_strategy(cli, tmp_path):
    f = tmp_path / "piped.nix"
    f.write_text("{ pkgs ? import <nixpkgs> {} }:\npkgs.dockerTools.streamLayeredImage {\n"
                 "  name = \"piped\"; contents = [ pkgs.hello pkgs.curl ];\n"
                 "  layeringPipeline = [ [\"subcomponent_out\" [ pkgs.hello ]] [\"flatten\"] ];\n}\n")
    out = _json(cli("plan", str(f), "--json"))
    assert out["strategy"] == "pipeline"
    assert len(out["layers"]) == 2 and any("hello" in p for p in out["layers"][0])


def test_compare_nix_files(cli, tmp_path):
    old, new = tmp_path / "old.nix", tmp_path / "new.nix"
    body = ("{{ pkgs ? import <nixpkgs> {{}} }}:\npkgs.dockerTools.buildLayeredImage {{\n"
            "  name = \"app\"; contents = [ {} ]; maxLayers = 10;\n}}\n")
    old.write_text(body.format("pkgs.hello"))
    new.write_text(body.format("pkgs.hello pkgs.curl"))
    out = _json(cli("compare", "--strategies", "popularity,single", str(old), str(new), "--json"))
    popularity, single = out["strategies"]
    assert popularity["updates"][0]["reused_bytes"] > 0  # glibc & co. keep their layers
    assert single["updates"][0]["reused_bytes"] == 0


def test_progress_only_on_a_terminal(cli, tmp_path):
    import os
    import pty
    import subprocess
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from layering_bench import generate

    graph = tmp_path / "big.json"
    graph.write_text(json.dumps(generate(12000, seed=3)))
    proc = cli("plan", "--closure", str(graph), "--strategy", "popularity", "--max-layers", "5")
    assert proc.returncode == 0 and proc.stderr == ""
    master, slave = pty.openpty()
    from conftest import nix2image_exe

    p = subprocess.Popen([nix2image_exe(), "plan", "--closure", str(graph), "--strategy", "popularity",
                          "--max-layers", "5"], stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    assert p.wait(timeout=600) == 0
    os.close(master)
    assert b"popularity: " in b"".join(chunks)


def test_dot_closure_gets_sizes_from_the_catalog(cli, tmp_path):
    f = tmp_path / "img.nix"
    f.write_text("{ pkgs ? import <nixpkgs> {} }:\npkgs.dockerTools.buildLayeredImage { name = \"x\"; contents = [ pkgs.hello ]; }\n")
    proc = cli("closure", str(f), "--json")
    assert proc.returncode == 0, proc.stderr
    closure = json.loads(proc.stdout)
    lines = ["digraph G {"]
    for e in closure:
        lines.append(f'"{e["path"][11:]}" [label = "x", shape = box];')
        for r in e["references"]:
            if r != e["path"]:
                lines.append(f'"{r[11:]}" -> "{e["path"][11:]}" [color = "black"];')
    lines.append("}")
    dot = tmp_path / "g.dot"
    dot.write_text("\n".join(lines) + "\n")
    out = _json(cli("plan", "--closure", str(dot), "--strategy", "single", "--json"))
    assert out["total_size"] == sum(e["narSize"] for e in closure) > 0


def test_graph_of_a_big_closure_draws_layers(cli, tmp_path):
    versions = sorted(SAMPLES.glob("webapp-v*.json"))
    out = tmp_path / "layers.dot"
    proc = cli("graph", "--closure", str(versions[0]), "--max-layers", "4", "--max-nodes", "10", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "L0 [label=" in text and "/nix/store" not in text


def test_worked_example_numbers_in_the_docs_are_current(cli):
    """docs/layering.md quotes `nix2image compare` on the sample closures: keep it honest."""
    versions = sorted(SAMPLES.glob("webapp-v*.json"))
    out = _json(cli("compare", "--strategies", "popularity,auto,nixery,per-path,single", *map(str, versions),
                    "--max-layers", "8", "--json"))
    doc = (ROOT / "docs" / "layering.md").read_text()

    def mib(n: int) -> str:
        return f"{n / 1024 / 1024:.1f} MiB"

    for s in out["strategies"]:
        row = next(line for line in doc.splitlines() if line.startswith(f"| {s['strategy']} |"))
        for u in s["updates"]:
            assert mib(u["moved_bytes"]) in row, (s["strategy"], row)
            assert f"{u['changed_layers']}/{u['layers']}" in row
        assert mib(s["total_moved_bytes"]) in row


def test_pipeline_ignores_max_layers_but_warns_above_docker_limit(cli, tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from layering_bench import generate

    graph = tmp_path / "g.json"
    graph.write_text(json.dumps(generate(200, seed=2)))
    proc = cli("plan", "--closure", str(graph), "--max-layers", "10", "--pipeline", '[["popularity_contest"]]', "--json")
    out = _json(proc)
    assert len(out["layers"]) == 200  # maxLayers does not apply to a pipeline
    assert "warning:" in proc.stderr and "125" in proc.stderr
    assert out["notes"] and "125" in out["notes"][0]
