"""The HTML lineage report in a real headless Chromium (Debian's ``chromium``, driven by
Playwright through ``executable_path``; ``playwright install`` is never used).

Checks: the page renders from file:// with no console errors, page errors or network requests;
the SVG graph is visible with every node; passages sit side by side; a SYNTHETIC bill whose
text and metadata hold ``<script>`` and ``<img src=x onerror=...>`` stays inert (no dialog, no
injected element, the text shown literally). Screenshots go to tests/artifacts/ (git-ignored).

Without /usr/bin/chromium the tests skip (saying why), except under CI=true, where they fail:
CI installs chromium with .ci/system-deps.sh.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_report_graphs import IMG, SCRIPT, real_graph, synthetic_graph

from billdiff.report.html import write_report
from billdiff.report.html_graph import NODE_H, NODE_W

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("BILLDIFF_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _unavailable(why: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI=true: .ci/system-deps.sh should have installed chromium)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found; install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Watched:
    """A page with every console message, page error, dialog and request recorded."""

    def __init__(self, browser, width: int = 1400, height: int = 1000):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        pg = self.page
        pg.on(
            "console",
            lambda m: (
                self.console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        pg.on("pageerror", lambda e: self.errors.append(str(e)))
        pg.on("dialog", self._dialog)
        pg.on("request", lambda r: self.requests.append(r.url))

    def _dialog(self, d):
        self.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    def open(self, path: Path):
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.wait_for_timeout(300)  # let any (injected) handler fire

    def clean(self):
        assert self.console == [], self.console
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs
        foreign = [u for u in self.requests if not u.startswith(("file:", "data:"))]
        assert foreign == [], foreign


def test_hostile_bill_text_stays_inert(browser, tmp_path):
    g = synthetic_graph()
    w = Watched(browser)
    w.open(write_report(g, tmp_path / "syn"))
    pg = w.page
    w.clean()
    counts = pg.evaluate("""() => ({
        img: document.querySelectorAll('img').length,
        script: document.querySelectorAll('script').length,
        handlers: [...document.querySelectorAll('*')].filter(
            el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
        svgs: document.querySelectorAll('svg').length,
        foreignSvg: document.querySelectorAll('svg[onload], a[href^="javascript"]').length,
    })""")
    assert counts["img"] == 0 and counts["script"] == 1, counts
    assert counts["handlers"] == 0 and counts["foreignSvg"] == 0, counts
    body = pg.inner_text("body")
    assert SCRIPT in body and IMG in body  # shown literally
    assert 'synthetic/"><svg onload=alert(3)>.txt' in body
    # the graph is there and every node is drawn
    assert pg.locator("#lineage-graph").is_visible()
    assert pg.locator("#lineage-graph a.node").count() == len(g.nodes)
    # pairs that share only common text are not drawn: one visible table row each
    n_bp = sum(e.type == "boilerplate-only" for e in g.drawn_edges)
    assert n_bp >= 1 and pg.locator("#lineage-graph a.edge.t-boilerplate-only").count() == 0
    assert pg.locator("#common tr[id]").count() == n_bp
    assert pg.locator("#common tr[id]").first.is_visible()
    w.clean()
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "lineage-report-synthetic.png"), full_page=True)
    pg.close()


def test_real_report_renders_graph_and_side_by_side_passages(browser, tmp_path, corpus):
    g = real_graph(corpus)
    w = Watched(browser)
    w.open(write_report(g, tmp_path / "real"))
    pg = w.page
    graph = pg.locator("#lineage-graph")
    assert graph.is_visible()
    box = graph.bounding_box()
    assert box and box["width"] > NODE_W and box["height"] > 2 * NODE_H, box
    nodes = pg.locator("#lineage-graph a.node")
    assert nodes.count() == len(g.nodes)
    for i in range(nodes.count()):  # every node has a box and a readable label
        r = nodes.nth(i).locator("rect").bounding_box()
        assert r and r["width"] > 100 and r["height"] > 30
        assert nodes.nth(i).locator("text").first.text_content().strip()
    lineage_edges = [e for e in g.drawn_edges if e.type != "boilerplate-only"]
    assert pg.locator("#lineage-graph a.edge").count() == len(lineage_edges)
    # the first passage: source and target side by side, same row, both with text
    sides = pg.locator("#edges details.passage[open] .sbs").first.locator(".side")
    left, right = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2
    assert pg.locator("#edges .sbs .eq").count() > 0
    # the little script works: collapse all, then expand all
    pg.click("#collapse-all")
    assert pg.locator("details.passage[open]").count() == 0
    pg.click("#expand-all")
    assert pg.locator("details.passage[open]").count() == pg.locator("details.passage").count()
    w.clean()
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "lineage-report.png"))
    graph.screenshot(path=str(ARTIFACTS / "lineage-graph.png"))
    pg.locator("#edges section.edge").first.scroll_into_view_if_needed()
    pg.screenshot(path=str(ARTIFACTS / "lineage-passages.png"))
    pg.close()


@pytest.fixture(scope="module")
def demo_report(corpus, tmp_path_factory):
    """The demo's corpus (the facial-recognition manifest, offline against ../shared)."""
    from billdiff.corpus import documents, fetch_corpus, load_manifest
    from billdiff.lineage_graph import lineage

    tmp = tmp_path_factory.mktemp("demo")
    rep = fetch_corpus(
        load_manifest("facial-recognition"), mirror=corpus, cache_dir=tmp / "cache", offline=True
    )
    g = lineage(documents(rep))
    return g, rep.not_had, write_report(g, tmp / "demo", missing=rep.not_had)


def test_demo_report_tells_the_story_first(browser, demo_report):
    """The top of the page, before any scrolling, says which bill's text went where, and
    Washington's SB 6280 reads as the model of the family."""
    from billdiff.report.lineage_json import CROSS_BILL

    g, missing, path = demo_report
    w = Watched(browser, width=1280, height=800)
    w.open(path)
    pg = w.page
    story = pg.locator("#summary ol.story li")
    assert story.count() >= 5
    head = pg.locator("#summary h3").first
    assert head.inner_text() == "Who took whose text"
    assert head.bounding_box()["y"] < 800 and story.first.bounding_box()["y"] < 800
    kinds = [s.text_content() for s in story.all()]  # the folded ones too
    assert all(any(k in s for k in CROSS_BILL) for s in kinds), kinds
    # strongest edges: text that went from one bill to another comes first
    first_find = pg.locator("ol.finds li .t").first.inner_text()
    assert first_find in CROSS_BILL, first_find
    # the largest family's model-bill candidate is Washington's SB 6280
    fam = pg.locator("#summary ul li").first.inner_text()
    assert "SB 6280" in fam and fam.startswith("family"), fam
    # what could not be had is said, with why
    assert missing and pg.locator("#missing tr").count() == len(missing) + 1
    w.clean()
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "lineage-demo-top.png"))
    pg.close()


def _overlap(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (
        a["x"] + a["width"] - slack > b["x"]
        and b["x"] + b["width"] - slack > a["x"]
        and a["y"] + a["height"] - slack > b["y"]
        and b["y"] + b["height"] - slack > a["y"]
    )


def test_demo_graph_labels_and_boxes_do_not_overlap(browser, demo_report):
    """Edge labels, as Chromium draws them, overlap no other label and no document box; boxes
    overlap no other box; each bill's versions and companion sit in one cluster."""
    from billdiff.report.dot_layout import available

    if not available():
        _unavailable("Graphviz dot not installed: the report falls back to its simple layout")
    g, _, path = demo_report
    w = Watched(browser, width=1600, height=1600)
    w.open(path)
    pg = w.page
    boxes = pg.evaluate("""() => {
        const r = el => { const b = el.getBoundingClientRect();
                          return {x: b.x, y: b.y, width: b.width, height: b.height}; };
        const q = s => [...document.querySelectorAll(s)].map(r);
        return {labels: q('#lineage-graph text.elabel'), nodes: q('#lineage-graph a.node rect'),
                bills: q('#lineage-graph rect.cluster.bill')};
    }""")
    labels, nodes = boxes["labels"], boxes["nodes"]
    assert len(labels) >= 20 and len(nodes) == len(g.nodes)
    bad = [(i, j) for i in range(len(labels)) for j in range(i) if _overlap(labels[i], labels[j])]
    assert not bad, [(labels[i], labels[j]) for i, j in bad[:3]]
    bad = [
        (i, j)
        for i in range(len(labels))
        for j in range(len(nodes))
        if _overlap(labels[i], nodes[j])
    ]
    assert not bad, bad[:3]
    bad = [(i, j) for i in range(len(nodes)) for j in range(i) if _overlap(nodes[i], nodes[j])]
    assert not bad, bad[:3]
    assert len(boxes["bills"]) >= 5  # SB 6280's versions, SB 5376's, SB 182 with HB 338 …
    # the whole graph is on the page: no box of its own that hides families below a fold
    wrap = pg.evaluate(
        "() => { const w = document.querySelector('.graph-wrap');"
        " return [w.scrollHeight, w.clientHeight]; }"
    )
    assert wrap[0] <= wrap[1] + 1, wrap
    w.clean()
    pg.locator("#lineage-graph").scroll_into_view_if_needed()
    pg.screenshot(path=str(ARTIFACTS / "lineage-demo-graph.png"))
    pg.close()
