"""Matching that survives adoption edits: word classes, edited passages, boilerplate net of a
family, the calibrated probability.

The bill-like sentences written here are SYNTHETIC (made up for the tests); the real-text
checks read ../shared/corpus.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from billdiff import Index, compare
from billdiff.aligner import align
from billdiff.boilerplate import Boilerplate
from billdiff.calibrate import FEATURES, model, probability
from billdiff.classes import LEGIS, NUM, STATE, match_keys
from billdiff.model import Document, Metadata, Tokens
from billdiff.normalize import tokenize
from billdiff.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def doc(text: str, id_: str, **meta) -> Document:
    return Document(text, Metadata(id=id_, **meta))


# synthetic model-act wording, and its "adoption" by another state
MODEL = (
    "Sec. 3. (1) A state or local government agency using or intending to develop, procure, or "
    "use a facial recognition service must file with the Washington legislature a notice of "
    "intent and an accountability report as provided in RCW 43.386.020, 43.386.030, and "
    "43.386.040 within ninety days. "
    "(2) The agency must conduct operational tests of the service under the conditions in "
    "which it will be deployed before using it to make decisions that produce legal effects."
)
ADOPTED = (
    "Section 7. (1) A state or local government agency using or intending to develop, procure, "
    "or use a facial recognition service must file with the Colorado General Assembly a notice "
    "of intent and an accountability report as provided in C.R.S. 24-18-302, 24-18-303, and "
    "24-18-304 within ninety days. (2) The agency must conduct operational tests of the service under the conditions "
    "in which it will be deployed before using it to make decisions that produce legal effects."
)


# --- the normalizer --------------------------------------------------------------------------


def test_match_keys_classes_one_key_per_word():
    words = tuple(
        "the new jersey general assembly and the washington legislature under rcw 43 386 "
        "010 on the 2nd day new rules".split()
    )
    keys = match_keys(words)
    assert len(keys) == len(words)  # offsets stay exact: one key per word
    assert keys[1:3] == (STATE, STATE) and keys[3:5] == (LEGIS, LEGIS)
    assert keys[7] == STATE and keys[8] == LEGIS
    assert keys[10:13] == ("@code", NUM, NUM) and keys[13] == NUM
    assert keys[16] == NUM  # "2nd"
    assert keys[18] == "new" and keys[19] == "rules"  # "new" alone is a word
    assert keys[0] == "the" and keys[5] == "and"


def test_class_matching_keeps_the_adopted_passage_whole_and_shows_the_edits():
    r = compare(doc(MODEL, "synthetic-model"), doc(ADOPTED, "synthetic-adoption"))
    off = compare(
        doc(MODEL, "synthetic-model"),
        doc(ADOPTED, "synthetic-adoption"),
        settings=Settings(word_classes=False),
    )
    longest = max(r.passages, key=lambda p: p.a_words)
    assert longest.a_words >= 0.9 * r.a.words  # one passage, through the state's edits
    assert max(p.a_words for p in off.passages) < longest.a_words  # cut without classes
    # the edits are reported as edits, with the words as written
    wa, wb = r.a_tokens.words, r.b_tokens.words
    changed = {
        (" ".join(wa[o.a_start : o.a_end]), " ".join(wb[o.b_start : o.b_end]))
        for o in longest.ops
        if o.tag != "equal"
    }
    assert any("washington" in x and "colorado" in y for x, y in changed)
    assert any("43" in x and "24" in y for x, y in changed)
    assert longest.class_words >= 3  # state name, legislature, numbers
    assert longest.identical_words + longest.edited_words >= max(longest.a_words, longest.b_words)
    assert longest.identical_words < longest.a_words
    for o in longest.ops:  # every 'equal' op is identical as written
        if o.tag == "equal":
            assert wa[o.a_start : o.a_end] == wb[o.b_start : o.b_end]
    # character offsets still point at the original text
    assert r.a_doc.text[longest.a_char_start :].startswith(wa[longest.a_start].capitalize()[:1])


def test_a_passage_must_be_mostly_identical_as_written():
    # two bill headers alike but for numbers, state and chamber: matching keys only
    a = "H 0243 1 HOUSE BILL 1002 State of Washington 66th Legislature 2019 Regular Session"
    b = "S 0517 2 SENATE BILL 5649 State of Oregon 80th Legislature 2020 Regular Session"
    t = (tokenize(doc(a, "synthetic-a")), tokenize(doc(b, "synthetic-b")))
    assert align(*t, settings=Settings(min_words=8, seed_words=3)) == ()


def test_the_json_reports_identical_and_edited_words(cli, tmp_path):
    (tmp_path / "a.txt").write_text(MODEL)
    (tmp_path / "b.txt").write_text(ADOPTED)
    out = cli("compare", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--json")
    assert out.returncode == 0, out.stderr
    ps = json.loads(out.stdout)["passages"]
    assert ps and all({"identical_words", "edited_words", "class_words"} <= p.keys() for p in ps)
    assert max(p["edited_words"] for p in ps) > 0


# --- boilerplate net of a family -------------------------------------------------------------


def test_text_shared_by_a_family_is_not_common_but_text_shared_by_unrelated_bills_is():
    rng = np.random.default_rng(5)
    vocab = [f"w{i}" for i in range(5000)]

    def words(n):
        return [vocab[i] for i in rng.integers(0, len(vocab), n)]

    def toks(ws):
        return Tokens(tuple(ws), tuple(range(len(ws))), tuple(range(1, len(ws) + 1)))

    act = words(60)  # the family's shared text
    stock = words(30)  # a clause every unrelated bill carries
    family = [toks(words(40) + act + words(40)) for _ in range(8)]
    unrelated = [toks(words(80) + stock + words(80)) for _ in range(12)]
    query = toks(words(20) + act + stock + words(20))
    bp = Boilerplate.from_tokens(
        family + unrelated, shingle_words=4, settings=Settings(boilerplate_min_docs=5)
    )
    rng_act, rng_stock = (20, 80), (80, 110)
    plain = bp.common_words(query, [rng_act, rng_stock])
    assert plain[25:75].all() and plain[85:105].all()  # raw counts: both look common
    cover = np.zeros(len(query), dtype=np.int32)
    cover[20:80] = 8  # the 8 family bills hold the act's text
    net = bp.common_words(query, [rng_act, rng_stock], family=cover)
    assert not net[20:80].any()  # the family's text is its signal
    assert net[85:105].all()  # text common across unrelated bills stays common
    assert bp.share(query, 20, 80, family=cover) == 0.0
    assert bp.share(query, 80, 110, family=cover) > 0.8


# --- the calibrated score --------------------------------------------------------------------


def test_probability_rises_with_shared_text_and_is_bounded():
    base = dict.fromkeys(FEATURES, 0.0)
    lo = probability({**base, "log_subst_words": np.log1p(5), "log_longest": np.log1p(5)})
    hi = probability(
        {
            **base,
            "log_subst_words": np.log1p(400),
            "log_longest": np.log1p(120),
            "coverage_query": 0.6,
            "coverage_hit": 0.6,
            "subst_share": 0.6,
            "identity": 0.95,
            "log_passages": np.log1p(6),
            "estimate": 0.3,
            "topic_similarity": 0.8,
        }
    )
    assert 0.0 <= lo < 0.5 < hi <= 1.0
    m = model()
    assert m["features"] == list(FEATURES) and 0.0 < m["threshold"] < 1.0


def test_calibration_stays_out_of_sklearn_and_the_import_path():
    code = (
        "import sys, billdiff, billdiff.cli, billdiff.search, billdiff.pairwise, "
        "billdiff.calibrate, billdiff.lineage_graph; "
        "print(any(m == 'sklearn' or m.startswith('sklearn.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr


# --- search: an act adopted by many bills in one index ---------------------------------------


@pytest.fixture(scope="module")
def fr_index(corpus, tmp_path_factory):
    db = tmp_path_factory.mktemp("adopt") / "i.db"
    idx = Index(db)
    idx.add([corpus / "wa-bills", corpus / "facial-recognition", corpus / "other-states"])
    return idx


def test_search_hits_carry_probability_features_and_related_label(fr_index, corpus):
    res = fr_index.search(corpus / "other-states" / "colorado-2022-sb22-113.txt", top=15)
    assert res.hits
    top = res.hits[0]
    assert top.doc.meta.id.startswith("wa-2020-sb6280")  # WA's law and its versions
    assert top.substantive and top.probability >= model()["threshold"]
    assert set(FEATURES) <= set(top.features)
    seen_related = False
    for h in res.hits:
        assert 0.0 <= h.probability <= 1.0
        if h.related:
            seen_related = True
            assert not h.substantive and not h.report.passages
        else:
            assert not seen_related  # related hits come after every verified hit
            assert h.substantive == (
                bool(h.report.substantive) and h.probability >= model()["threshold"]
            )


def test_lineage_edges_carry_the_probability_and_its_features(corpus):
    from billdiff.lineage_graph import lineage

    docs = [corpus / "facial-recognition" / "wa-2020-sb6280-rcw43.386-codified.txt"]
    docs += sorted((corpus / "other-states").glob("*.txt"))
    g = lineage(docs)
    assert g.edges
    for e in g.edges:
        if e.report is None:
            assert e.probability is None
            continue
        assert 0.0 <= e.probability <= 1.0 and set(FEATURES) <= set(e.features)
    co = [
        e
        for e in g.edges
        if {e.source, e.target} == {"wa-2020-sb6280-rcw43.386-codified", "colorado-2022-sb22-113"}
    ]
    assert co and co[0].probability > model()["threshold"]
