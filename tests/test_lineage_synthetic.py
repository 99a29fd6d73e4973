"""Lineage on a SYNTHETIC model-bill family written by the test (not real legislation).

A model act; three state adaptations (blanks filled, sections reordered, one section
dropped, a section of their own added); two sibling bills that copied a draft which is not in
the corpus; one unrelated bill that shares only boilerplate. Every document is a .txt with a
sidecar .json (state, session, bill, version, dates), read through billdiff.ingest.read.
"""

from __future__ import annotations

import json
import random

import pytest

from billdiff.errors import InputError
from billdiff.ingest import read
from billdiff.lineage_graph import lineage
from billdiff.model import Document, Metadata

_VOCAB = (
    "agency board commission department director secretary office council person entity "
    "record data image template service system vendor contract report notice hearing review "
    "audit request warrant order court officer employee citizen resident applicant license "
    "permit fee fund account grant program plan policy rule standard procedure requirement "
    "shall may must not only within after before during upon unless except provided that "
    "which whose each every any all such other public private local regional annual written "
    "electronic reasonable necessary appropriate independent meaningful significant "
    "collect retain disclose share transfer process store delete verify identify notify "
    "publish submit approve deny suspend revoke enforce comply certify test evaluate "
    "monitor train document describe establish maintain implement consult determine "
    "purpose use access accuracy bias error consent privacy security safety retention "
    "disclosure testing training oversight accountability transparency complaint remedy "
    "penalty violation damages relief year month day period date term quarter interval"
).split()


def _sentence(rng: random.Random, blanks: bool) -> str:
    words = [rng.choice(_VOCAB) for _ in range(rng.randint(14, 20))]
    if blanks:
        words[rng.randint(3, 8)] = "the [AGENCY] of [STATE]"
    s = " ".join(words)
    return s[0].upper() + s[1:] + "."


def _sections(seed: int, n: int, blanks: bool = True) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(_sentence(rng, blanks) for _ in range(4)) for _ in range(n)]


BOILERPLATE = (
    "If any provision of this act or its application to any person or circumstance is held "
    "invalid, the remainder of the act or the application of the provision to other persons "
    "or circumstances is not affected.",
    "This act takes effect July 1, 2021.",
)


def _bill(title: str, state_name: str, body: list[str], fill: dict[str, str]) -> str:
    lines = [
        "SYNTHETIC TEST BILL - not real legislation",
        f"AN ACT Relating to {title}.",
        f"BE IT ENACTED BY THE LEGISLATURE OF THE STATE OF {state_name.upper()}:",
    ]
    for k, sec in enumerate(list(body) + list(BOILERPLATE), 1):
        for blank, value in fill.items():
            sec = sec.replace(blank, value)
        lines.append(f"NEW SECTION. Sec. {k}. {sec}")
    return "\n".join(lines) + "\n--- END ---\n"


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    d = tmp_path_factory.mktemp("synthetic-family")
    model = _sections(1, 6)
    draft = _sections(2, 4)  # the unseen draft the siblings copied: never written
    specs = {
        # id: (state, bill, date, title, body, fill)
        "model-act": ("", "", "2019-06-01", "a model act", model, {}),
        "xa-2020-hb101": (
            "XA",
            "HB 101",
            "2020-01-10",
            "oversight",
            [model[2], model[0], model[1], model[5], model[3]] + _sections(11, 1, False),
            {"[AGENCY]": "department of commerce", "[STATE]": "Xaland"},
        ),
        "xb-2020-sb202": (
            "XB",
            "SB 202",
            "2020-02-20",
            "oversight",
            [model[1], model[0], model[3], model[4], model[2]] + _sections(12, 1, False),
            {"[AGENCY]": "office of the attorney general", "[STATE]": "Xbland"},
        ),
        "xc-2020-hb303": (
            "XC",
            "HB 303",
            "2020-04-01",
            "oversight",
            [model[5], model[4], model[3], model[2], model[0]] + _sections(13, 1, False),
            {"[AGENCY]": "state auditor", "[STATE]": "Xcland"},
        ),
        "xd-2020-hb404": (
            "XD",
            "HB 404",
            "2020-03-02",
            "data services",
            draft + _sections(14, 2, False),
            {"[AGENCY]": "chief information officer", "[STATE]": "Xdland"},
        ),
        "xe-2020-sb505": (
            "XE",
            "SB 505",
            "2020-03-05",
            "data services",
            [draft[3], draft[1], draft[0], draft[2]] + _sections(15, 1, False),
            {"[AGENCY]": "technology services board", "[STATE]": "Xeland"},
        ),
        "xf-2020-hb606": ("XF", "HB 606", "2020-05-01", "fisheries", _sections(16, 5, False), {}),
    }
    for stem, (state, bill, date, title, body, fill) in specs.items():
        (d / f"{stem}.txt").write_text(_bill(title, state or "Model", body, fill))
        (d / f"{stem}.json").write_text(
            json.dumps(
                {
                    "state": state,
                    "session": "2020 regular session" if state else "",
                    "bill": bill,
                    "version": "introduced" if bill else "model act",
                    "title": f"SYNTHETIC {title}",
                    "dates": {"introduced": date},
                }
            )
        )
    docs = [read(str(p)) for p in sorted(d.glob("*.txt"))]
    return lineage(docs), docs


def _edge(g, a, b):
    found = [e for e in g.edges if {e.source, e.target} == {a, b}]
    assert len(found) == 1, (a, b, found)
    return found[0]


ADAPTATIONS = ("xa-2020-hb101", "xb-2020-sb202", "xc-2020-hb303")


def test_sidecars_are_read(family):
    _, docs = family
    assert {d.meta.date for d in docs} >= {"2019-06-01", "2020-03-05"}


def test_model_act_is_the_root_of_its_adaptations(family):
    g, _ = family
    fam = next(f for f in g.families if "model-act" in f.members)
    assert fam.root == "model-act"
    assert sorted(fam.members) == sorted(("model-act",) + ADAPTATIONS)
    for a in ADAPTATIONS:
        e = _edge(g, "model-act", a)
        assert (e.source, e.target, e.type, e.directed, e.reduced) == (
            "model-act",
            a,
            "copied-from",
            True,
            False,
        )
        assert e.direction_basis == "dates" and "it is later, so the edge runs" in e.reason
        assert e.shared_words >= 3 * 40 and 0 < e.coverage_target < 1


def test_adaptations_are_siblings_not_copies(family):
    g, _ = family
    for k, a in enumerate(ADAPTATIONS):
        for b in ADAPTATIONS[k + 1 :]:
            e = _edge(g, a, b)
            assert e.type == "shares-source-with" and e.reduced and not e.directed
            assert "model" in e.reason.lower() or "both took this text from" in e.reason


def test_the_dropped_section_lowers_coverage_of_the_model(family):
    g, docs = family
    # each adaptation keeps 5 of the 6 model sections: at most 5/6 of the model reused
    for a in ADAPTATIONS:
        assert _edge(g, "model-act", a).coverage_source < 5 / 6 + 0.05


def test_siblings_get_an_inferred_unseen_ancestor(family):
    g, _ = family
    sib = ("xd-2020-hb404", "xe-2020-sb505")
    e = _edge(g, *sib)
    assert e.type == "shares-source-with" and not e.directed
    inferred = [n for n in g.nodes if n.inferred]
    assert len(inferred) == 1
    anc = inferred[0]
    draft_sentence = _sections(2, 4)[1].split(".")[1].strip()  # words of the draft only
    assert draft_sentence.split("[")[0].strip()[:40].lower() in anc.shared_text.lower()
    for s in sib:
        ae = _edge(g, anc.id, s)
        assert (ae.source, ae.type, ae.directed, ae.reduced) == (anc.id, "copied-from", True, False)
        assert ae.direction_basis == "inferred"
    fam = next(f for f in g.families if sib[0] in f.members)
    assert fam.root == anc.id and sorted(fam.members) == sorted((anc.id,) + sib)


def test_unrelated_bill_shares_only_boilerplate(family):
    g, _ = family
    mine = [e for e in g.edges if "xf-2020-hb606" in (e.source, e.target)]
    assert mine and {e.type for e in mine} == {"boilerplate-only"}
    assert all(not f for f in g.families if "xf-2020-hb606" in f.members)
    assert not any("xf-2020-hb606" in f.members for f in g.families)
    model_sibling = _edge(g, "model-act", "xd-2020-hb404")
    assert model_sibling.type == "boilerplate-only"


def test_no_dates_means_direction_by_containment(tmp_path):
    small = _sections(21, 3, False)
    big = small + _sections(22, 6, False)
    docs = [
        Document(_bill("x", "Model", small, {}), Metadata(id="short-model")),
        Document(_bill("x", "Model", big, {}), Metadata(id="long-bill")),
    ]
    g = lineage(docs)
    e = _edge(g, "short-model", "long-bill")
    assert (e.source, e.type, e.direction_basis) == ("short-model", "copied-from", "containment")
    assert "containment" in e.reason


def test_progress_and_bad_input():
    docs = [
        Document("same words here " * 20, Metadata(id="x")),
        Document("other text " * 20, Metadata(id="x")),
    ]
    with pytest.raises(InputError, match="two documents have the id"):
        lineage(docs)
    seen = []
    lineage(
        [docs[0], Document("other text " * 20, Metadata(id="y"))],
        progress=lambda done, total, stage: seen.append((done, total, stage)),
    )
    assert all(stage == "align" and 0 < done <= total for done, total, stage in seen)


def test_worker_processes_give_the_same_graph(family, monkeypatch):
    import billdiff.lineage_graph.build as build

    g, docs = family
    monkeypatch.setattr(build, "PARALLEL_MIN", 1)
    monkeypatch.setattr(build, "_workers", lambda: 2)
    g2 = lineage(docs)
    assert g2 == g  # frozen dataclasses: nodes, edges (reports excluded), families
    assert [e.report and e.report.passages for e in g2.edges] == [
        e.report and e.report.passages for e in g.edges
    ]
    assert all(e.report.a_doc is not None for e in g2.edges if e.report is not None)
