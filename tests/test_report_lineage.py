"""Lineage renderers: escaping, determinism, parseable CSV/DOT/JSON, faithful passages.

Graphs come from tests/test_report_graphs.py: the real Washington facial-recognition documents
(read from ../shared/corpus) and SYNTHETIC text with hostile markup.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from rich.console import Console
from test_report_graphs import HOSTILE_URL, IMG, SCRIPT, real_graph, synthetic_graph

from billdiff.errors import BilldiffError
from billdiff.report.csv_ import COLUMNS, edges_csv
from billdiff.report.dot import to_dot
from billdiff.report.html import render_html, write_report
from billdiff.report.lineage_json import SCHEMA, dumps, graph_to_dict, ordered_edges, story_order
from billdiff.report.tree import render_lineage

FILES = ("index.html", "lineage.json", "edges.csv", "lineage.dot")


@pytest.fixture(scope="module")
def syn():
    return synthetic_graph()


@pytest.fixture(scope="module")
def real(corpus):
    return real_graph(corpus)


class Page(HTMLParser):
    """Every start tag with its attributes, the text, and the text of each side of a passage."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.stack: list[tuple[str, str]] = []
        self.sides: list[list[tuple[str, str]]] = []  # per .text div: (class, text) pieces

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in ("meta", "link", "br", "rect", "path", "line", "input"):
            return
        cls = a.get("class", "")
        self.stack.append((tag, cls))
        if tag == "div" and cls == "text":
            self.sides.append([])

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        self.text.append(data)
        if any(t == "div" and c == "text" for t, c in self.stack):
            inner = self.stack[-1][1] if self.stack[-1][0] == "span" else ""
            self.sides[-1].append((inner, data))


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    p.close()
    return p


# --- HTML: nothing from a bill becomes markup ---------------------------------------------------


def test_html_escapes_bill_text_and_metadata(syn):
    html = render_html(syn)
    page = parse(html)
    scripts = [a for t, a in page.tags if t == "script"]
    assert len(scripts) == 1, "only the report's own script may exist"
    assert not [t for t, _ in page.tags if t in ("img", "iframe", "object", "embed", "form")]
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "xlink:href"):
                assert (value or "").startswith(("#", "data:", "https://", "http://")), value
    assert "javascript:" not in " ".join(str(a.get("href")) for _, a in page.tags)
    text = "".join(page.text)
    # the hostile strings are shown literally, in the passages and in the metadata
    assert text.count(SCRIPT) >= 3 and text.count(IMG) >= 2
    assert 'synthetic/"><svg onload=alert(3)>.txt' in text
    assert 'SB [bold]4[/] "x"' in text
    links = [a["href"] for t, a in page.tags if t == "a" and a.get("href", "").startswith("http")]
    assert links == [HOSTILE_URL] and HOSTILE_URL in text  # a link, with its quotes escaped


def test_html_is_self_contained(syn):
    html = render_html(syn)
    page = parse(html)
    for tag, attrs in page.tags:
        if tag == "link":
            assert attrs.get("href", "").startswith("data:"), attrs
        assert "src" not in attrs, (tag, attrs)
        for name, value in attrs.items():  # a URL may only be a link the reader clicks
            if "//" in (value or ""):
                assert (tag, name) == ("a", "href"), (tag, name, value)
    assert not re.search(r"url\(\s*['\"]?(?:https?:|//)", html)
    assert "@import" not in html
    csp = next(
        a["content"]
        for t, a in page.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp


def test_svg_draws_every_node_and_only_drawn_edges(syn):
    page = parse(render_html(syn))
    nodes = {a["data-node"] for t, a in page.tags if t == "a" and "data-node" in a}
    assert nodes == {n.id for n in syn.nodes}
    drawn_ids = {a["data-edge"] for t, a in page.tags if t == "a" and "data-edge" in a}
    ids = ordered_edges(syn)
    lineage_ids = {i for i, e in ids if not e.reduced and e.type != "boilerplate-only"}
    assert drawn_ids == lineage_ids
    assert all(e.reduced or e.type == "boilerplate-only" for i, e in ids if i not in drawn_ids)
    # pairs that share only common text are one table row each, not drawn
    common = {i for i, e in ids if not e.reduced and e.type == "boilerplate-only"}
    assert common and {a["id"] for t, a in page.tags if t == "tr" and "id" in a} == common
    inferred = [a for t, a in page.tags if t == "a" and "inferred" in a.get("class", "")]
    assert [a["data-node"] for a in inferred] == [n.id for n in syn.nodes if n.inferred]


# --- HTML: the passages are the documents' own text, with the right words marked ---------------


def _words(s: str) -> list[str]:
    return [w.lower() for w in re.findall(r"\w+", s)]


def test_passage_sides_reproduce_the_text_and_mark_equal_words(real):
    page = parse(render_html(real))
    expected = []  # the sides, in page order (story order): source then target of each edge
    for _, e in story_order(ordered_edges(real)):
        # common-text pairs are a table; versions and companions point to lineage.json
        if e.reduced or e.type in ("boilerplate-only", "version-of", "companion-of"):
            continue
        rep = e.report
        src_a = rep.a.meta.id == e.source
        order = sorted(
            rep.passages, key=lambda p: (p.a_start, p.b_start) if src_a else (p.b_start, p.a_start)
        )
        for p in order:
            for side in ("a", "b") if src_a else ("b", "a"):
                expected.append((rep, p, side))
    assert len(page.sides) == len(expected) > 0
    for pieces, (rep, p, side) in zip(page.sides, expected, strict=True):
        doc, toks = (rep.a_doc, rep.a_tokens) if side == "a" else (rep.b_doc, rep.b_tokens)
        c0, c1 = (p.a_char_start, p.a_char_end) if side == "a" else (p.b_char_start, p.b_char_end)
        assert "".join(t for _, t in pieces) == doc.text[c0:c1]
        eq_words = [
            i
            for o in p.ops
            if o.tag == "equal"
            for i in (range(o.a_start, o.a_end) if side == "a" else range(o.b_start, o.b_end))
        ]
        marked = _words(" ".join(t for c, t in pieces if c == "eq"))
        assert marked == [toks.words[i] for i in eq_words]


def test_synthetic_changes_are_marked_on_both_sides(syn):
    page = parse(render_html(syn))
    # e for model → SB 2: the source side shows the old figures, the target the new ones
    first = page.sides[:2]
    changed_src = _words(" ".join(t for c, t in first[0] if c == "chg"))
    changed_tgt = _words(" ".join(t for c, t in first[1] if c == "chg"))
    assert {"thirty", "five", "hundred"} <= set(changed_src)
    assert {"sixty", "one", "thousand"} <= set(changed_tgt)
    struck = "".join(t for c, t in first[1] if c == "skip-deleted")
    assert struck == "((The registry expires in 2030.))"


# --- determinism ------------------------------------------------------------------------------------


def test_same_graph_gives_same_bytes(tmp_path, syn):
    a = write_report(syn, tmp_path / "a").parent
    b = write_report(synthetic_graph(), tmp_path / "b").parent  # rebuilt from scratch
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert sorted(p.name for p in a.iterdir()) == sorted(FILES)


def test_real_graph_report_is_deterministic(tmp_path, real, corpus):
    a = write_report(real, tmp_path / "a").parent
    b = write_report(real_graph(corpus), tmp_path / "b").parent
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_unwritable_output_is_a_one_line_error(tmp_path, syn):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(BilldiffError) as err:
        write_report(syn, blocker / "report")
    assert "cannot write the report" in str(err.value) and "\n" not in str(err.value)


# --- JSON -------------------------------------------------------------------------------------------


def test_json_schema(syn):
    d = json.loads(dumps(syn))
    assert d == graph_to_dict(syn)
    assert d["schema"] == SCHEMA == "billdiff.lineage/1"
    assert set(d) == {
        *("schema", "tool_version", "settings", "summary", "families", "nodes", "edges"),
        "failed",
    }
    assert d["failed"] == []  # every input of the synthetic graph was read
    assert "generated" not in dumps(syn)
    assert d["summary"]["edges"] == len(syn.edges) == len(d["edges"])
    assert d["summary"]["reduced_edges"] == sum(e.reduced for e in syn.edges) >= 1
    node_keys = {"id", "label", "inferred", "words", "shared_text", "meta"}
    for n in d["nodes"]:
        assert set(n) == node_keys
        assert {"source", "source_url", "sha256", "date", "title"} <= set(n["meta"])
    edge_keys = {
        "id",
        "source",
        "target",
        "type",
        "directed",
        "reduced",
        "direction_basis",
        "confidence",
        "probability",
        "features",
        "shared_words",
        "coverage_source",
        "coverage_target",
        "passages",
        "reason",
        "evidence",
    }
    by_id = dict(ordered_edges(syn))
    for e in d["edges"]:
        assert set(e) == edge_keys
        orig = by_id[e["id"]]
        if orig.report is None:
            assert e["evidence"] is None and e["probability"] is None
            continue
        assert e["probability"] == orig.probability and e["features"] == orig.features
        ev = e["evidence"]
        assert ev["source_side"] in ("a", "b")
        assert ev[ev["source_side"]]["id"] == e["source"]
        assert len(ev["passages"]) == len(orig.report.passages)
        for pd, p in zip(ev["passages"], orig.report.passages, strict=True):
            assert pd["a"]["chars"] == [p.a_char_start, p.a_char_end]
            assert pd["b"]["words"] == [p.b_start, p.b_end]
            assert pd["a"]["text"] == orig.report.a_doc.text[p.a_char_start : p.a_char_end]


# --- CSV and DOT ------------------------------------------------------------------------------------


def test_csv_has_one_row_per_edge(syn):
    text = edges_csv(syn)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0].keys()) == COLUMNS
    assert len(rows) == len(syn.edges) == len(text.strip().split("\n")) - 1
    assert [r["edge_id"] for r in rows] == [i for i, _ in ordered_edges(syn)]
    for r, (_, e) in zip(rows, ordered_edges(syn), strict=True):
        assert (r["source"], r["target"], r["type"]) == (e.source, e.target, e.type)
        assert r["reduced"] == str(e.reduced).lower()
        assert int(r["shared_words"]) == e.shared_words
        assert abs(float(r["coverage_target"]) - e.coverage_target) < 1e-4


def test_csv_neutralises_spreadsheet_formulas():
    from billdiff.report.csv_ import _clean

    assert _clean("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _clean("a\nb") == "a b"


_DOT_TOKEN = re.compile(
    r'\s*(?:(?P<q>"(?:[^"\\]|\\.)*")|(?P<id>[A-Za-z_][\w.]*|-?\d+(?:\.\d+)?)'
    r"|(?P<op>->|--|[{}\[\];,=])|(?P<c>//[^\n]*))",
    re.S,
)


def _dot_tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text.rstrip()):
        m = _DOT_TOKEN.match(text, pos)
        assert m and m.end() > pos, f"DOT does not lex at {text[pos : pos + 40]!r}"
        pos = m.end()
        kind = m.lastgroup
        if kind != "c":
            out.append((kind, m.group(kind)))
    return out


def _unquote(q: str) -> str:
    return re.sub(r"\\(.)", r"\1", q[1:-1])


def test_dot_lexes_and_holds_every_node_and_drawn_edge(syn):
    toks = _dot_tokens(to_dot(syn))
    depth = 0
    for kind, value in toks:
        if kind == "op" and value == "{":
            depth += 1
        elif kind == "op" and value == "}":
            depth -= 1
            assert depth >= 0
    assert depth == 0
    edges = {
        (_unquote(toks[i - 1][1]), _unquote(toks[i + 1][1]))
        for i, (k, v) in enumerate(toks)
        if k == "op" and v == "->"
    }
    assert edges == {(e.source, e.target) for e in syn.drawn_edges}
    declared = {
        _unquote(toks[i][1])
        for i in range(len(toks) - 1)
        if toks[i][0] == "q"
        and toks[i + 1] == ("op", "[")
        and (i == 0 or toks[i - 1] in (("op", ";"), ("op", "{"), ("op", "}")))
    }
    assert declared == {n.id for n in syn.nodes}


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_graphviz_accepts_the_dot(syn, tmp_path):
    r = subprocess.run(
        ["dot", "-Tsvg"], input=to_dot(syn).encode(), capture_output=True, timeout=60
    )
    assert r.returncode == 0, r.stderr.decode()
    assert b"<svg" in r.stdout and b"<script>alert" not in r.stdout


# --- terminal tree ---------------------------------------------------------------------------------


def _render(graph, **kw) -> str:
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None, **kw).print(render_lineage(graph))
    return buf.getvalue()


def test_tree_reads_without_colour(syn):
    out = _render(syn)
    assert "\x1b[" not in out
    for fam in syn.families:
        assert f"family {fam.id}" in out
    assert "→ copied-from" in out and "↔ companion-of" in out
    assert "shares-source-with" in out  # in the table: the tree already reached both siblings
    trees = out.split("strongest edges")[0]
    for n in syn.nodes:  # a spanning tree: every document once
        if not n.inferred:
            assert trees.count(f"{n.meta.label} · {n.meta.date}") == 1, n.id
    assert "inferred unseen ancestor" in out
    assert 'ZZ SB [bold]4[/] "x"' in out  # metadata is never read as rich markup
    assert "strongest edges" in out and "ZZ SB 6" in out  # the document in no family is listed


def test_tree_of_the_real_family_follows_the_edges(real):
    buf = io.StringIO()
    Console(file=buf, width=400, color_system=None).print(render_lineage(real))
    lines = buf.getvalue().splitlines()
    fam = next(i for i, ln in enumerate(lines) if ln.startswith("family F1"))
    assert "WA SB 6280 (introduced)" in lines[fam]

    def depth(node_id: str) -> int:
        n = real.node(node_id)
        if node_id == "wa-2020-sb6280-introduced":
            return 0
        tail = f"{n.meta.label} · {n.meta.date}"
        hit = [ln for ln in lines[fam + 1 :] if ln.rstrip().endswith(tail)]
        assert len(hit) == 1, tail
        return hit[0].index("── ") // 4 + 1

    for e in real.drawn_edges:  # each target hangs one level below its source
        assert depth(e.target) == depth(e.source) + 1, (e.source, e.target)


def test_tree_can_limit_families(syn):
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(render_lineage(syn, max_families=1))
    out = buf.getvalue()
    assert out.count("family F") == 1 and "1 smaller families not shown" in out


def test_empty_graph_renders_everywhere(tmp_path):
    from billdiff.model import LineageGraph

    g = LineageGraph((), (), (), {}, "x")
    index = write_report(g, tmp_path / "empty")
    page = parse(index.read_text())
    assert [t for t, _ in page.tags].count("svg") >= 1
    assert edges_csv(g).strip() == ",".join(COLUMNS)
    assert json.loads(dumps(g))["summary"]["nodes"] == 0
    assert _dot_tokens(to_dot(g))[0] == ("id", "digraph")
    assert "0 documents" in _render(g)


def test_tree_parents_span_the_family_once_and_skip_boilerplate():
    from billdiff.model import LineageEdge
    from billdiff.report.tree import tree_parents

    def edge(s, t, typ, directed=True, words=100):
        return LineageEdge(s, t, typ, directed, 0.9, words, 0.5, 0.5, 1, "synthetic", "")

    drawn = [
        edge("A", "B", "version-of"),
        edge("B", "C", "copied-from", words=50),
        edge("C", "B", "copied-from", words=40),  # a cycle with B → C
        edge("X", "C", "copied-from", words=500),  # C hangs from its strongest copied-from
        edge("B", "X", "version-of"),
        edge("A", "D", "companion-of", directed=False),
        edge("A", "E", "boilerplate-only", directed=False),
    ]
    kids = tree_parents("A", {"A", "B", "C", "D", "E", "X"}, drawn)
    children = {p: sorted(c for _, c in lst) for p, lst in kids.items()}
    assert children == {"A": ["B", "D"], "B": ["X"], "X": ["C"]}


def test_source_is_on_the_left_whichever_way_the_alignment_ran():
    from test_report_graphs import synthetic_docs

    from billdiff.model import Family, LineageEdge, LineageGraph, LineageNode
    from billdiff.pairwise import compare
    from billdiff.settings import DEFAULT

    d = synthetic_docs()
    model, b = d["syn-model"], d["syn-b"]
    rep = compare(b, model, settings=DEFAULT)  # A = the edge's target
    e = LineageEdge(
        "syn-model",
        "syn-b",
        "copied-from",
        True,
        0.9,
        150,
        rep.coverage_b,
        rep.coverage_a,
        len(rep.passages),
        "synthetic",
        "dates",
        False,
        rep,
    )
    nodes = tuple(LineageNode(x.id, x.meta, 150) for x in (model, b))
    g = LineageGraph(nodes, (e,), (Family("F1", "syn-model", ("syn-model", "syn-b")),), {}, "x")
    page = parse(render_html(g))
    p = rep.passages[0]
    assert "".join(t for _, t in page.sides[0]) == model.text[p.b_char_start : p.b_char_end]
    assert "".join(t for _, t in page.sides[1]) == b.text[p.a_char_start : p.a_char_end]
    assert graph_to_dict(g)["edges"][0]["evidence"]["source_side"] == "b"


def test_wa_bills_page_is_small_and_its_counts_are_what_it_draws(corpus, tmp_path):
    """The wa-bills folder: hundreds of pairs share only common text (enacting clauses and
    the like). The page stays under 500 KB, and "N edges drawn" is the number of arrows in the
    graph; every common-text pair is a table row, and lineage.json keeps their passages."""
    import json

    from billdiff.lineage_graph import lineage

    g = lineage(sorted(str(p) for p in (corpus / "wa-bills").glob("*.htm")))
    path = write_report(g, tmp_path / "wa")
    assert path.stat().st_size < 500_000, path.stat().st_size
    page = parse(path.read_text(encoding="utf-8"))
    html = path.read_text(encoding="utf-8")
    arrows = {a["data-edge"] for t, a in page.tags if t == "a" and "data-edge" in a}
    drawn = re.search(r"(\d+) edges? drawn", html)
    assert drawn and int(drawn.group(1)) == len(arrows) > 0
    common = [e for e in g.edges if not e.reduced and e.type == "boilerplate-only"]
    assert len(common) > 100  # the case this test is about
    rows = {a["id"] for t, a in page.tags if t == "tr" and "id" in a}
    ids = {id(e): i for i, e in ordered_edges(g)}
    assert rows == {ids[id(e)] for e in common}
    data = json.loads((tmp_path / "wa" / "lineage.json").read_text(encoding="utf-8"))
    kept = [e for e in data["edges"] if e["type"] == "boilerplate-only" and not e["reduced"]]
    assert len(kept) == len(common) and all(e["evidence"]["passages"] for e in kept)


def test_graph_without_graphviz_falls_back_to_the_simple_layout(syn, monkeypatch):
    """No `dot` on the machine: the page still draws every document and lineage edge."""
    import billdiff.report.dot_layout as dl

    monkeypatch.setattr(dl.shutil, "which", lambda name: None)
    assert not dl.available()
    page = parse(render_html(syn))
    assert {a["data-node"] for t, a in page.tags if t == "a" and "data-node" in a} == {
        n.id for n in syn.nodes
    }
    assert not [a for t, a in page.tags if t == "rect" and "cluster" in a.get("class", "")]


def test_dot_source_quotes_hostile_headings():
    """A family heading holds bill metadata: quotes, backslashes and newlines stay inside one
    DOT string (and dot is given ids, never labels, for the documents)."""
    from billdiff.report.dot_layout import available, dot_source, run_dot

    heading = 'family F1 — root: "ZZ" SB 1 \\ x\n} digraph { evil'
    src, names = dot_source(
        [("F1", heading, [["a", "b"], ["c"]])],
        [("e1", "a", "c", True, "5 w")],
        node_w=210,
        node_h=58,
    )
    assert 'label="family F1 — root: \\"ZZ\\" SB 1 \\\\ x } digraph { evil"' in src
    assert set(names.values()) == {"a", "b", "c"}
    if available():
        got = run_dot(
            [("F1", heading, [["a", "b"], ["c"]])],
            [("e1", "a", "c", True, "5 w")],
            node_w=210,
            node_h=58,
        )
        assert got is not None and set(got.nodes) == {"a", "b", "c"} and "e1" in got.edges


def test_every_document_gets_a_label_of_its_own(corpus):
    """Two Congresses' H.R. 2003 (ih), and SB 5104's full and partial texts, read apart in
    the tree, the page, the CSV and the DOT; labels stay short."""
    from billdiff.lineage_graph import lineage
    from billdiff.report.lineage_json import label_map

    files = sorted(str(p) for p in (corpus / "us-congress").glob("us-11?-hr2003-ih.txt"))
    files += [
        str(corpus / "facial-recognition" / f)
        for f in (
            "wa-2021-sb5104-introduced.txt",
            "wa-2021-sb5104-introduced-partial.txt",
            "wa-2020-sb6280-rcw43.386-codified.txt",
        )
    ]
    g = lineage(files)
    labels = label_map(g)
    assert len(set(labels.values())) == len(labels) == len(g.nodes), labels
    hr = sorted(v for k, v in labels.items() if "hr2003" in k)
    assert len(hr) == 2 and all("Congress" in v for v in hr), hr
    assert max(len(v) for v in labels.values()) <= 70, labels
    out = render_lineage(g)
    from rich.console import Console

    con = Console(width=200, record=True, file=io.StringIO())
    con.print(out)
    text = con.export_text()
    for v in hr:
        assert v in text
    csv_text, dot_text = edges_csv(g), to_dot(g)
    assert any(v in csv_text or v in dot_text for v in hr)
