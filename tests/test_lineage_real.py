"""Lineage on real bills from ../shared/corpus (read in place, never copied here).

What each test expects comes from the corpus itself (sidecar facts: bill, version, date,
companion_bill …) or from issue 4 §5; the graph is computed, never looked up.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from billdiff.ingest import read
from billdiff.lineage_graph import lineage

LINEAGE_TYPES = ("version-of", "copied-from", "shares-source-with", "companion-of")


def _docs(folder: Path):
    out = []
    for txt in sorted(folder.glob("*.txt")):
        if txt.stem.endswith("-partial"):  # superseded partial copy (see the corpus README)
            continue
        htm = txt.with_suffix(".htm")
        out.append(read(str(htm if htm.exists() else txt)))
    return out


@pytest.fixture(scope="module")
def us_graph(corpus):
    return lineage(_docs(corpus / "us-congress"))


@pytest.fixture(scope="module")
def wa_graph(corpus):
    return lineage(_docs(corpus / "facial-recognition") + _docs(corpus / "wa-bills"))


def _between(graph, xs, ys):
    xs, ys = set(xs), set(ys)
    return [
        e
        for e in graph.edges
        if (e.source in xs and e.target in ys) or (e.source in ys and e.target in xs)
    ]


def _drawn(graph, type_):
    return {(e.source, e.target) for e in graph.edges if e.type == type_ and not e.reduced}


def _family_of(graph, node_id):
    return next((f for f in graph.families if node_id in f.members), None)


# --- federal: version chains in legislative order, unrelated bills apart ---------------------


@pytest.mark.parametrize(
    "chain",
    [
        ["us-116-hr2002-ih", "us-116-hr2002-eh", "us-116-hr2002-rfs"],
        ["us-117-hr2008-ih", "us-117-hr2008-rh", "us-117-hr2008-eh", "us-117-hr2008-rfs"],
    ],
)
def test_federal_versions_form_a_chain_in_legislative_order(us_graph, chain):
    drawn = _drawn(us_graph, "version-of")
    for a, b in zip(chain, chain[1:], strict=False):
        assert (a, b) in drawn, f"{a} → {b} missing from the drawn version chain"
    # non-consecutive versions are kept as evidence but reduced
    for k, a in enumerate(chain):
        for b in chain[k + 2 :]:
            e = next(e for e in us_graph.edges if (e.source, e.target) == (a, b))
            assert e.type == "version-of" and e.reduced and e.directed
    fam = _family_of(us_graph, chain[0])
    assert fam is not None and fam.root == chain[0] and sorted(fam.members) == sorted(chain)


def test_unrelated_federal_bills_stay_apart(us_graph):
    def bill(node_id):
        return us_graph.node(node_id).meta.session, us_graph.node(node_id).meta.bill

    cross = [e for e in us_graph.edges if bill(e.source) != bill(e.target)]
    assert cross, "the enacting clause at least is shared: expected boilerplate-only edges"
    assert {e.type for e in cross} == {"boilerplate-only"}, [
        (e.source, e.target, e.type) for e in cross if e.type != "boilerplate-only"
    ]
    for e in cross:
        assert not e.directed and "common text" in e.reason


# --- Washington facial-recognition documents --------------------------------------------------


def test_facial_recognition_documents_form_one_family(wa_graph, corpus):
    ids = [d.id for d in _docs(corpus / "facial-recognition")]
    fams = {_family_of(wa_graph, i).id for i in ids}
    assert len(fams) == 1
    drawn = _drawn(wa_graph, "version-of")
    assert ("wa-2020-sb6280-introduced", "wa-2020-sb6280-substitute") in drawn
    assert ("wa-2020-sb6280-substitute", "wa-2020-sb6280-engrossed-substitute") in drawn


def test_codified_rcw_is_closest_to_the_engrossed_substitute(wa_graph):
    code = "wa-2020-sb6280-rcw43.386-codified"
    versions = [
        "wa-2020-sb6280-introduced",
        "wa-2020-sb6280-substitute",
        "wa-2020-sb6280-engrossed-substitute",
    ]
    cov = {}
    for v in versions:
        (e,) = [e for e in _between(wa_graph, [v], [code]) if e.type == "version-of"]
        assert e.target == code  # the codified law comes after every bill version
        cov[v] = e.coverage_target
    assert max(cov, key=cov.get) == "wa-2020-sb6280-engrossed-substitute", cov
    drawn_in = [
        e.source
        for e in wa_graph.edges
        if e.target == code and e.type == "version-of" and not e.reduced
    ]
    assert drawn_in == ["wa-2020-sb6280-engrossed-substitute"]


def test_sb5104_reuses_the_effective_date_section_of_rcw_43_386(wa_graph):
    code, sb = "wa-2020-sb6280-rcw43.386-codified", "wa-2021-sb5104-introduced"
    (e,) = [e for e in _between(wa_graph, [code], [sb]) if e.type != "boilerplate-only"]
    assert (e.source, e.target, e.type, e.reduced) == (code, sb, "copied-from", False)
    assert "43.386.901" in e.reason
    rep = e.report
    code_is_a = rep.a.meta.id == code
    code_doc, sb_doc = (rep.a_doc, rep.b_doc) if code_is_a else (rep.b_doc, rep.a_doc)
    found = False
    for p in rep.passages:
        cs, ce = (p.a_char_start, p.a_char_end) if code_is_a else (p.b_char_start, p.b_char_end)
        ss, se = (p.b_char_start, p.b_char_end) if code_is_a else (p.a_char_start, p.a_char_end)
        code_line = code_doc.text[
            code_doc.text.rfind("\n", 0, cs) + 1 : code_doc.text.find("\n", ce)
        ]
        sb_line = sb_doc.text[sb_doc.text.rfind("\n", 0, ss) + 1 : sb_doc.text.find("\n", se)]
        if "take effect July 1" in code_doc.text[cs:ce]:
            found = True
            assert "2021" in code_line and "2026" not in code_line
            # the year is changed in the bill: struck ((2021)), inserted 2026
            assert "((2021))" in sb_line and "2026" in sb_line
    assert found, "no passage holds the effective-date section"


# --- wa-bills: companions, controls, the privacy act carried over ----------------------------


def _sidecar(corpus, stem):
    return json.loads((corpus / "wa-bills" / f"{stem}.json").read_text())


def _bill_prefix(stem):
    return re.match(r"wa-\d{4}-[hs]b\d+", stem).group()


def _versions(graph, bill_prefix):
    return [n.id for n in graph.nodes if n.id.startswith(bill_prefix)]


def test_every_complete_companion_pair_is_companion_of(wa_graph, corpus):
    have = {n.id for n in wa_graph.nodes}
    pairs = set()
    for js in sorted((corpus / "wa-bills").glob("*-introduced.json")):
        comp = json.loads(js.read_text()).get("lineage", {}).get("companion_bill")
        if comp and all(f in have for f in comp["files"]):
            pairs.add(tuple(sorted((_bill_prefix(js.stem), _bill_prefix(comp["files"][0])))))
    assert len(pairs) >= 7, pairs
    for a, b in sorted(pairs):
        edges = _between(wa_graph, _versions(wa_graph, a), _versions(wa_graph, b))
        drawn = [e for e in edges if e.type == "companion-of" and not e.reduced]
        assert len(drawn) == 1, (a, b, [(e.source, e.target, e.type) for e in edges])
        assert not drawn[0].directed and "companion" in drawn[0].reason
        assert not [e for e in edges if e.type == "copied-from" and not e.reduced]


@pytest.mark.parametrize("stem", ["wa-2019-hb1638-introduced", "wa-2019-hb1196-introduced"])
def test_same_topic_controls_are_never_companions(wa_graph, corpus, stem):
    other = _sidecar(corpus, stem)["lineage"]["related_non_companion_bill"]["files"]
    edges = _between(wa_graph, [stem], other)
    assert "companion-of" not in {e.type for e in edges}


def test_bills_amending_the_same_statute_are_not_copying(wa_graph):
    edges = _between(wa_graph, ["wa-2019-hb1638-introduced"], ["wa-2019-sb5841-introduced"])
    assert {e.type for e in edges} <= {"amends-same-law", "boilerplate-only"}
    law = [e for e in edges if e.type == "amends-same-law"]
    assert law and "28A.210.090" in law[0].reason and not law[0].directed


def test_privacy_act_carried_into_the_next_session(wa_graph):
    edges = _between(
        wa_graph, _versions(wa_graph, "wa-2019-sb5376"), _versions(wa_graph, "wa-2020-sb6281")
    )
    drawn = [e for e in edges if e.type == "copied-from" and not e.reduced]
    assert drawn, [(e.source, e.target, e.type, e.reduced) for e in edges]
    for e in drawn:
        assert e.source.startswith("wa-2019-sb5376") and e.target.startswith("wa-2020-sb6281")
        assert e.direction_basis == "dates" and "so the edge runs SB 5376 → SB 6281" in e.reason


def test_hb2856_and_sb5104_are_linked(wa_graph):
    edges = _between(wa_graph, _versions(wa_graph, "wa-2020-hb2856"), ["wa-2021-sb5104-introduced"])
    drawn = [e for e in edges if e.type == "copied-from" and not e.reduced]
    assert drawn and all(e.target == "wa-2021-sb5104-introduced" for e in drawn)
    assert _family_of(wa_graph, "wa-2020-hb2856-introduced") is _family_of(
        wa_graph, "wa-2021-sb5104-introduced"
    )


def test_graph_is_deterministic(corpus):
    docs = _docs(corpus / "facial-recognition")
    g1, g2 = lineage(docs), lineage(list(reversed(docs)))
    key = [(e.source, e.target, e.type, e.reduced, e.shared_words, e.reason) for e in g1.edges]
    assert key == [
        (e.source, e.target, e.type, e.reduced, e.shared_words, e.reason) for e in g2.edges
    ]
    assert g1.families == g2.families


def test_daylight_saving_controls_share_only_stock_text(wa_graph):
    """HB 1196 and SB 5139 (2019, permanent daylight saving time) were drafted independently;
    what they share is the enacting clause, the new-section formula and WA's notice of a
    contingent effective date. That is common text, not a family."""
    a, b = "wa-2019-hb1196-introduced", "wa-2019-sb5139-introduced"
    edges = _between(wa_graph, [a], [b])
    assert edges and {e.type for e in edges} == {"boilerplate-only"}
    assert not [f for f in wa_graph.families if {a, b} <= set(f.members) | {f.root}]
