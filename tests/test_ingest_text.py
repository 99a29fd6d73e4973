"""Plain-text reading: encodings, GPO banner furniture, amendment markup, metadata, stdin.

Texts written here are SYNTHETIC; real ones are read from ../shared/corpus."""

from __future__ import annotations

import hashlib
import io
import json
import sys

import pytest

from billdiff.errors import InputError
from billdiff.ingest import read
from billdiff.normalize import tokenize

SYNTHETIC = "SYNTHETIC: The “Peña” café’s fee — ﬁfty dollars.\n"
EXPECTED = ("synthetic", "the", "peña", "café", "s", "fee", "fifty", "dollars")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"])
def test_encodings_give_the_same_words(tmp_path, encoding):
    text = SYNTHETIC if encoding != "cp1252" else SYNTHETIC.replace("ﬁ", "fi")
    p = tmp_path / "bill.txt"
    p.write_bytes(text.encode(encoding))
    doc = read(p)
    assert doc.text == text  # verbatim after decoding (the BOM is not text)
    assert tokenize(doc).words == EXPECTED


def test_latin1_text(tmp_path):
    p = tmp_path / "bill.txt"
    p.write_bytes("SYNTHETIC: Peña café, 50 ¢ fee.".encode("latin-1"))
    assert tokenize(read(p)).words == ("synthetic", "peña", "café", "50", "fee")


def test_text_is_verbatim_and_offsets_true(tmp_path):
    raw = "SYNTHETIC\r\n  Sec. 1.  Man\u00adage\u00adment of\u00a0the ﬁnal  rule.\r\n"
    p = tmp_path / "bill.txt"
    p.write_bytes(raw.encode("utf-8"))
    doc = read(p)
    assert doc.text == raw
    toks = tokenize(doc)
    assert toks.words == ("synthetic", "sec", "1", "management", "of", "the", "final", "rule")
    i = toks.words.index("management")
    assert doc.text[toks.starts[i] : toks.ends[i]] == "Man\u00adage\u00adment"
    assert [m.label for m in doc.marks if m.kind == "section"] == ["Sec. 1"]


def test_undecodable_text_is_an_input_error(tmp_path):
    import random

    rnd = random.Random(7)
    p = tmp_path / "garbled.txt"
    p.write_bytes(bytes(rnd.randrange(0x80, 0x100) for _ in range(3000)))
    with pytest.raises(InputError, match="not in a known encoding"):
        read(p)


def test_gpo_banner_is_furniture(corpus):
    doc = read(corpus / "us-congress" / "us-117-hr2008-eh.txt")
    furn = [doc.text[s.start : s.end].strip() for s in doc.skip if s.kind == "furniture"]
    assert furn[:4] == [
        "[Congressional Bills 117th Congress]",
        "[From the U.S. Government Publishing Office]",
        "[H.R. 2008 Engrossed in House (IH)]".replace("(IH)", "(EH)"),
        "<DOC>",
    ]
    assert any(set(f) == {"_"} for f in furn)  # rule lines
    words = tokenize(doc).words
    assert words[:4] == ("117th", "congress", "1st", "session")
    assert "gpo" not in words and "publishing" not in words
    # [Report No. …] style brackets in the bill itself are not taken as deleted matter
    assert not any(s.kind == "deleted" for s in doc.skip)


def test_wa_double_parentheses_are_deleted(corpus):
    doc = read(corpus / "facial-recognition" / "wa-2021-sb5104-introduced.txt")
    deleted = [doc.text[s.start : s.end] for s in doc.skip if s.kind == "deleted"]
    assert deleted == ["((2021))"]
    assert doc.meta.state == "WA" and doc.meta.bill == "SB 5104"


def test_wa_heavy_markup_words_removed(corpus):
    """HB 1009 relabels subsections: struck '(a)' and the like must leave the words."""
    doc = read(corpus / "wa-bills" / "wa-2019-hb1009-introduced.txt")
    enacted, both = tokenize(doc), tokenize(doc, keep_deleted=True)
    n_deleted = len(both) - len(enacted)
    assert n_deleted > 100
    for s in doc.skip:
        if s.kind == "deleted":
            assert doc.text[s.start : s.start + 2] == "((" and doc.text[s.end - 2 : s.end] == "))"


MD_SYNTHETIC = (
    "SYNTHETIC MARYLAND BILL\nArticle – Testing\n"
    "The fee shall be [twenty] THIRTY dollars [per year].\n"
)


def test_maryland_brackets_only_when_maryland(tmp_path):
    p = tmp_path / "md.txt"
    p.write_text(MD_SYNTHETIC, encoding="utf-8")
    plain = tokenize(read(p)).words
    assert "twenty" in plain and "year" in plain  # brackets are common elsewhere
    md = read(p, meta={"state": "MD"})
    assert "twenty" not in tokenize(md).words and "year" not in tokenize(md).words
    assert "twenty" in tokenize(md, keep_deleted=True).words
    inserted = [md.text[m.start : m.end] for m in md.marks if m.kind == "inserted"]
    assert "SYNTHETIC MARYLAND BILL" in inserted and "THIRTY" not in inserted  # runs only
    flagged = read(p, brackets=True)
    assert tokenize(flagged).words == tokenize(md).words
    (tmp_path / "md.json").write_text(json.dumps({"state": "MD"}))
    assert tokenize(read(p)).words == tokenize(md).words  # sidecar says MD


def test_sidecar_metadata_and_overrides(corpus):
    path = corpus / "wa-bills" / "wa-2019-hb1003-introduced.txt"
    doc = read(path)
    m = doc.meta
    assert m.id == "wa-2019-hb1003-introduced"
    assert (m.state, m.bill, m.version, m.date) == ("WA", "HB 1003", "introduced", "2018-12-04")
    assert m.title.startswith("AN ACT Relating to the siting of marijuana")
    assert m.sponsors == ("Representatives Klippert and Van Werven",)
    assert m.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert m.format == "txt" and m.source == str(path)
    extra = dict(m.extra)
    assert "version_full" in extra and "notes" in extra
    over = read(path, meta={"id": "hb1003", "date": "2019-01-14", "title": "T", "topic": "x"})
    assert (over.meta.id, over.meta.date, over.meta.title) == ("hb1003", "2019-01-14", "T")
    assert dict(over.meta.extra)["topic"] == "x"


def test_no_sidecar_gives_stem_id(tmp_path):
    p = tmp_path / "some.bill.v2.txt"
    p.write_text("SYNTHETIC text of a bill.\n")
    m = read(p).meta
    assert m.id == "some.bill.v2" and m.state == "" and m.format == "txt"


def test_stdin_sniffs_format(monkeypatch, corpus):
    def feed(data: bytes):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    feed(b"SYNTHETIC plain text bill.\n")
    d = read("-")
    assert d.meta.format == "txt" and d.meta.id == "stdin" and d.meta.source == "<stdin>"
    feed(b"<!DOCTYPE html><html><body><p>SYNTHETIC <s>old</s> new</p></body></html>")
    d = read("-")
    assert d.meta.format == "html" and tokenize(d).words == ("synthetic", "new")
    feed((corpus / "us-congress" / "us-117-hr2008-ih.pdf").read_bytes())
    d = read("-")
    assert d.meta.format == "pdf" and "reauthorize" in tokenize(d).words


def test_fmt_forces_a_reader(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text("<p>SYNTHETIC <del>old</del> new</p>")
    assert "del" in tokenize(read(p)).words
    assert tokenize(read(p, fmt="html")).words == ("synthetic", "new")
    with pytest.raises(InputError, match="unknown format"):
        read(p, fmt="docx")


def test_stdin_through_the_cli(cli, corpus):
    pdf = corpus / "us-congress" / "us-117-hr2008-ih.pdf"
    res = cli(
        "compare",
        "--json",
        "-",
        str(corpus / "us-congress" / "us-117-hr2008-ih.txt"),
        input=pdf.read_bytes(),
    )
    assert res.returncode == 0, res.stderr.decode()
    out = json.loads(res.stdout)
    assert "stdin" in json.dumps(out)


def test_reading_is_deterministic(corpus):
    for p in (
        "us-congress/us-117-hr2008-rh.pdf",
        "facial-recognition/wa-2021-sb5104-introduced.htm",
        "wa-bills/wa-2019-hb1009-introduced.txt",
    ):
        assert read(corpus / p) == read(corpus / p)


def test_broken_sidecar_is_named(tmp_path):
    p = tmp_path / "bill.txt"
    p.write_text("SYNTHETIC bill text.\n")
    (tmp_path / "bill.json").write_text("{not json")
    with pytest.raises(InputError, match="sidecar") as e:
        read(p)
    assert "bill.json" in str(e.value)
