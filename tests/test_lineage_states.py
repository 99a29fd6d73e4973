"""The cross-state facial-recognition story (issue 8), computed on the real texts.

The documents come the way `make demo` gets them: the facial-recognition manifest (facts,
official URLs) resolved offline against ../shared/corpus (facial-recognition/, wa-bills/,
other-states/), read in place. What each test expects comes from the other-states README
("Pairs to know", the reuse examples) and the manifest's dates; the graph is computed.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from billdiff.corpus import documents, fetch_corpus, load_manifest
from billdiff.lineage_graph import lineage
from billdiff.lineage_graph.bills import bill_info
from billdiff.normalize import tokenize

CO = "colorado-2022-sb22-113"
AL = "alabama-2022-sb56"
MT = "montana-2023-sb397"
MT_DRAFT = "montana-2023-lc0067-draft-of-sb397"
MD_2020 = "maryland-2020-laborempl-3-717-hb1202"
MD_2023 = "maryland-2023-sb192"
MD_SB182 = "maryland-2024-sb182"
MD_HB338 = "maryland-2024-hb338"
MD_CODE = "maryland-2024-crimproc-2-501_to_2-510-partial"
VA = "virginia-2022-vacode-15.2-1723.2_52-4.5_23.1-815.1"
CA = "california-2020-ab2261-partial-opening"
DIRECTED = ("copied-from", "version-of")


@pytest.fixture(scope="module")
def docs(corpus, tmp_path_factory):
    rep = fetch_corpus(
        load_manifest("facial-recognition"),
        mirror=corpus,
        cache_dir=tmp_path_factory.mktemp("cache"),
        offline=True,
    )
    got = documents(rep)
    held = {p.stem for p in (corpus / "other-states").glob("*.txt")}
    assert held <= {d.id for d in got}, held - {d.id for d in got}
    return got


@pytest.fixture(scope="module")
def graph(docs):
    return lineage(docs)


@pytest.fixture(scope="module")
def info(docs):
    return {d.id: bill_info(d.meta) for d in docs}


def _edges(g, a, b, types=None):
    return [
        e for e in g.edges if {e.source, e.target} == {a, b} and (types is None or e.type in types)
    ]


def _wa(g, info):
    return {n.id for n in g.nodes if not n.inferred and info[n.id].state == "WA"}


def _reaches(g, sources, target) -> list[str]:
    """A path of directed edges (reduced ones too: they are explained by another path)
    from any of ``sources`` to ``target``, or []."""
    kids = defaultdict(set)
    for e in g.edges:
        if e.type in DIRECTED:
            kids[e.source].add(e.target)
    back = {s: None for s in sources}
    todo = list(sources)
    while todo:
        n = todo.pop()
        for k in kids[n]:
            if k not in back:
                back[k] = n
                todo.append(k)
    if target not in back:
        return []
    path, n = [], target
    while n is not None:
        path.append(n)
        n = back[n]
    return path[::-1]


# --- the notes that say where text is missing are not bill text ----------------------------


def test_gap_notes_are_furniture(docs):
    doc = next(d for d in docs if d.id == MD_CODE)
    notes = [ln for ln in doc.text.splitlines() if ln.startswith("[") and ln.endswith("]")]
    assert len(notes) == 3
    words = set(tokenize(doc).words)
    for note in notes:
        start = doc.text.index(note)
        assert any(s.start <= start and start + len(note) <= s.end for s in doc.skip), note
    assert "retrieved" not in words and "compiled" not in words


# --- Washington's law is the source of the other states' wording ---------------------------


@pytest.mark.parametrize("state_doc", [CO, AL, MD_2020, MD_2023])
def test_washington_is_the_direct_source(graph, info, state_doc):
    wa = _wa(graph, info)
    into = [
        e
        for e in graph.edges
        if e.target == state_doc and e.type == "copied-from" and not e.reduced
    ]
    assert into, [(e.source, e.type, e.reduced) for e in graph.edges if e.target == state_doc]
    best = max(into, key=lambda e: e.shared_words)
    assert best.source in wa and best.directed and best.direction_basis == "dates", best
    assert info[best.source].span[1] < info[state_doc].span[0]  # WA came first
    assert "so the edge runs WA → " in best.reason


@pytest.mark.parametrize("state_doc", [MT_DRAFT, MT, MD_SB182, MD_HB338, MD_CODE])
def test_washington_wording_reaches_the_later_laws(graph, info, state_doc):
    path = _reaches(graph, _wa(graph, info), state_doc)
    assert path, state_doc
    # no inferred (unseen) node stands between Washington and the state
    assert not any(p.startswith("inferred-") for p in path), path


def test_montana_took_washington_wording_directly(graph, info):
    wa = _wa(graph, info)
    direct = [e for e in graph.edges if e.target == MT_DRAFT and e.source in wa]
    assert direct and all(e.type == "copied-from" and e.directed for e in direct), direct


# --- the bills of one state -----------------------------------------------------------------


def test_montana_draft_becomes_the_enrolled_bill(graph):
    (e,) = _edges(graph, MT_DRAFT, MT)
    assert (e.source, e.target, e.type, e.reduced) == (MT_DRAFT, MT, "version-of", False)
    assert e.direction_basis == "version-order"


def test_maryland_carry_over_cross_files_and_codified_law(graph):
    (e,) = _edges(graph, MD_2023, MD_SB182)
    assert (e.source, e.target, e.type, e.directed) == (MD_2023, MD_SB182, "copied-from", True)
    assert e.direction_basis == "dates" and not e.reduced and e.coverage_target > 0.8
    comp = _edges(graph, MD_SB182, MD_HB338)
    assert [c.type for c in comp] == ["companion-of"] and not comp[0].directed
    assert not comp[0].reduced
    (law,) = _edges(graph, MD_SB182, MD_CODE)
    assert (law.source, law.target, law.type) == (MD_SB182, MD_CODE, "version-of")


# --- what must not come out -----------------------------------------------------------------


def test_virginia_is_not_a_copy(graph):
    mine = [e for e in graph.edges if VA in (e.source, e.target)]
    assert not [e for e in mine if e.type in ("copied-from", "version-of", "companion-of")]
    assert not any(VA in f.members for f in graph.families)


def test_the_root_is_washingtons_bill_not_an_inferred_node(graph, info):
    fam = next(f for f in graph.families if CO in f.members)
    assert not fam.root.startswith("inferred-")
    assert info[fam.root].state == "WA"
    assert _reaches(graph, {fam.root}, CO)


def test_inferred_sources_join_only_bills_that_all_share_the_text(graph):
    inferred = [n for n in graph.nodes if n.inferred]
    for node in inferred:
        members = sorted({e.target for e in graph.edges if e.source == node.id})
        assert len(members) >= 2
        for k, a in enumerate(members):
            for b in members[k + 1 :]:
                linked = _edges(graph, a, b, ("shares-source-with", "version-of", "companion-of"))
                assert linked, (node.id, a, b)


# --- dates known only to the year -----------------------------------------------------------


def test_year_only_dates_order_edges_when_the_years_differ(graph, info):
    assert info[MT].date is None and info[MT].when == "2023"
    dated = [e for e in graph.edges if e.type == "copied-from" and e.direction_basis == "dates"]
    partial = [e for e in dated if not (info[e.source].date and info[e.target].date)]
    assert partial, "no edge ordered by a year-only date"
    for e in dated:
        s, t = info[e.source], info[e.target]
        assert s.span[1] < t.span[0], (e.source, e.target, s.when, t.when)


def test_overlapping_years_leave_the_order_open(graph, info):
    # California's opening is dated 2020 only; WA SB 6281 was introduced 2020-01-14
    for e in graph.edges:
        if CA not in (e.source, e.target):
            continue
        other = info[e.target if e.source == CA else e.source]
        if other.date and other.date.year == 2020:
            assert e.type != "copied-from", e


def test_terminal_and_page_tell_the_same_story(graph):
    """The tree's "who took whose text" and the HTML page's list fold the same edges into the
    same lines, and both call an inferred ancestor an unseen common source."""
    import io
    import re

    from rich.console import Console

    from billdiff.report.html import render_html
    from billdiff.report.tree import render_lineage

    con = Console(width=200, file=io.StringIO(), color_system=None)
    con.print(render_lineage(graph))
    text = con.file.getvalue()
    start = text.index("who took whose text")
    story = text[start : text.index("\nfamily ", start)]
    html = render_html(graph)
    top = html[html.index("<ol class='story'>") :]
    top = top[: top.index("</ol>")]
    assert story.count("→") + story.count("↔") == min(10, top.count("<li>"))
    assert re.search(r"an unseen common source", story) and "inferred-" not in story
    assert "between their versions or companions" in story
