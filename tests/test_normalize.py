"""normalize.tokenize: words with true offsets; skip spans; hyphenation; Unicode folding.
All texts here are SYNTHETIC."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from billdiff.model import Document, Metadata, Span
from billdiff.normalize import section_labels, tokenize


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
