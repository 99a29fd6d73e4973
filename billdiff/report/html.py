"""LineageGraph → a report folder: index.html (self-contained, offline) + lineage.json,
edges.csv and lineage.dot.

index.html holds the summary, the graph as inline SVG (see html_graph.py), the passages of
every drawn edge side by side with word-level highlights, the provenance of every document
and the parameters. It loads nothing: CSS and the tiny script are inlined, and a
Content-Security-Policy allows only those two (by hash). All bill text and metadata pass
through ``html.escape``: no bill text ever becomes markup. The same graph gives the same bytes.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import os
import shlex
from html import escape
from pathlib import Path

from ..errors import BilldiffError
from ..model import LineageEdge, LineageGraph, LineageNode, PairReport, Passage, Tokens
from ..plural import count
from .csv_ import edges_csv
from .dot import to_dot
from .html_graph import legend_html, render_svg
from .lineage_json import (
    CROSS_BILL,
    SCHEMA,
    bill_of,
    dumps,
    fold_story,
    node_label,
    node_map,
    ordered_edges,
    ordered_nodes,
    pct,
    source_side,
    story_order,
    unique_labels,
)

_HERE = Path(__file__).resolve().parent
# word-level classes, from the point of view of the report's A and B documents
_A_CLASS = {"equal": "eq", "replace": "chg", "delete": "onlya"}
_B_CLASS = {"equal": "eq", "replace": "chg", "insert": "onlyb"}


def _asset(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _e(x) -> str:
    return escape(str(x), quote=True)


# --- word-level highlights -----------------------------------------------------------------


def highlight(
    text: str, start: int, end: int, tokens: Tokens | None, spans: list[tuple[int, int, str]], skip
) -> str:
    """``text[start:end]`` as escaped HTML; ``spans`` are (first word, end word, class) over
    ``tokens``; skipped regions (struck matter, line numbers, furniture) are marked too."""
    marks: list[tuple[int, int, str]] = []
    if tokens is not None:
        n = len(tokens)
        for w0, w1, cls in spans:
            if 0 <= w0 < w1 <= n:
                marks.append((max(tokens.starts[w0], start), min(tokens.ends[w1 - 1], end), cls))
    skips = [
        (max(s.start, start), min(s.end, end), "skip-" + s.kind)
        for s in skip
        if s.end > start and s.start < end
    ]
    cuts = sorted({start, end, *(x for m in marks + skips for x in m[:2] if start <= x <= end)})
    marks.sort()
    skips.sort()
    m_starts = [m[0] for m in marks]
    s_starts = [s[0] for s in skips]

    def cls_at(pos: int) -> str:
        i = bisect.bisect_right(s_starts, pos) - 1
        if i >= 0 and skips[i][0] <= pos < skips[i][1]:
            return skips[i][2]
        j = bisect.bisect_right(m_starts, pos) - 1
        if j >= 0 and marks[j][0] <= pos < marks[j][1]:
            return marks[j][2]
        return ""

    pieces: list[tuple[str, str]] = []
    for x, y in zip(cuts, cuts[1:], strict=False):
        if y <= x:
            continue
        c = cls_at(x)
        if pieces and pieces[-1][0] == c:
            pieces[-1] = (c, pieces[-1][1] + text[x:y])
        else:
            pieces.append((c, text[x:y]))
    return "".join(f'<span class="{c}">{_e(t)}</span>' if c else _e(t) for c, t in pieces)


def _side_spans(p: Passage, side: str) -> list[tuple[int, int, str]]:
    out = []
    for op in p.ops:
        if side == "a" and op.a_end > op.a_start and op.tag in _A_CLASS:
            out.append((op.a_start, op.a_end, _A_CLASS[op.tag]))
        elif side == "b" and op.b_end > op.b_start and op.tag in _B_CLASS:
            out.append((op.b_start, op.b_end, _B_CLASS[op.tag]))
    return out


def _side_html(rep: PairReport, p: Passage, side: str, rename: dict[str, str]) -> tuple[str, str]:
    """(location line, highlighted text) of one side of a passage."""
    doc = rep.a_doc if side == "a" else rep.b_doc
    toks = rep.a_tokens if side == "a" else rep.b_tokens
    w0, w1 = (p.a_start, p.a_end) if side == "a" else (p.b_start, p.b_end)
    c0, c1 = (p.a_char_start, p.a_char_end) if side == "a" else (p.b_char_start, p.b_char_end)
    sec = p.a_section if side == "a" else p.b_section
    loc = [f"words {w0 + 1}–{w1}", f"chars {c0}–{c1}"]
    if doc is None:
        return " · ".join(loc), '<em class="missing">(document text not in the report)</em>'
    loc.insert(1, f"line {doc.line_of(c0)}")
    page = doc.page_of(c0)
    if page is not None:
        loc.insert(1, f"page {page}")
    if sec:
        loc.insert(0, sec)
    spans = [(w0_, w1_, rename.get(c, c)) for w0_, w1_, c in _side_spans(p, side)]
    body = highlight(doc.text, c0, c1, toks, spans, doc.skip)
    if toks is None:
        body = '<em class="missing">(no tokens: word-level marks unavailable)</em> ' + body
    return " · ".join(loc), body


def _passages_html(e: LineageEdge, nodes: dict[str, LineageNode], anchors: dict[str, str]) -> str:
    rep = e.report
    if rep is None:
        src = nodes.get(e.source)
        if src is not None and src.inferred and e.source in anchors:
            return (
                f'<p class="missing">The source is an inferred unseen ancestor: the text it '
                f'stands for is under <a href="#{anchors[e.source]}">'
                f"{_e(node_label(src))}</a>.</p>"
            )
        return '<p class="missing">No alignment is attached to this edge.</p>'
    src_side = source_side(e)
    tgt_side = "b" if src_side == "a" else "a"
    # only-in classes are renamed left/right so the legend reads "only in source/target"
    rename = {
        "onlya": "onlyl" if src_side == "a" else "onlyr",
        "onlyb": "onlyr" if src_side == "a" else "onlyl",
    }
    src_lab = node_label(nodes.get(e.source), e.source)
    tgt_lab = node_label(nodes.get(e.target), e.target)
    order = sorted(
        rep.passages,
        key=lambda p: (p.a_start, p.b_start) if src_side == "a" else (p.b_start, p.a_start),
    )
    out = []
    for k, p in enumerate(order, 1):
        lloc, ltext = _side_html(rep, p, src_side, rename)
        rloc, rtext = _side_html(rep, p, tgt_side, rename)
        words = max(p.a_words, p.b_words)
        tags = f"{words} words · {pct(p.identity)} identical"
        if p.is_boilerplate:
            kind = (
                f"stock phrase: {p.stock_phrase}"
                if p.stock_phrase
                else (f"boilerplate {pct(p.boilerplate_share)}")
            )
            tags += f" · {kind}"
        out.append(
            f'<details class="passage{" boiler" if p.is_boilerplate else ""}"'
            f"{'' if p.is_boilerplate else ' open'}>"
            f"<summary>passage {k} of {len(order)} — {_e(tags)}</summary>"
            f'<div class="sbs"><div class="side"><div class="loc"><b>{_e(src_lab)}</b> · '
            f'{_e(lloc)}</div><div class="text">{ltext}</div></div>'
            f'<div class="side"><div class="loc"><b>{_e(tgt_lab)}</b> · {_e(rloc)}</div>'
            f'<div class="text">{rtext}</div></div></div></details>'
        )
    if not out:
        return '<p class="missing">The alignment has no passages.</p>'
    return "\n".join(out)


# --- page sections ---------------------------------------------------------------------------


def _table(rows: list[tuple[str, str]], cls: str = "kv") -> str:
    """Two-column table; values are already-escaped HTML."""
    body = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="{cls}">{body}</table>'


def _link(url: str) -> str:
    if url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(url)}</a>'
    return _e(url)


_SAME_BILL = ("version-of", "companion-of")


def _edge_section(
    eid: str,
    e: LineageEdge,
    nodes: dict[str, LineageNode],
    anchors: dict[str, str],
    with_text: bool,
) -> str:
    arrow = "→" if e.directed else "↔"

    def doc(nid: str) -> str:
        lab = _e(node_label(nodes.get(nid), nid))
        return f'<a href="#{anchors[nid]}">{lab}</a>' if nid in anchors else lab

    facts = _table(
        [
            ("type", _e(e.type) + ("" if e.directed else " (undirected)")),
            ("reason", _e(e.reason)),
            ("direction decided by", _e(e.direction_basis or "—")),
            ("confidence", f"{e.confidence:.2f}"),
            (
                "probability of reuse",
                (
                    f"{e.probability:.2f} — from "
                    + ", ".join(f"{_e(k)} {v:g}" for k, v in e.features.items())
                    + " (billdiff/calibrate.py)"
                )
                if e.probability is not None
                else "—",
            ),
            ("shared words", str(e.shared_words)),
            (
                "coverage",
                f"{pct(e.coverage_source)} of the source is in the target · "
                f"{pct(e.coverage_target)} of the target is from the source",
            ),
            ("passages counted", str(e.passages)),
            (
                "passages aligned",
                f"{len(e.report.passages)} (below: header, stock and boilerplate ones too)"
                if e.report is not None
                else "—",
            ),
        ]
    )
    if e.type in _SAME_BILL:
        # versions and companions share nearly all their text: the page would repeat both
        # bills in full; the passages stay in lineage.json and compare shows them
        s, t = nodes.get(e.source), nodes.get(e.target)
        cmd = (
            f"billdiff compare {shlex.quote(s.meta.source)} {shlex.quote(t.meta.source)}"
            if s is not None and t is not None and s.meta.source and t.meta.source
            else ""
        )
        body = (
            '<p class="missing">Versions and companions of one bill share most of their text: '
            "its passages are in lineage.json"
            + (f", and <code>{_e(cmd)}</code> shows them word by word" if cmd else "")
            + ".</p>"
        )
    elif with_text:
        body = _passages_html(e, nodes, anchors)
    else:
        body = (
            '<p class="missing">Passages of this edge are in lineage.json (the page shows '
            "text for the strongest edges only).</p>"
        )
    return (
        f'<section class="edge t-{_e(e.type)}" id="{eid}"><h3><span class="eid">{eid}</span> '
        f"{_e(e.type)}: {doc(e.source)} {arrow} {doc(e.target)}</h3>{facts}{body}</section>"
    )


_EXTRA_MAX = 240  # characters of a provenance note shown; lineage.json has them in full


def _short(v) -> str:
    v = str(v)
    return v if len(v) <= _EXTRA_MAX else v[:_EXTRA_MAX].rstrip() + " … (in full in lineage.json)"


def _doc_section(n: LineageNode, anchor: str) -> str:
    m = n.meta
    rows = [
        ("id", _e(n.id)),
        ("title", _e(m.title)),
        ("state · session", _e(" · ".join(x for x in (m.state, m.session) if x))),
        ("bill · version", _e(" · ".join(x for x in (m.bill, m.version) if x))),
        ("date", _e(m.date or "unknown")),
        ("sponsors", _e("; ".join(m.sponsors))),
        ("words", str(n.words)),
        ("source", _link(m.source)),
        ("official URL", _link(m.source_url)),
        ("sha256", f"<code>{_e(m.sha256)}</code>" if m.sha256 else ""),
        ("format", _e(m.format)),
    ]
    rows += [(k, _e(_short(v))) for k, v in m.extra]
    rows = [(k, v) for k, v in rows if v]
    extra = ""
    if n.inferred:
        extra = (
            "<p><b>Inferred unseen ancestor</b>: not a document in the corpus; several "
            "bills share the text below and none of the indexed candidates holds it.</p>"
            f'<details><summary>shared text</summary><div class="text">{_e(n.shared_text)}'
            "</div></details>"
        )
    return (
        f'<section class="doc" id="{anchor}"><h3>{_e(node_label(n))}</h3>'
        f"{extra}{_table(rows)}</section>"
    )


_STORY_TOP = 12  # bill-to-bill edges listed before "N more"


def _story_html(
    cross: list[tuple[str, LineageEdge]],
    nodes: dict[str, LineageNode],
    anchors: dict[str, str],
    bills: dict[str, str] | None = None,
) -> str:
    """ "Who took whose text": the cross-bill edges, strongest first; the edges between the
    same two bills (their versions, their companions: ``bills``) fold into the strongest
    one's line."""
    if not cross:
        return (
            "<p class='story none'>No bill here took text from another bill: the edges join "
            "versions and companions of one bill, bills quoting the same law, or common text."
            "</p>"
        )

    def doc(nid: str) -> str:
        n = nodes.get(nid)
        if n is not None and n.inferred:
            lab = "<b>an unseen common source</b> (inferred)"
        else:
            lab = f"<b>{_e(node_label(n, nid))}</b>"
        return f'<a href="#{anchors[nid]}">{lab}</a>' if nid in anchors else lab

    items = []
    for group in fold_story(cross, bills or {}):
        i, e = group[0]
        also = ""
        if len(group) > 1:
            refs = ", ".join(f'<a href="#{j}">{j}</a>' for j, _ in group[1:])
            also = f"; also between their other versions or companions: {refs}"
        if e.directed:
            what = (
                f"{doc(e.source)} → {doc(e.target)}: {count(e.shared_words, 'word', sep=True)}"
                f" — {pct(e.coverage_target)} of the later bill"
            )
        else:
            what = (
                f"{doc(e.source)} ↔ {doc(e.target)}: {count(e.shared_words, 'word', sep=True)}"
                " from a common source"
            )
        prob = f", probability {e.probability:.2f}" if e.probability is not None else ""
        items.append(
            f'<li>{what} <span class="how">(<a href="#{i}">{i}</a> {_e(e.type)}{prob}{also})'
            "</span></li>"
        )
    top, rest = items[:_STORY_TOP], items[_STORY_TOP:]
    more = (
        f"<details><summary>{count(len(rest), 'more bill-to-bill edge')}</summary>"
        f"<ol class='story' start='{_STORY_TOP + 1}'>{''.join(rest)}</ol></details>"
        if rest
        else ""
    )
    return f"<ol class='story'>{''.join(top)}</ol>{more}"


def _missing_html(missing) -> str:
    if not missing:
        return ""
    rows = "".join(f"<tr><td>{_e(i)}</td><td>{_e(why)}</td></tr>" for i, why in missing)
    return (
        f"<section id='missing'><h3>Not in this report</h3><details><summary>"
        f"{count(len(missing), 'document')} could not be had or read, so no edge to or "
        "from them can be shown (which, and why)</summary>"
        f"<table class='grid'><tr><th>document</th><th>why</th></tr>{rows}</table></details>"
        "</section>"
    )


def _common_html(common: list[tuple[str, LineageEdge]], nodes: dict[str, LineageNode]) -> str:
    """Boilerplate-only pairs: one table (not drawn; their passages are in lineage.json)."""
    if not common:
        return ""

    def what(e: LineageEdge) -> str:
        rep = e.report
        stock = sorted({p.stock_phrase for p in rep.passages if p.stock_phrase}) if rep else []
        return ", ".join(stock) or "text common across the corpus"

    rows = "".join(
        f"<tr id='{i}'><td>{i}</td><td>{_e(node_label(nodes.get(e.source), e.source))} ↔ "
        f"{_e(node_label(nodes.get(e.target), e.target))}</td><td>{e.shared_words}</td>"
        f"<td>{_e(what(e))}</td></tr>"
        for i, e in sorted(common, key=lambda ie: (-ie[1].shared_words, ie[0]))
    )
    return (
        f"<section id='common'><h2>Common text only (not lineage)</h2><p>"
        f"{count(len(common), 'pair')} of documents share only text found across the corpus "
        "(enacting clauses, effective-date and severability formulas, a state's standard "
        "wording). They are not drawn; their passages are in <code>lineage.json</code>.</p>"
        "<table class='grid'><tr><th>edge</th><th>documents</th><th>shared words</th>"
        f"<th>what they share</th></tr>{rows}</table></section>"
    )


def render_html(graph: LineageGraph, *, max_edges_with_text: int = 1000, missing=()) -> str:
    """See ``_render_html``; every document gets a label of its own (``unique_labels``)."""
    with unique_labels(graph):
        return _render_html(graph, max_edges_with_text=max_edges_with_text, missing=missing)


def _render_html(graph: LineageGraph, *, max_edges_with_text: int = 1000, missing=()) -> str:
    """The whole index.html as one string (deterministic for a given graph).

    ``missing``: (document id, why) of corpus documents that could not be had; listed."""
    nodes = node_map(graph)
    edges = ordered_edges(graph)
    drawn = [(i, e) for i, e in edges if not e.reduced and e.type != "boilerplate-only"]
    common = [(i, e) for i, e in edges if not e.reduced and e.type == "boilerplate-only"]
    reduced = [(i, e) for i, e in edges if e.reduced]
    anchors = {n.id: f"doc-{k}" for k, n in enumerate(ordered_nodes(graph), 1)}
    css, js = _asset("lineage.css"), _asset("lineage.js")
    csp = (
        f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    n_docs = sum(1 for n in graph.nodes if not n.inferred)
    n_inf = len(graph.nodes) - n_docs
    fams = sorted(graph.families, key=lambda f: (-len(f.members), f.id))
    fam_items = "".join(
        f"<li>family <b>{_e(f.id)}</b>: {count(len(set(f.members) | {f.root}), 'document')}, "
        f'root (model-bill candidate) <a href="#{anchors.get(f.root, "")}">'
        f"{_e(node_label(nodes.get(f.root), f.root))}</a></li>"
        for f in fams
    )
    story = story_order(drawn)
    cross = [(i, e) for i, e in story if e.type in CROSS_BILL]
    strongest = story[:8]
    find_items = "".join(
        f'<li><a href="#{i}">{i}</a> <span class="t">{_e(e.type)}</span>: {_e(e.reason)}</li>'
        for i, e in strongest
    )
    inferred = f" and {count(n_inf, 'inferred unseen ancestor')}" if n_inf else ""
    counts = [
        f"{count(n_docs, 'document')}{inferred}",
        count(len(fams), "family", "families"),
        f"{count(len(drawn), 'edge')} drawn",
    ]
    if common:
        counts.append(f"{count(len(common), 'pair')} sharing only common text (a table, not drawn)")
    if reduced:
        counts.append(f"{count(len(reduced), 'edge')} explained by a path (listed, not drawn)")
    summary = (
        "<h3>Who took whose text</h3>"
        + _story_html(cross, nodes, anchors, bill_of(graph, [e for _, e in drawn]))
        + f"<p class='counts'>{'; '.join(counts)}.</p>"
        + (f"<ul>{fam_items}</ul>" if fam_items else "")
        + _missing_html(missing)
    )
    finds = (
        "<h3>Strongest edges</h3><p>Text taken from another bill first, then versions and "
        f"companions.</p><ol class='finds'>{find_items}</ol>"
        if find_items
        else ""
    )
    svg = render_svg(graph, drawn, anchors)
    edge_html = "\n".join(
        _edge_section(i, e, nodes, anchors, k < max_edges_with_text)
        for k, (i, e) in enumerate(story)
    )
    red_rows = "".join(
        f"<tr><td>{i}</td><td>{_e(e.type)}</td><td>{_e(node_label(nodes.get(e.source), e.source))}"
        f" {'→' if e.directed else '↔'} {_e(node_label(nodes.get(e.target), e.target))}</td>"
        f"<td>{e.shared_words}</td><td>{_e(e.reason)}</td></tr>"
        for i, e in reduced
    )
    red_html = (
        f"<section id='reduced'><h2>Edges explained by a path (not drawn)</h2>"
        f"<p>Kept as evidence; their passages are in lineage.json.</p>"
        f"<table class='grid'><tr><th>edge</th><th>type</th><th>documents</th>"
        f"<th>shared words</th><th>reason</th></tr>{red_rows}</table></section>"
        if reduced
        else ""
    )
    common_html = _common_html(common, nodes)
    docs_html = "\n".join(_doc_section(n, anchors[n.id]) for n in ordered_nodes(graph))
    params = _table(
        [("tool", _e(f"billdiff {graph.tool_version}")), ("schema", _e(SCHEMA))]
        + [(k, _e(graph.settings[k])) for k in sorted(graph.settings)]
    )
    present = {e.type for _, e in drawn}
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="billdiff {_e(graph.tool_version)}">
<link rel="icon" href="data:,">
<title>billdiff lineage report</title>
<style>{css}</style>
</head>
<body>
<header><h1>Lineage report</h1><p class="sub">Who reused whose words, in what order, with the
evidence. Written by billdiff {_e(graph.tool_version)}; every figure below is a verified
alignment, not an estimate. Files beside this page: <code>lineage.json</code>,
<code>edges.csv</code>, <code>lineage.dot</code>.</p>
<nav><a href="#summary">Who took whose text</a> · <a href="#graph">Graph</a> ·
<a href="#edges">Edges and passages</a> · <a href="#common">Common text</a> ·
<a href="#documents">Documents</a> · <a href="#parameters">Parameters</a></nav>
</header>
<main>
<section id="summary"><h2>Summary</h2>{summary}</section>
<section id="graph"><h2>Lineage graph</h2>
<p>Boxes are documents (click one for its provenance); arrows run from the text's source to
the bill that reused it (click one for its passages). Label: shared words · share of the target
taken from the source.</p>
{legend_html(present)}
<div class="graph-wrap">
{svg}
</div>
{finds}</section>
<section id="edges"><h2>Edges and passages</h2>
<p>Each edge's passages side by side: the source on the left, the target on the right.
<span class="eq">identical</span> · <span class="chg">changed</span> ·
<span class="onlyl">only in the source</span> · <span class="onlyr">only in the target</span> ·
<span class="skip-deleted">struck / skipped in the original</span>.
<button type="button" id="expand-all">expand all</button>
<button type="button" id="collapse-all">collapse all</button></p>
{edge_html}
</section>
{common_html}
{red_html}
<section id="documents"><h2>Documents (provenance)</h2>
{docs_html}
</section>
<section id="parameters"><h2>Parameters</h2>{params}</section>
</main>
<footer>billdiff {_e(graph.tool_version)} · schema {_e(SCHEMA)}</footer>
<script>{js}</script>
</body>
</html>
"""


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.replace(tmp, path)


def write_report(
    graph: LineageGraph, out_dir, *, max_edges_with_text: int = 1000, missing=()
) -> Path:
    """Write index.html, lineage.json, edges.csv and lineage.dot into ``out_dir`` (created if
    needed); return the path of index.html. ``missing``: (id, why) of corpus documents that
    could not be had, listed in the report."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        _write(out / "lineage.json", dumps(graph))
        _write(out / "edges.csv", edges_csv(graph))
        _write(out / "lineage.dot", to_dot(graph))
        _write(
            out / "index.html",
            render_html(graph, max_edges_with_text=max_edges_with_text, missing=missing),
        )
    except OSError as err:
        raise BilldiffError(
            f"cannot write the report to {out}: {err.strerror or err}",
            hint="choose a writable folder with --out",
        ) from err
    return out / "index.html"
