"""Textual markup rules and span bookkeeping (SYNTHETIC texts)."""

from __future__ import annotations

from billdiff.ingest import markup, read_bytes
from billdiff.model import Span
from billdiff.normalize import tokenize


def test_clean_spans_sorted_non_overlapping_with_priority():
    spans = [
        Span(10, 30, "deleted"),
        Span(0, 5, "line-number"),
        Span(20, 40, "furniture"),
        Span(3, 12, "deleted"),
        Span(50, 50, "deleted"),
    ]
    out = markup.clean_spans(spans, 45)
    assert out == (Span(0, 5, "line-number"), Span(5, 20, "deleted"), Span(20, 40, "furniture"))
    for a, b in zip(out, out[1:], strict=False):
        assert a.end <= b.start


def test_double_parentheses_across_lines_and_furniture():
    text = "The fee is ((ten\ndollars)) twenty dollars. A ((b)) c.\n"
    spans = markup.wa_deleted(text)
    assert [text[s.start : s.end] for s in spans] == ["((ten\ndollars))", "((b))"]


def test_section_heading_forms():
    text = (
        "SECTION 1. SHORT TITLE.\n"
        "  SEC. 102A. DEFINITIONS.\n"
        "NEW SECTION.  Sec. 3.  A new section is added.\n"
        "12 SEC. 4. WITH A LINE NUMBER.\n"
        "    ``SEC. 2359c. QUOTED, NOT A HEADING.\n"
        "See section 5. of the act.\n"
        "RCW 43.386.020\n"
    )
    labels = [s.label for s in markup.sections(text)]
    assert labels == ["SEC. 1", "SEC. 102A", "Sec. 3", "SEC. 4", "RCW 43.386.020"]


def test_section_inside_deleted_matter_is_not_a_heading():
    text = "((Sec. 9. Old heading.))\nSec. 10. New heading.\n"
    skip = markup.clean_spans(markup.wa_deleted(text))
    assert [s.label for s in markup.sections(text, skip)] == ["Sec. 10"]


def test_read_bytes_applies_markup_and_keeps_text():
    data = b"SYNTHETIC\nSec. 1. The fee is ((ten)) twenty dollars.\n"
    doc = read_bytes(data, name="x.txt", ident="x")
    assert doc.text == data.decode()
    assert tokenize(doc).words == ("synthetic", "sec", "1", "the", "fee", "is", "twenty", "dollars")
    assert [m.label for m in doc.marks] == ["Sec. 1"]
