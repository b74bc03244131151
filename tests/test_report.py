"""``nix2image report``: the HTML page, checked in a real headless Chromium and against other commands.

The page of samples/python-env.nix (with an older version for --compare) is opened over the
DevTools protocol (tests/chromium_cdp.py): it must load with no console error, exception or CSP
violation, make no request but for its own file, show every store path of every layer that
``nix2image plan`` prints and every layer digest ``nix2image inspect`` reads from the built image,
carry the graph and the charts, let the keyboard reach graph nodes, and look like something
(a screenshot with many colours). Other tests: same input gives the same bytes, an archive made
by ``build`` gives a page, escaping, and errors.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, need_tool, run_cli

SAMPLE = ROOT / "samples" / "python-env.nix"


def _versions(tmp: Path) -> tuple[Path, Path]:
    """python-env.nix as v1 and a v2 whose app changed (one store path differs)."""
    old, new = tmp / "v1" / "python-env.nix", tmp / "v2" / "python-env.nix"
    for p in (old, new):
        p.parent.mkdir(parents=True, exist_ok=True)
    text = SAMPLE.read_text()
    old.write_text(text)
    new.write_text(text.replace('return "hello"', 'return "hello, v2"'))
    assert new.read_text() != text
    return old, new


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """(report path, the v2 file, plan JSON of v2) for the python-env report with --compare."""
    need_tool("dot")
    tmp = tmp_path_factory.mktemp("report")
    old, new = _versions(tmp)
    out = tmp / "report.html"
    proc = run_cli("report", str(new), "--compare", str(old), "--placeholders", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    plan = json.loads(run_cli("plan", "--json", "--placeholders", str(new), check=True).stdout)
    return out, new, plan


@pytest.fixture(scope="module")
def browser():
    need_tool("chromium")
    from chromium_cdp import Browser

    with Browser(width=1200, height=900) as b:
        yield b


def test_page_loads_clean_and_offline_in_chromium(page, browser):
    out, _, _ = page
    url = out.resolve().as_uri()
    browser.open(url)
    assert browser.errors() == []
    assert browser.requests() == [url], "the page fetched something besides itself"
    assert browser.evaluate("document.title").startswith("flask-app:latest")
    # the outline a screen reader offers: one h1, the six sections in the order a student needs them
    assert browser.evaluate("document.querySelectorAll('h1').length") == 1
    assert browser.evaluate("[...document.querySelectorAll('h2')].map(h => h.textContent)") == [
        "1. At a glance", "2. The evaluated call", "3. The closure graph", "4. The layers and why",
        "5. Strategies side by side", "6. How dockerTools builds this"]
    assert browser.evaluate("[...document.querySelectorAll('svg')].every(s => s.getAttribute('role') === 'img' "
                            "&& s.querySelector('title') !== null)")
    assert browser.evaluate("[...document.querySelectorAll('table')].every(t => t.querySelector('th[scope]'))")


def test_every_store_path_of_every_layer_is_on_the_page(page, browser):
    out, _, plan = page
    browser.open(out.resolve().as_uri())
    text = browser.evaluate("document.body.innerText")
    paths = [p for layer in plan["layers"] for p in layer]
    assert len(paths) > 20
    missing = [p for p in paths if p not in text]
    assert not missing, missing
    # one article per layer: the plan's store layers and the customisation layer
    assert browser.evaluate("document.querySelectorAll('article.layer').length") == len(plan["layers"]) + 1


def test_graph_and_charts_are_inline_svg(page, browser):
    out, _, plan = page
    browser.open(out.resolve().as_uri())
    n_paths = sum(len(layer) for layer in plan["layers"])
    assert browser.evaluate("document.querySelectorAll('svg.closure-graph g.node[tabindex]').length") == n_paths
    assert browser.evaluate("document.querySelectorAll('svg.closure-graph title').length") > n_paths
    for chart in ("strategy-chart", "moved-chart", "layer-strip"):
        assert browser.evaluate(f"document.getElementById('{chart}') instanceof SVGSVGElement"), chart
        # drawn, not empty: the chart has a size on the page and bars
        assert browser.evaluate(f"document.getElementById('{chart}').getBoundingClientRect().height") > 20
        assert browser.evaluate(f"document.querySelectorAll('#{chart} rect').length") >= 3
    names = browser.evaluate("[...document.querySelectorAll('#strategies tbody th')].map(t => t.textContent)")
    assert [n.split(" ")[0] for n in names] == ["popularity", "auto", "nixery", "per-path", "single"]


def test_keyboard_reaches_graph_nodes_and_the_caption_names_them(page, browser):
    out, _, _ = page
    browser.open(out.resolve().as_uri())
    label = None
    for _ in range(40):
        browser.press_tab()
        label = browser.evaluate("document.activeElement.closest('g.node') ? "
                                 "document.activeElement.getAttribute('aria-label') : null")
        if label:
            break
    assert label and re.search(r"/nix/store/\S+ \(.+\), store layer L\d+$", label), label
    assert browser.evaluate("document.getElementById('graph-caption').textContent") == label
    # the focus is visible: the focused node's outline shape is drawn with a thicker stroke
    width = browser.evaluate("getComputedStyle(document.activeElement.querySelector('path, polygon')).strokeWidth")
    assert width == "4px"


def test_screenshot_is_not_blank_and_dark_mode_applies(page, browser):
    from chromium_cdp import png_pixels

    out, _, _ = page
    browser.open(out.resolve().as_uri())
    browser.evaluate("document.getElementById('graph').scrollIntoView()")
    w, h, rows = png_pixels(browser.screenshot())
    assert w == 1200 and h > 500
    pixels = Counter(row[i:i + 3] for row in rows[::4] for i in range(0, len(row), 16))
    total = sum(pixels.values())
    assert len(pixels) > 30, "too few colours: the page looks blank"
    assert pixels.most_common(1)[0][1] / total < 0.9
    light = browser.evaluate("getComputedStyle(document.body).backgroundColor")
    browser.call("Emulation.setEmulatedMedia", session=True, features=[{"name": "prefers-color-scheme", "value": "dark"}])
    dark = browser.evaluate("getComputedStyle(document.body).backgroundColor")
    browser.call("Emulation.setEmulatedMedia", session=True, features=[])
    assert light == "rgb(255, 255, 255)" and dark != light
    # printable: Chromium's print path lays it out on several pages
    import base64

    pdf = base64.b64decode(browser.call("Page.printToPDF", session=True)["data"])
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) > 3


def test_page_shows_the_call_with_positions_and_the_real_digests(page, tmp_path):
    out, new, _ = page
    html = out.read_text()
    # the arguments the file writes, with file:line (python-env.nix: name on line 15, config on 18)
    for arg, line in (("name", 15), ("tag", 16), ("contents", 17), ("config", 18)):
        assert re.search(rf"<code>{arg}</code></th><td><pre>.*?</pre></td><td><code>python-env\.nix:{line}</code>",
                         html, re.S), arg
    assert re.search(r"<code>maxLayers</code></th><td><pre>100</pre></td><td><span class=\"muted\">default", html)
    # the digests of the layers and the config of the image `build` writes from the same input
    image = tmp_path / "img.tar"
    run_cli("build", "-q", "--placeholders", str(new), "-o", str(image), check=True)
    info = json.loads(run_cli("inspect", "--json", str(image), check=True).stdout)["images"][0]
    assert info["config_digest"] in html
    for layer in info["layers"]:
        assert layer["digest"] in html
    # compare: the moved bytes between the versions are the `compare` command's numbers
    old = str(new).replace("/v2/", "/v1/")
    cmp = json.loads(run_cli("compare", "--json", "--placeholders", "--strategies", "auto,single", old, str(new),
                             check=True).stdout)
    from translator.layering.explain import human

    for entry in cmp["strategies"]:
        moved = human(entry["updates"][0]["moved_bytes"])
        assert re.search(rf"<th scope=\"row\">{entry['strategy']}[^<]*(<br>.*?)?</th>.*?<td class=\"num\">"
                         rf"{re.escape(moved)}</td></tr>", html), entry["strategy"]


def test_same_input_same_bytes(page, tmp_path):
    out, new, _ = page
    again = tmp_path / "again.html"
    old = str(new).replace("/v2/", "/v1/")
    run_cli("report", str(new), "--compare", old, "--placeholders", "-o", str(again), check=True, cwd=tmp_path)
    assert again.read_bytes() == out.read_bytes()
    assert b"1970-01-01T00:00:01" in out.read_bytes()  # nixpkgs' fixed date; no clock time anywhere
    assert re.search(rb"20\d\d-\d\d-\d\dT", out.read_bytes()) is None


def test_report_of_an_archive_made_elsewhere(tmp_path):
    image = tmp_path / "stacked.tar"
    src = tmp_path / "stacked.nix"
    src.write_text('{ pkgs ? import <nixpkgs> { } }:\npkgs.dockerTools.buildImage {\n  name = "hello-stacked";\n'
                   '  tag = "1";\n  copyToRoot = [ pkgs.hello ];\n  config.Cmd = [ "/bin/hello" ];\n}\n')
    run_cli("build", "-q", "--placeholders", str(src), "-o", str(image), check=True)
    out = tmp_path / "archive.html"
    proc = run_cli("report", str(image), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    html = out.read_text()
    info = json.loads(run_cli("inspect", "--json", str(image), check=True).stdout)["images"][0]
    for layer in info["layers"]:
        assert layer["digest"] in html
        for p in layer["store_paths"]:
            assert p in html
    assert "legacy parent chain" in html and "repositories" in html
    # the Nix report of the same file shows the same digests and the stacked form
    nix_out = tmp_path / "nix.html"
    run_cli("report", "--placeholders", str(src), "-o", str(nix_out), check=True)
    nix_html = nix_out.read_text()
    assert info["config_digest"] in nix_html and "stacked form (buildImage)" in nix_html
    # the strategies show what buildLayeredImage would do with nixpkgs' budget, not buildImage's one layer
    layers = dict(re.findall(r'<tr><th scope="row">([a-z-]+)[^<]*</th><td class="num">(\d+)</td>', nix_html))
    assert layers["single"] == "1" and int(layers["popularity"]) > 1 and int(layers["per-path"]) > 1


def test_text_is_escaped(tmp_path):
    src = tmp_path / "evil.nix"
    src.write_text('{ pkgs ? import <nixpkgs> { } }:\npkgs.dockerTools.buildLayeredImage {\n  name = "evil";\n'
                   '  config.Labels.note = "</pre><script>alert(1)</script>";\n'
                   '  extraCommands = "echo \'<b>&amp;</b>\' > x";\n}\n')
    out = tmp_path / "evil.html"
    run_cli("report", str(src), "-o", str(out), check=True)
    html = out.read_text()
    assert "<script>alert(1)" not in html
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt;" in html
    assert html.count("<script>") == 1  # the page's own


@pytest.mark.parametrize("args, message", [
    (["report", str(SAMPLE), "-o", "out.txt"], "must end in .html"),
    (["report", str(SAMPLE), "--strategy", "bogus", "-o", "r.html"], "unknown strategy 'bogus'"),
    (["report", str(ROOT / "samples" / "no-such.nix"), "-o", "r.html"], "no-such.nix"),
])
def test_errors_are_clear(args, message, tmp_path):
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "r.html").exists()


def test_archive_refuses_evaluation_options(tmp_path):
    fake = tmp_path / "img.tar"
    shutil.copy(ROOT / "samples" / "python-env.nix", tmp_path / "x.nix")
    import tarfile

    with tarfile.open(fake, "w") as tf:
        tf.add(tmp_path / "x.nix", "x.nix")
    proc = run_cli("report", str(fake), "--compare", str(SAMPLE), "-o", str(tmp_path / "r.html"))
    assert proc.returncode != 0 and "apply to Nix files" in proc.stderr and "Traceback" not in proc.stderr


def test_big_closures_draw_one_node_per_layer(tmp_path):
    """Above --max-nodes paths the graph has a node per layer (and the page says so), while the
    layer table still lists every path."""
    need_tool("dot")
    out = tmp_path / "small-graph.html"
    run_cli("report", "--placeholders", "--max-nodes", "5", str(SAMPLE), "-o", str(out), check=True)
    html = out.read_text()
    plan = json.loads(run_cli("plan", "--json", "--placeholders", str(SAMPLE), check=True).stdout)
    assert "more than the 5 drawn one by one" in html
    assert len(re.findall(r'<g [^>]*class="node"[^>]*tabindex="0"', html)) == len(plan["layers"])
    for layer in plan["layers"]:
        for p in layer:
            assert p in html


def test_the_files_own_layering_pipeline_is_compared_and_used(tmp_path):
    need_tool("dot")
    src = tmp_path / "piped.nix"
    src.write_text('{ pkgs ? import <nixpkgs> { } }:\npkgs.dockerTools.streamLayeredImage {\n  name = "piped";\n'
                   '  contents = [ pkgs.jq ];\n'
                   '  layeringPipeline = [ [ "popularity_contest" ] [ "limit_layers" 3 ] ];\n}\n')
    out = tmp_path / "piped.html"
    run_cli("report", "--placeholders", str(src), "-o", str(out), check=True)
    html = out.read_text()
    layers = dict(re.findall(r'<tr><th scope="row">([a-z-]+)[^<]*</th><td class="num">(\d+)</td>', html))
    assert layers["pipeline"] == "3" and int(layers["popularity"]) > 3
    assert '<th scope="row">pipeline (this image)</th>' in html
    assert html.count("own layeringPipeline") == 3  # the why of each of its layers


def test_archive_refuses_an_evaluation_option_given_explicitly(tmp_path):
    fake = tmp_path / "img.tar"
    import tarfile

    with tarfile.open(fake, "w") as tf:
        tf.add(SAMPLE, "x.nix")
    proc = run_cli("report", str(fake), "--placeholders", "-o", str(tmp_path / "r.html"))
    assert proc.returncode != 0 and "apply to Nix files" in proc.stderr and "Traceback" not in proc.stderr


def test_spec_json_carries_the_call_and_reads_back(tmp_path):
    """`spec --json` has the call (arguments, given or default, with positions); --spec-json reads it back."""
    from translator.image.specjson import spec_from_data
    from translator.spec import CallArg

    data = json.loads(run_cli("spec", "--json", "--placeholders", str(SAMPLE), check=True).stdout)
    by_name = {c["name"]: c for c in data["call"]}
    assert by_name["name"] == {"name": "name", "value": "flask-app", "given": True, "file": str(SAMPLE),
                               "line": 15, "column": 3}
    assert by_name["maxLayers"]["given"] is False and by_name["maxLayers"]["value"] == 100
    spec = spec_from_data(data, "spec.json")
    assert all(isinstance(c, CallArg) for c in spec.call) and spec.call[0].name == "name"
