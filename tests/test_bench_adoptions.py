"""The cross-state adoption dev benchmark (bench/adoptgen.py, bench/adoptions.py) at a tiny
size. The generator writes SYNTHETIC adoptions of real bills read from ../shared/corpus (in
memory; nothing is written into the repository)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import adoptgen  # noqa: E402

TINY = {"acts": 2, "big_act_adoptions": 5, "min_adoptions": 3, "max_adoptions": 3, "background": 12}  # fmt: skip


@pytest.fixture(scope="module")
def tiny(corpus):
    return adoptgen.generate(seed=7, corpus=corpus, **TINY)


def test_same_seed_same_texts_other_seed_other_texts(tiny, corpus):
    again = adoptgen.generate(seed=7, corpus=corpus, **TINY)
    assert [g.id for g in again.docs] == [g.id for g in tiny.docs]
    assert [g.doc.text for g in again.docs] == [g.doc.text for g in tiny.docs]
    other = adoptgen.generate(seed=8, corpus=corpus, **TINY)
    adopted = lambda c: {g.id: g.doc.text for g in c.docs if g.kind == "adoption"}  # noqa: E731
    a, b = adopted(tiny), adopted(other)
    assert any(a.get(k) != v for k, v in b.items())


def test_families_labels_and_ids(tiny):
    fam = tiny.by_act()
    assert set(fam) == {a for a, _, _ in adoptgen.ACTS[:2]}
    big = fam[adoptgen.ACTS[0][0]]
    assert sum(g.kind == "adoption" for g in big) == 5
    assert sum(g.kind == "source" for g in big) == 1
    assert sum(g.kind == "background" and g.act is None for g in tiny.docs) == 12
    ids = [g.id for g in tiny.docs]
    assert len(set(ids)) == len(ids)
    for g in tiny.docs:
        if g.kind != "background":
            assert g.id.startswith("synthetic-")
            note = dict(g.doc.meta.extra)["note"]
            assert "bench/adoptgen.py" in note and g.source_id in note
        if g.kind == "adoption":
            assert g.doc.meta.state == g.state and g.state != "WA"
            assert len({x.state for x in tiny.by_act()[g.act] if x.kind == "adoption"}) == len(
                [x for x in tiny.by_act()[g.act] if x.kind == "adoption"]
            )


def test_state_edits_really_happened(tiny, corpus):
    src_text = (corpus / adoptgen.ACTS[0][1]).read_text(encoding="utf-8")
    assert "RCW" in src_text and "WASHINGTON" in src_text and "legislature" in src_text
    for g in tiny.by_act()[adoptgen.ACTS[0][0]]:
        if g.kind != "adoption":
            continue
        spec = adoptgen.state_spec(g.state)
        text = g.doc.text
        # state name, enacting clause and citations restyled
        assert "Washington" not in text and "WASHINGTON" not in text, g.id
        assert spec.name in text and spec.enacting in text
        inserted = "".join(g.inserted_text)
        assert not re.search(r"\bRCW\b", text.replace(inserted, "")), g.id
        assert "chapter 9.73 RCW" in src_text and "chapter 9.73 RCW" not in text
        assert "NEW SECTION. Sec. 1." in src_text
        # edits of the intensity drawn
        if g.intensity in ("medium", "heavy"):
            assert g.dropped_text and g.edits["rewritten"] > 0
            assert g.edits["defs_reordered"] or g.intensity == "partial"
        assert g.inserted_text


def test_heavy_rewrites_break_verbatim_runs(tiny):
    from billdiff import tokenize

    rng = adoptgen._rng(1, "heavy")
    s = (
        "The department shall provide each agency with information regarding the program "
        "and the rules that it must adopt under this chapter before the end of each year."
    )
    out = adoptgen.rewrite_sentence(s, rng, 0.9)
    a, b = s.lower().split(), out.lower().split()
    grams = {tuple(a[i : i + 8]) for i in range(len(a) - 7)}
    assert not any(tuple(b[i : i + 8]) in grams for i in range(len(b) - 7)), out
    # and on a real act: a heavy adoption shares far fewer 12-word runs with its model act
    fam = tiny.by_act()[adoptgen.ACTS[0][0]]
    model = next(g for g in fam if g.kind == "source")

    def grams12(doc):
        w = tokenize(doc).words
        return {w[i : i + 12] for i in range(len(w) - 11)}

    m = grams12(model.doc)
    for g in fam:
        if g.intensity == "heavy":
            assert len(grams12(g.doc) & m) < 0.05 * len(m), g.id


def test_inserted_offsets_and_site_furniture(tiny):
    assert any(g.inserted for g in tiny.docs)
    for g in tiny.docs:
        assert len(g.inserted) == len(g.inserted_text)
        for (s, e), t in zip(g.inserted, g.inserted_text, strict=True):
            assert g.doc.text[s:e] == t, g.id
    # one site wrapper per state: its navigation is in every document of that state
    sites = {c: adoptgen.make_site(c, 7) for c, *_ in adoptgen.STATES}
    by_state: dict[str, list] = {}
    for g in tiny.docs:
        if g.state in sites and sites[g.state] is not None and g.id.startswith("synthetic-"):
            by_state.setdefault(g.state, []).append(g)
    assert by_state
    for code, gs in by_state.items():
        for g in gs:
            for line in sites[code].header + sites[code].footer:
                assert line in g.doc.text, (g.id, line)


def test_real_pairs_labels(corpus):
    docs, pairs = adoptgen.real_pairs(corpus)
    ids = {d.meta.id for d in docs}
    assert all(a in ids and b in ids for a, b, _, _ in pairs)
    lab = {frozenset((a, b)): y for a, b, y, _ in pairs}
    assert lab[frozenset(("wa-2019-hb1638-introduced", "wa-2019-sb5841-introduced"))] == 0
    assert lab[frozenset(("wa-2019-hb1074-introduced", "wa-2019-sb5057-introduced"))] == 1
    co = frozenset(("wa-2020-sb6280-rcw43.386-codified", "colorado-2022-sb22-113"))
    assert lab[co] == 1
    va = next(i for i in ids if i.startswith("virginia"))
    assert lab[frozenset(("wa-2020-sb6280-rcw43.386-codified", va))] == 0
    # the bracketed editorial notes of other-states ("[NOT RETRIEVED: ...]") are not bill text
    md = next(d for d in docs if d.meta.id.startswith("maryland-2024-crimproc"))
    assert "NOT RETRIEVED" not in md.text and "deleted from existing law" not in md.text
    assert not any(re.search(r"^\[[^\n]*\]$", d.text, re.M) for d in docs if d.meta.state != "WA")


@pytest.mark.slow
def test_bench_runs_and_reports_the_five_measures(corpus, tmp_path):
    out = tmp_path / "a.json"
    dump = tmp_path / "pairs.jsonl"
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "adoptions.py"),
            *("--acts", "2", "--big-act-adoptions", "3", "--background", "10", "--no-real"),
            *("--json", str(out), "--dump-pairs", str(dump)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=str(ROOT),
    )
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(out.read_text())
    m = res["synthetic"]
    for key in ("listed", "r_precision", "mrr", "substantive_recall", "substantive_precision"):
        assert 0.0 <= m[key] <= 1.0, key
        assert re.search(r"\d\.\d{3}", r.stdout)
    assert 0.0 <= m["auc"]["billdiff"] <= 1.0 and 0.0 <= m["auc"]["tfidf"] <= 1.0
    assert m["queries"] == sum(m["families"].values())
    assert res["billdiff_version"] and res["parameters"]["big_act_adoptions"] == 3
    rows = [json.loads(x) for x in dump.read_text().splitlines()]
    assert rows and {"query", "other", "label"} <= rows[0].keys()
    assert {x["label"] for x in rows} <= {0, 1}
    # every same-act pair appears in the dump (found as a hit, or as a miss)
    fam_pairs = sum(n * (n - 1) for n in m["families"].values())
    assert sum(x["label"] for x in rows) == fam_pairs
