"""Closure readers and writer: every supported format, and clear errors for bad files."""

from __future__ import annotations

import json
import subprocess

import pytest

from translator.closure_io import parse_closure, read_closure, write_references_graph
from translator.errors import UserError
from translator.layering.graph import build_graph, closure_digraph

A = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-app-1.0"
B = "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-lib-2.0"
C = "/nix/store/cccccccccccccccccccccccccccccccc-glibc-2.40"


def test_list_form_keeps_order_and_fields(tmp_path):
    data = [{"path": C, "narSize": 30, "narHash": "sha256:x", "references": [C]},
            {"path": A, "narSize": 10, "references": [A, B, C], "closureSize": 60},
            {"path": B, "narSize": 20, "references": [C]}]
    f = tmp_path / "g.json"
    f.write_text(json.dumps(data))
    infos = read_closure(f)
    assert [i.path for i in infos] == [C, A, B]
    assert infos[1].references == (A, B, C) and infos[1].closure_size == 60 and infos[0].nar_hash == "sha256:x"


def test_object_form_with_base_name_references():
    text = json.dumps({A: {"narSize": 10, "references": [B.split("/")[-1]]}, B: {"narSize": 5, "references": []}})
    infos = parse_closure(text, "obj.json")
    assert infos[0].references == (B,)
    assert infos[1].nar_size == 5


def test_structured_attrs_wrapper():
    text = json.dumps({"graph": [{"path": A, "narSize": 1, "references": []}]})
    assert [i.path for i in parse_closure(text)] == [A]


def test_dot_form_edges_point_from_dependency_to_referrer():
    dot = "\n".join([
        "digraph G {",
        f'"{A[11:]}" [label = "app-1.0", shape = box, style = filled, fillcolor = "#ff0000"];',
        f'"{B[11:]}" -> "{A[11:]}" [color = "black"];',
        f'"{C[11:]}" -> "{B[11:]}" [color = "red"];',
        f'"{B[11:]}" [label = "lib-2.0", shape = box, style = filled, fillcolor = "#ff0000"];',
        f'"{C[11:]}" [label = "glibc-2.40", shape = box, style = filled, fillcolor = "#ff0000"];',
        "}", ""])
    infos = parse_closure(dot, "g.dot", sizes={B: 42})
    by = {i.path: i for i in infos}
    assert by[A].references == (B,) and by[B].references == (C,) and by[C].references == ()
    assert by[B].nar_size == 42 and by[A].nar_size == 0


def test_real_nix_store_graph_and_path_info(nix, tmp_path):
    f = tmp_path / "hello.txt"
    f.write_text("hello layering\n")
    path = subprocess.run(["nix-store", "--add", str(f)], env=nix, capture_output=True, text=True,
                          check=True).stdout.strip()
    dot = subprocess.run(["nix-store", "-q", "--graph", path], env=nix, capture_output=True, text=True,
                         check=True).stdout
    assert [i.path for i in parse_closure(dot, "real.dot")] == [path]
    info = subprocess.run(["nix", "path-info", "--json", "-r", path], env=nix, capture_output=True, text=True,
                          check=True).stdout
    infos = parse_closure(info, "real.json")
    assert infos[0].path == path and infos[0].nar_size > 0


@pytest.mark.parametrize("text,where,words", [
    ('[{"path": "/nix/store/x-a", "narSize": 1,\n "references": [}]', (2, 17), "invalid JSON"),
    (f'[{{"path": "{A}", "references": []}}]', (1, 11), "has no 'narSize'"),
    (f'[{{"path": "{A}", "narSize": -3}}]', (1, 11), "non-negative integer"),
    (f'[{{"path": "{A}", "narSize": 1, "references": ["{B}"]}}]', (1, 11 + len(A) + 34), "not closed"),
    (f'[{{"path": "{A}", "narSize": 1}},\n {{"path": "{A}", "narSize": 1}}]', (1, 11), "listed twice"),
    ("digraph G {\n  what is this\n}\n", (2, 3), "cannot read this DOT line"),
    ("hello", (1, 1), "not a closure file"),
])
def test_malformed_files_name_file_line_and_column(tmp_path, text, where, words):
    f = tmp_path / "bad.json"
    f.write_text(text)
    with pytest.raises(UserError) as info:
        read_closure(f)
    msg = str(info.value)
    assert words in msg
    assert f"{f}:{where[0]}:{where[1]}" in msg


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        read_closure(tmp_path / "nope.json")


def test_cycles_between_outputs_are_laid_out():
    """Outputs of one derivation may reference each other; every strategy still partitions them."""
    from translator.layering import make_plan

    text = json.dumps([{"path": A, "narSize": 1, "references": [B]}, {"path": B, "narSize": 2, "references": [A, C]},
                       {"path": C, "narSize": 4, "references": []}])
    g = build_graph(parse_closure(text))
    for strategy in ("popularity", "auto", "nixery", "per-path", "single"):
        plan = make_plan(g, strategy, max_layers=2)
        assert sorted(p for layer in plan.layers for p in layer) == sorted(g.paths)
    assert make_plan(g, "popularity", max_layers=5).ranking == (C, A, B)


def test_writer_round_trip_computes_closure_sizes(tmp_path):
    text = json.dumps([{"path": A, "narSize": 10, "references": [A, B]}, {"path": B, "narSize": 20, "references": [C]},
                       {"path": C, "narSize": 30, "references": []}])
    infos = parse_closure(text)
    out = tmp_path / "out.json"
    write_references_graph(infos, out)
    data = json.loads(out.read_text())
    assert {d["path"]: d["closureSize"] for d in data} == {A: 60, B: 50, C: 30}
    again = read_closure(out)
    assert [(i.path, i.nar_size, set(i.references)) for i in again] == [(i.path, i.nar_size, set(i.references))
                                                                         for i in infos]
    assert not list(tmp_path.glob(".out.json.*"))  # no temp file left behind


def test_networkx_view_ignores_self_references_and_keeps_order():
    text = json.dumps([{"path": C, "narSize": 3, "references": [C]}, {"path": A, "narSize": 1, "references": [A, C]}])
    dg = closure_digraph(parse_closure(text))
    assert list(dg.nodes) == [C, A]
    assert list(dg.edges) == [(A, C)]
    assert dg.nodes[C]["narSize"] == 3


def test_object_form_with_base_name_keys():
    text = json.dumps({A[11:]: {"narSize": 10, "references": [B[11:]]}, B[11:]: {"narSize": 5, "references": []}})
    infos = parse_closure(text, "new.json")
    assert [i.path for i in infos] == [A, B] and infos[0].references == (B,)
    with pytest.raises(UserError) as info:
        parse_closure(json.dumps({A[11:]: {"references": []}}), "new.json")
    assert "new.json:1:2" in str(info.value)
