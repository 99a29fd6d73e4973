"""LineageGraphs built by hand for the report tests (the lineage algorithm is tested elsewhere).

Two graphs:
- ``real_graph``: the Washington facial-recognition documents in ../shared/corpus (read from
  there, never copied), compared with ``billdiff.pairwise.compare``; the edges' figures are the
  PairReports' own, the edge types and direction are set by hand from the documents' dates.
- ``synthetic_graph``: SYNTHETIC bill-like text written here, with hostile markup in the
  text and in the metadata (``<script>``, ``<img src=x onerror=...>``, quotes, backslashes),
  every edge type, an inferred unseen ancestor and a reduced edge.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from billdiff.ingest import read
from billdiff.model import (
    Document,
    Family,
    LineageEdge,
    LineageGraph,
    LineageNode,
    Metadata,
    PairReport,
    Span,
)
from billdiff.pairwise import compare
from billdiff.settings import DEFAULT

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE_URL = 'https://example.invalid/bill?x="><script>alert(5)</script>'

# --- real documents --------------------------------------------------------------------------

FR = {  # file stem -> (short version label, the sidecar's date key used as the node's date)
    "wa-2020-sb6280-introduced": ("introduced", "introduced"),
    "wa-2020-sb6280-substitute": ("substitute", "substitute_first_read"),
    "wa-2020-sb6280-engrossed-substitute": ("engrossed substitute", "passed_senate"),
    "wa-2020-sb6280-rcw43.386-codified": ("codified", "effective"),
    "wa-2021-sb5104-introduced": ("introduced", "introduced"),
}


def _iso_date(text: str) -> str:
    m = re.search(r"\d{4}-\d{2}-\d{2}", str(text))
    return m.group() if m else ""


def read_real(corpus: Path, stem: str) -> Document:
    folder = corpus / "facial-recognition"
    side = json.loads((folder / f"{stem}.json").read_text())
    bill = side["bill"].split(" (")[0]
    version, date_key = FR[stem]
    meta = {
        "id": stem,
        "state": side["state"],
        "bill": bill,
        "version": version,
        "date": _iso_date(side.get("dates", {}).get(date_key, "")),
        "title": side.get("title", ""),
    }
    doc = read(str(folder / f"{stem}.txt"))
    return dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, **meta))


def edge_from(
    rep: PairReport,
    etype: str,
    *,
    directed: bool = True,
    reduced: bool = False,
    basis: str = "dates",
    confidence: float = 0.9,
) -> LineageEdge:
    """An edge A → B whose figures are the report's own."""
    shared = sum(p.identical_words for p in rep.passages)
    a, b = rep.a.meta, rep.b.meta
    reason = (
        f"{b.label} ({b.date}) reuses {shared} words ({100 * rep.coverage_b:.0f}%) of "
        f"{a.label} ({a.date}) in {len(rep.passages)} passages; it is later, so the edge "
        f"runs {a.label} → {b.label}"
    )
    return LineageEdge(
        a.id,
        b.id,
        etype,
        directed,
        confidence,
        shared,
        rep.coverage_a,
        rep.coverage_b,
        len(rep.passages),
        reason,
        basis,
        reduced,
        rep,
    )


def real_graph(corpus: Path) -> LineageGraph:
    docs = {s: read_real(corpus, s) for s in FR}
    st = list(FR)
    pairs = [
        (st[0], st[1], "version-of", False),
        (st[1], st[2], "version-of", False),
        (st[2], st[3], "copied-from", False),
        (st[3], st[4], "copied-from", False),
        (st[0], st[2], "version-of", True),
    ]
    edges = []
    for a, b, t, red in pairs:
        rep = compare(docs[a], docs[b], settings=DEFAULT)
        edges.append(
            edge_from(rep, t, reduced=red, basis="version-order" if t == "version-of" else "dates")
        )
    nodes = tuple(
        LineageNode(s, d.meta, len(edges[0].report.a_tokens) if s == st[0] else _words(edges, s))
        for s, d in docs.items()
    )
    fam = Family("F1", st[0], tuple(st))
    return LineageGraph(nodes, tuple(edges), (fam,), DEFAULT.to_dict(), "test")


def _words(edges, node_id: str) -> int:
    for e in edges:
        if e.report.a.meta.id == node_id:
            return e.report.a.words
        if e.report.b.meta.id == node_id:
            return e.report.b.words
    return 0


# --- synthetic documents ----------------------------------------------------------------------

# SYNTHETIC model-act text, written for these tests (not from any real bill).
_MODEL = (
    "SYNTHETIC MODEL ACT. Section 1. Definitions. For the purposes of this act, a widget "
    "registry means a public list kept by the department of every widget sold in this state "
    "together with the name of its maker and the date of its sale. " + SCRIPT + " Section 2. "
    "The department shall publish the widget registry each quarter on its public website and "
    "shall not charge any fee for access to the registry by any person. " + IMG + " Section 3. "
    "A maker who fails to report a widget sale within thirty days commits a civil infraction "
    "punishable by a fine of not more than five hundred dollars for each unreported sale."
)
_BOILER = (
    " Section 9. If any provision of this act or its application to any person or "
    "circumstance is held invalid, the remainder of the act or the application of the "
    "provision to other persons or circumstances is not affected."
)
_DRAFT = (
    "SYNTHETIC DRAFT TEXT. A gadget inspector appointed under this section shall inspect every "
    "gadget depot at least once each calendar year and shall file a written report of each "
    "inspection with the secretary of state within ten business days. " + SCRIPT
)


def _syn(
    doc_id: str,
    text: str,
    *,
    date: str,
    bill: str,
    title: str = "",
    skip=(),
    sponsors=(),
    source: str = "",
    source_url: str = "",
) -> Document:
    meta = Metadata(
        id=doc_id,
        title=title or f"SYNTHETIC {bill}",
        state="ZZ",
        bill=bill,
        version="introduced",
        date=date,
        sponsors=tuple(sponsors),
        source=source or f"synthetic/{doc_id}.txt",
        source_url=source_url,
        sha256="0" * 64,
        format="txt",
    )
    return Document(text=text, meta=meta, skip=tuple(skip))


def synthetic_docs() -> dict[str, Document]:
    adapted = _MODEL.replace("thirty days", "sixty days").replace("five hundred", "one thousand")
    struck = " ((The registry expires in 2030.)) "
    b_text = adapted.replace(" Section 3.", struck + "Section 3.") + _BOILER
    s0 = b_text.index("((")
    return {
        "syn-model": _syn(
            "syn-model",
            _MODEL + _BOILER,
            date="2020-01-01",
            bill="MODEL ACT",
            title=f"SYNTHETIC model act {SCRIPT}",
            sponsors=[IMG, 'Sen. "Q" \\ B'],
            source='synthetic/"><svg onload=alert(3)>.txt',
            source_url="javascript:alert(4)",
        ),
        "syn-b": _syn(
            "syn-b",
            b_text,
            date="2020-03-01",
            bill="SB 2",
            source_url=HOSTILE_URL,
            skip=[Span(s0, s0 + len(struck.strip()), "deleted")],
        ),
        "syn-b-house": _syn("syn-b-house", b_text, date="2020-03-02", bill="HB 3"),
        "syn-c\"<b>&'": _syn(
            "syn-c\"<b>&'",
            "SYNTHETIC BILL C. " + _DRAFT + " Sec. 2. Widgets.",
            date="2021-02-01",
            bill='SB [bold]4[/] "x"',
        ),
        "syn-d": _syn(
            "syn-d", "SYNTHETIC BILL D begins. " + _DRAFT, date="2021-02-05", bill="HB 5"
        ),
        "syn-e": _syn(
            "syn-e",
            "SYNTHETIC UNRELATED BILL about ferries and tolls." + _BOILER,
            date="2019-05-05",
            bill="SB 6",
        ),
    }


def synthetic_graph() -> LineageGraph:
    d = synthetic_docs()

    def rep(a: str, b: str) -> PairReport:
        return compare(d[a], d[b], settings=DEFAULT)

    e_ab = edge_from(rep("syn-model", "syn-b"), "copied-from")
    e_bh = edge_from(rep("syn-b", "syn-b-house"), "companion-of", directed=False, basis="")
    e_ah = edge_from(rep("syn-model", "syn-b-house"), "copied-from", reduced=True)
    e_cd = edge_from(
        rep("syn-c\"<b>&'", "syn-d"), "shares-source-with", directed=False, basis="", confidence=0.7
    )
    e_eb = edge_from(
        rep("syn-e", "syn-model"), "boilerplate-only", directed=False, basis="", confidence=0.3
    )
    anc = LineageNode(
        "inferred-1",
        Metadata(id="inferred-1", title=f"inferred draft {IMG}"),
        words=40,
        inferred=True,
        shared_text=_DRAFT,
    )
    infer = [
        LineageEdge(
            "inferred-1",
            t,
            "copied-from",
            True,
            0.6,
            40,
            1.0,
            0.8,
            1,
            f"both copied text absent from the corpus {SCRIPT}",
            "dates",
        )
        for t in ("syn-c\"<b>&'", "syn-d")
    ]
    nodes = [LineageNode(k, v.meta, len(v.text.split())) for k, v in d.items()] + [anc]
    fams = (
        Family("F1", "syn-model", ("syn-model", "syn-b", "syn-b-house")),
        Family("F2", "inferred-1", ("inferred-1", "syn-c\"<b>&'", "syn-d")),
    )
    edges = (e_ab, e_bh, e_ah, e_cd, e_eb, *infer)
    return LineageGraph(tuple(nodes), edges, fams, DEFAULT.to_dict(), "test")


# --- the builders themselves -------------------------------------------------------------------


def test_synthetic_graph_has_every_piece_the_reports_need():
    g = synthetic_graph()
    assert {e.type for e in g.edges} >= {
        "copied-from",
        "companion-of",
        "shares-source-with",
        "boilerplate-only",
    }
    assert any(n.inferred for n in g.nodes) and any(e.reduced for e in g.edges)
    ab = g.edges[0]
    assert ab.report is not None and ab.report.passages, "synthetic A/B share no passage"
    assert SCRIPT in ab.report.a_doc.text


def test_real_graph_edges_carry_passages(corpus):
    g = real_graph(corpus)
    for e in g.edges:
        assert e.report is not None and e.passages > 0, (e.source, e.target)
