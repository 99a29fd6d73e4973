"""normalize.tokenize: words with true offsets; skip spans; hyphenation; Unicode folding.
Texts written here are SYNTHETIC; the fast path is also checked against the reference loop
on every bill file of ../shared/corpus and a sample of its statute sections."""

from __future__ import annotations

import gzip
import hashlib
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import billdiff
from billdiff.index.sketch import _WORD_CACHE, word_hashes
from billdiff.model import Document, Metadata, Span
from billdiff.normalize import (
    _tokenize_fast,
    _tokenize_reference,
    section_labels,
    tokenize,
)


def doc(text, skip=(), marks=()):
    return Document(text, Metadata(id="t"), tuple(skip), tuple(marks))


def test_words_and_offsets():
    d = doc("The  Fee, is “TEN” dollars.")
    t = tokenize(d)
    assert t.words == ("the", "fee", "is", "ten", "dollars")
    assert [d.text[s:e] for s, e in zip(t.starts, t.ends, strict=True)] == [
        "The",
        "Fee",
        "is",
        "TEN",
        "dollars",
    ]


def test_unicode_folding():
    t = tokenize(doc("ﬁnal ﬂoor Ｆｕｌｌ soft\u00adhyphen caf\u0065\u0301 non\u00a0breaking"))
    assert t.words == ("final", "floor", "full", "softhyphen", "café", "non", "breaking")


def test_underscores_are_not_words():
    assert tokenize(doc("a ______ blank and ____\n")).words == ("a", "blank", "and")


def test_skip_spans_are_left_out():
    text = "12 the fee is ((ten)) twenty dollars\nPAGE 3\n"
    skip = [Span(0, 2, "line-number"), Span(14, 21, "deleted"), Span(37, 43, "furniture")]
    d = doc(text, skip)
    assert tokenize(d).words == ("the", "fee", "is", "twenty", "dollars")
    assert tokenize(d, keep_deleted=True).words == ("the", "fee", "is", "ten", "twenty", "dollars")


def test_hyphen_across_lines_and_furniture():
    text = "the manage-\n•HR 1 IH\n2 ment of it\nSEC. 2. DES-\n3 IGNATIONS.\n"
    f0 = text.index("•")
    f1 = text.index("\n", f0)
    n2 = text.index("2 ment")
    n3 = text.index("3 IGN")
    skip = [
        Span(f0, f1, "furniture"),
        Span(n2, n2 + 1, "line-number"),
        Span(n3, n3 + 1, "line-number"),
    ]
    d = doc(text, skip)
    t = tokenize(d)
    assert t.words == ("the", "management", "of", "it", "sec", "2", "designations")
    i = t.words.index("management")
    assert d.text[t.starts[i] : t.ends[i]].startswith("manage-") and d.text[
        t.starts[i] : t.ends[i]
    ].endswith("ment")


def test_real_hyphen_at_line_end_is_kept_when_the_text_writes_it_inline():
    text = "long-term care and the long-\nterm plan; a well-\nknown pre-\nsumption\n"
    assert tokenize(doc(text)).words == (
        "long",
        "term",
        "care",
        "and",
        "the",
        "long",
        "term",
        "plan",
        "a",
        "wellknown",
        "presumption",
    )


def test_no_join_for_capitalised_or_mid_line_hyphen():
    assert tokenize(doc("New-\nYork and state- wide")).words == (
        "new",
        "york",
        "and",
        "state",
        "wide",
    )


def test_section_labels():
    text = "SEC. 1. ONE.\nwords here\nSEC. 2. TWO.\nmore words\n"
    marks = [Span(0, 12, "section", "SEC. 1"), Span(24, 36, "section", "SEC. 2")]
    d = doc(text, marks=marks)
    assert section_labels(d, tokenize(d)) == [(0, "SEC. 1"), (5, "SEC. 2")]


_alphabet = st.sampled_from(list("abcXYZ 019-\n\u00ad.,()ﬁé_"))


@settings(max_examples=200, deadline=None)
@given(
    st.text(_alphabet, max_size=80),
    st.lists(st.tuples(st.integers(0, 80), st.integers(0, 20)), max_size=4),
)
def test_property_offsets_in_bounds_and_outside_skips(text, raw_spans):
    spans = sorted({(min(a, len(text)), min(a + n, len(text))) for a, n in raw_spans})
    skip, last = [], 0
    for a, b in spans:  # non-overlapping
        if a >= last and b > a:
            skip.append(Span(a, b, "furniture"))
            last = b
    d = doc(text, skip)
    t = tokenize(d)
    assert len(t.words) == len(t.starts) == len(t.ends)
    for w, s, e in zip(t.words, t.starts, t.ends, strict=True):
        assert 0 <= s < e <= len(text) and w
        assert not any(sp.start <= s < sp.end for sp in skip)
    assert list(t.starts) == sorted(t.starts)


# --- the fast path agrees with the reference loop, token for token ------------------------
#
# ``tokenize`` finds words in bulk (numpy over the code points) and runs the hyphen-join
# logic only where a gap holds a hyphen; ``_tokenize_reference`` is the former regex loop.
# They must return identical Tokens (words, starts, ends) for every input.


def same_as_reference(d, keep_deleted=False, label="", fast=True):
    """Assert tokenize == the reference; with ``fast``, that the fast path took the text."""
    ref = _tokenize_reference(d, keep_deleted=keep_deleted)
    got = tokenize(d, keep_deleted=keep_deleted)
    assert got == ref, label
    assert all(type(x) is int for x in got.starts + got.ends)
    skip = d.skip if not keep_deleted else tuple(s for s in d.skip if s.kind != "deleted")
    took = _tokenize_fast(d.text, skip)
    assert took is None or took == ref, label
    assert took is not None or not fast, f"{label}: left to the reference loop"
    return ref


def fast_applies(text, skip):
    """The routing rule: soft hyphens, combining marks and reversed spans go to the reference."""
    return not re.search("[\u00ad\u0300-\u036f]", text) and all(sp.end >= sp.start for sp in skip)


def test_word_regex_is_isalnum_on_every_code_point():
    # the fast path's premise: a [^\W_] character is exactly a str.isalnum() one
    w = re.compile(r"[^\W_]")
    assert [i for i in range(0x110000) if bool(w.match(chr(i))) != chr(i).isalnum()] == []


@pytest.fixture(scope="module")
def corpus_docs(corpus):
    """Every bill file of ../shared/corpus read through billdiff.read (txt, htm/html, pdf)."""
    paths = sorted(
        p
        for p in corpus.rglob("*")
        if p.suffix in (".txt", ".htm", ".html", ".pdf") and "background" not in p.parts
    )
    return [(p.relative_to(corpus).as_posix(), billdiff.read(str(p))) for p in paths]


def test_fast_path_matches_reference_on_every_corpus_file(corpus_docs):
    kinds = {p.rsplit(".", 1)[1] for p, _ in corpus_docs}
    assert {"txt", "htm", "html", "pdf"} <= kinds
    joined = with_skips = 0
    for name, d in corpus_docs:
        for keep in (False, True):
            ref = same_as_reference(d, keep, f"{name} keep_deleted={keep}")
            # hyphenated line ends were joined somewhere (the join logic was exercised)
            joined += any("-" in d.text[s:e] for s, e in zip(ref.starts, ref.ends, strict=True))
        with_skips += bool(d.skip)
    assert joined and with_skips >= 27  # the PDFs and the marked-up WA bills have skip spans


def test_fast_path_matches_reference_on_background_sections(corpus):
    n = 0
    for name in ("rcw-sections.jsonl.gz", "wac-sections.jsonl.gz"):
        with gzip.open(corpus / "background" / name, "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i % 40:
                    continue
                rec = json.loads(line)
                same_as_reference(doc(rec.get("text") or ""))
                n += 1
    assert n > 1000


def test_long_gap_and_compounds():
    # SYNTHETIC: a hyphen gap over 400 characters is not joined; compounds written inline
    # (also in capitals and across a skip span) keep the line-end hyphen
    text = "manage-\n" + " " * 401 + "ment; manage-\n ment; Long-Term long-\nterm; re-\nact\n"
    same_as_reference(doc(text))
    k = text.index("Long")
    same_as_reference(doc(text, [Span(k, k + 2, "furniture")]))
    same_as_reference(doc(text, [Span(k, k, "furniture")]))


_PIECES = [
    "a", "b", "Z", "DES", "IGN", "long", "term", "longterm", "LONG", "TERM", "ment", "manage",
    "0", "9", "²", "٣", "_", "-", "-", "\u2010", "\n", "\n", " ", "  ", "\t", "\r\n", "\u2028",
    ".", ",", "((", "))", "İ", "ß", "ﬁ", "é", "Ω", "Ｆ", "\U0001d400", "\U00010400", "\ud800",
    "\x00", "’", "§",
]  # fmt: skip
_AWKWARD_PIECES = ["\u00ad", "\u00ad\u00ad", "e\u0301", "\u0301", "\u036f"]


def _spans(text_len, raw):
    kinds = ("furniture", "line-number", "deleted")
    return [Span(a, a + w, kinds[k]) for a, w, k in raw if a <= text_len + 3]


_raw_spans = st.lists(
    st.tuples(st.integers(-2, 90), st.integers(-3, 15), st.integers(0, 2)), max_size=6
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=50).map("".join), _raw_spans, st.booleans())
def test_property_fast_path_equals_reference(text, raw, keep):
    # SYNTHETIC adversarial strings; skip spans may overlap, be empty or reversed, come
    # unsorted, or run past the end of the text
    skip = _spans(len(text), raw)
    same_as_reference(doc(text, skip), keep, fast=fast_applies(text, skip))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES + _AWKWARD_PIECES), max_size=50).map("".join),
    _raw_spans,
    st.booleans(),
)
def test_property_tokenize_equals_reference_with_soft_hyphens_and_marks(text, raw, keep):
    skip = _spans(len(text), raw)
    same_as_reference(doc(text, skip), keep, fast=fast_applies(text, skip))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), _raw_spans)
def test_property_any_unicode(text, raw):
    skip = _spans(len(text), raw)
    same_as_reference(doc(text, skip), fast=fast_applies(text, skip))


_VOCAB = [
    "long", "term", "longterm", "LONG", "TERM", "LONGTERM", "Long", "ﬁle", "fi", "le", "FI",
    "a", "b", "c", "ab", "bc", "DES", "IGN", "I", "manage", "ment", "9", "İ", "x_y",
    "long-term", "long-\nterm", "fi-le", "fi-\nle", "a-b-c", "b-\nc",
]  # fmt: skip
_SEPS = [
    " ", " ", "-", "-", "-\n", "-\n", "- \n  ", "\u2010\n", "\u2010", "\n", ". ", "-\n\n", "\n-",
]  # fmt: skip


@st.composite
def _bill_like(draw):
    """SYNTHETIC line-broken text over a small vocabulary, so that inline compounds, their
    closed-up forms and hyphenated line ends meet in one text; skip spans may overlap, be
    empty, unsorted or run past the end."""
    vocab = draw(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=5, unique=True))
    seps = draw(st.lists(st.sampled_from(_SEPS), min_size=1, max_size=3, unique=True))
    parts = []
    for _ in range(draw(st.integers(1, 30))):
        parts.append(draw(st.sampled_from(vocab)))
        parts.append(draw(st.sampled_from(seps)))
    text = "".join(parts)
    raw = draw(
        st.lists(
            st.tuples(st.integers(0, len(text) + 2), st.integers(0, 6), st.integers(0, 2)),
            max_size=6,
        )
    )
    return text, _spans(len(text), raw)


@settings(max_examples=1500, deadline=None)
@given(_bill_like(), st.booleans())
def test_property_fast_path_equals_reference_on_hyphenated_lines(case, keep):
    text, skip = case
    same_as_reference(doc(text, skip), keep, fast=fast_applies(text, skip))


def test_hyphen_join_corner_cases():
    # SYNTHETIC texts, each aimed at one step of the join logic
    cases = [
        "x-y-z and y-\nz",  # findall takes x-y, not y-z: "yz" is no compound
        "the manage-\nment-\nal one",  # two joins in a row
        "Longterm and long-term and long-\nterm",  # "long-term" is also written closed up
        "ﬁle and fi-le and fi-\nle",  # ... here as a ligature
        "FILE and fi-le and fi-\nle",  # ... in capitals
        "DES-\nI-\nGN and A-\nB",  # capitals after capitals; a one-letter piece
        "a \u2010\nb and c\u2010\n d",  # the other hyphen
    ]
    for text in cases:
        assert same_as_reference(doc(text)) != _tokenize_reference(doc(text.replace("\n", " ")))
    # skip spans out of order: the gap is "-" + (skipped) + " ", read as "-\n "
    text = "the manage-XX ment is made"
    k = text.index("XX")
    skip = (Span(k, k + 2, "furniture"), Span(0, 1, "furniture"), Span(k + 10, k + 12, "furniture"))
    assert "management" in same_as_reference(doc(text, skip)).words


# --- word hashes of the tokens (billdiff.index.sketch.word_hashes) ---------------------------


def _blake(w):
    return int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")


def test_word_hashes_equal_the_definition_on_corpus_words(corpus_docs):
    for _, d in corpus_docs[::5]:
        words = tokenize(d).words
        for _ in range(2):  # cold, then warm cache
            got = word_hashes(words)
            assert got.dtype == np.uint64 and len(got) == len(words)
            assert got.tolist() == [_blake(w) for w in words]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=["Cs"]), max_size=8), max_size=30))
def test_property_word_hashes_equal_the_definition(words):
    assert word_hashes(words).tolist() == [_blake(w) for w in words]


def test_word_cache_stays_bounded(monkeypatch):
    monkeypatch.setattr(_WORD_CACHE, "limit", len(_WORD_CACHE) + 3)
    words = [f"synthetic{i}" for i in range(10)]
    assert word_hashes(words).tolist() == [_blake(w) for w in words]
    assert len(_WORD_CACHE) == _WORD_CACHE.limit
    assert word_hashes(words).tolist() == [_blake(w) for w in words]
