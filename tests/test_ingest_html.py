"""HTML reading: official RCW pages, Washington bill HTML with strike/underline markup, and
SYNTHETIC pages written here."""

from __future__ import annotations

import gzip
import json

import pytest

from billdiff.ingest import read
from billdiff.normalize import tokenize


def _rcw_record(corpus, cite: str) -> dict:
    with gzip.open(corpus / "background" / "rcw-sections.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            if f'"RCW {cite}"' in line[:60]:
                rec = json.loads(line)
                if rec["id"] == f"RCW {cite}":
                    return rec
    raise AssertionError(f"RCW {cite} not in the background file")


def test_rcw_pages_all_read(corpus):
    pages = sorted((corpus / "html-samples").glob("*.html"))
    assert len(pages) == 15
    for p in pages:
        doc = read(p)
        assert doc.meta.format == "html"
        # no charset is declared: read as UTF-8, so no mojibake of the em dash etc.
        assert "â€" not in doc.text and "\ufffd" not in doc.text, p.name
        # navigation, buttons, scripts and styles are gone (only div#contentWrapper is read)
        for junk in ("function(", "{display", "Skip to", "Search", "var "):
            assert junk not in doc.text, (p.name, junk)
        assert not doc.text.startswith("PDF"), p.name


def test_rcw_change_banner_is_furniture(corpus):
    doc = read(corpus / "html-samples" / "rcw-section_41-04-281.html")
    furn = [doc.text[s.start : s.end] for s in doc.skip if s.kind == "furniture"]
    assert furn and all(f.startswith("*** CHANGE IN 2025 ***") for f in furn)
    assert "change" not in tokenize(doc).words


def test_rcw_section_page_text_matches_scraped_record(corpus):
    """The background record of RCW 43.386.020 was scraped from the same page: its body
    words must all be in our rendering, in order."""
    doc = read(corpus / "html-samples" / "rcw-section_43-386-020.html")
    rec = _rcw_record(corpus, "43.386.020")
    body = tokenize(type(doc)(rec["text"], doc.meta)).words
    ours = tokenize(doc).words
    from rapidfuzz.distance import Indel

    # every body word is found in order: the LCS covers all of the record's words
    lcs = (len(body) + len(ours) - Indel.distance(list(body), list(ours))) // 2
    assert lcs == len(body)
    assert "Notice of intent—Accountability report." in doc.text.splitlines()
    assert [m.label for m in doc.marks if m.kind == "section"] == ["RCW 43.386.020"]


def _bills(corpus):
    return sorted(corpus.glob("facial-recognition/*.htm")) + sorted(corpus.glob("wa-bills/*.htm"))


def test_wa_bill_html_reads_like_its_txt_rendition(corpus):
    """The corpus .txt of each WA bill was rendered from the .htm by the rule in the corpus
    README; with deleted matter kept, our words must equal the .txt's words exactly."""
    bills = _bills(corpus)
    assert len(bills) == 4 + 46
    for htm in bills:
        h = read(htm)
        t = read(htm.with_suffix(".txt"))
        assert tokenize(h, keep_deleted=True).words == tokenize(t, keep_deleted=True).words, (
            htm.name
        )


def test_struck_html_matches_sidecar_flags(corpus):
    """Bills whose sidecar counts line-through spans have deleted matter; bills with none
    have none."""
    for htm in sorted(corpus.glob("wa-bills/*.htm")):
        side = json.loads(htm.with_suffix(".json").read_text())
        spans = side["strike_underline_markup"]["line_through_spans"]
        doc = read(htm)
        has_deleted = any(s.kind == "deleted" for s in doc.skip)
        assert has_deleted == (spans > 0), htm.name


def test_sb5104_section_8_struck_2021_inserted_2026(corpus):
    doc = read(corpus / "facial-recognition" / "wa-2021-sb5104-introduced.htm")
    i = doc.text.index("take effect July 1, ((2021))2026.")
    j = doc.text.index("\n", i)
    struck = [s for s in doc.skip if s.kind == "deleted" and i <= s.start < j]
    assert [doc.text[s.start : s.end] for s in struck] == ["((2021))"]
    ins = [m for m in doc.marks if m.kind == "inserted" and i <= m.start < j]
    assert [doc.text[m.start : m.end] for m in ins] == ["2026"]
    enacted = " ".join(tokenize(doc).words)
    assert "take effect july 1 2026" in enacted
    assert "take effect july 1 2021 2026" in " ".join(tokenize(doc, keep_deleted=True).words)
    # the .txt keeps the (( )) delimiters: the same reading comes out of it
    txt = read(corpus / "facial-recognition" / "wa-2021-sb5104-introduced.txt")
    assert "take effect july 1 2026" in " ".join(tokenize(txt).words)
    labels = [m.label for m in doc.marks if m.kind == "section"]
    assert labels[:3] == ["Sec. 1", "Sec. 2", "Sec. 3"] and "Sec. 8" in labels


SYNTHETIC_PAGE = """<!DOCTYPE html><html><head><title>SYNTHETIC</title>
<style>.x {display:none}</style><script>var tracker = 1;</script></head>
<body><nav><a href="/">Home</a> | <a href="/bills">Bills</a></nav>
<form><input name="q"><button>Search</button></form>
<h1>SYNTHETIC ACT 12</h1>
<p>Sec. 1. The fee is <strike>twenty</strike> <u>thirty</u> dollars.</p>
<p>Sec. 2. Permits <s>may</s> <ins>shall</ins> be <del>denied</del> granted.</p>
<p>Applicants <span style="text-decoration: line-through">never</span> apply
<span style="text-decoration:underline">online</span>.</p>
<div hidden>hidden text</div><p class="x" style="display:none">invisible text</p>
<table><tr><td>Cell one</td><td></td><td>Cell two</td></tr></table>
<p>Caf&eacute; &amp; bar&nbsp;rules</p>
</body></html>"""


def test_synthetic_html_strike_tags_and_chrome(tmp_path):
    p = tmp_path / "synthetic.html"
    p.write_text(SYNTHETIC_PAGE, encoding="utf-8")
    doc = read(p)
    lines = doc.text.splitlines()
    assert lines[0] == "SYNTHETIC ACT 12"
    assert "Cell one | Cell two" in lines
    for junk in ("Home", "tracker", "Search", "hidden text", "invisible text", "display"):
        assert junk not in doc.text
    deleted = [doc.text[s.start : s.end] for s in doc.skip if s.kind == "deleted"]
    inserted = [doc.text[m.start : m.end] for m in doc.marks if m.kind == "inserted"]
    assert deleted == ["twenty", "may", "denied", "never"]
    assert inserted == ["thirty", "shall", "online"]
    words = " ".join(tokenize(doc).words)
    assert "the fee is thirty dollars" in words
    assert "permits shall be granted" in words
    assert "applicants apply online" in words
    assert "café bar rules" in words
    assert [m.label for m in doc.marks if m.kind == "section"] == ["Sec. 1", "Sec. 2"]


@pytest.mark.parametrize(
    "charset,encoding", [(None, "utf-8"), ("windows-1252", "cp1252"), ("iso-8859-1", "latin-1")]
)
def test_html_charsets(tmp_path, charset, encoding):
    meta = f'<meta charset="{charset}">' if charset else ""
    page = f"<html><head>{meta}</head><body><p>SYNTHETIC: Peña’s café — ok</p></body></html>"
    if encoding == "latin-1":
        page = page.replace("’", "'").replace("—", "-")
    p = tmp_path / "page.htm"
    p.write_bytes(page.encode(encoding))
    doc = read(p)
    assert "Peña" in doc.text and "café" in doc.text


def test_gpo_html_rendition_reads_like_the_text(corpus, tmp_path):
    """GPO's .htm is the plain text inside <html><body><pre>; the corpus .txt is that with
    the wrapper removed. Re-wrapping it must give the same words and the same banner
    furniture (line breaks inside <pre> are kept)."""
    import html

    for stem in ("us-117-hr2008-rh", "us-116-hr2005-ih"):
        txt_path = corpus / "us-congress" / f"{stem}.txt"
        text = txt_path.read_text(encoding="utf-8")
        page = tmp_path / f"{stem}.htm"
        page.write_text(
            "<html><body><pre>" + html.escape(text, quote=False) + "</pre></body></html>",
            encoding="utf-8",
        )
        h, t = read(page), read(txt_path)
        assert h.text.strip() == t.text.strip()
        assert tokenize(h).words == tokenize(t).words
        assert sum(s.kind == "furniture" for s in h.skip) == sum(
            s.kind == "furniture" for s in t.skip
        )


def test_synthetic_site_chrome_is_dropped(tmp_path):
    # SYNTHETIC page: header with a menu, skip link, breadcrumbs, cookie banner, a print
    # button hidden from print, the bill in <main>, an aside kept, the site's footer
    page = """<html><body>
    <a href="#content" class="visually-hidden-focusable">Skip to main content</a>
    <a href="#content">Skip to content</a>
    <header><div class="logo">State Legislature</div><ul><li><a href="/">Home</a></li>
      <li><a href="/bills">Bills</a></li><li><a href="/search">Search</a></li></ul></header>
    <div id="cookieConsentBanner">We use cookies. <a href="#">Accept</a></div>
    <ol class="breadCrumbList"><li>Home</li><li>Bills</li><li>HB 1234</li></ol>
    <div role="menubar"><span>File</span><span>Edit</span></div>
    <main id="content">
      <div class="hidden-print"><a href="#">Print</a></div>
      <header><h1>HOUSE BILL 1234</h1></header>
      <p>AN ACT Relating to records.</p>
      <section><p>Sec. 1. Each agency shall keep its records.</p></section>
    </main>
    <footer><a href="/a">About</a> | <a href="/p">Privacy</a> | <a href="/c">Contact</a></footer>
    </body></html>"""
    p = tmp_path / "page.html"
    p.write_text(page)
    doc = read(p)
    assert list(tokenize(doc).words) == [
        *"house bill 1234 an act relating to records".split(),
        *"sec 1 each agency shall keep its records".split(),
    ]


def test_a_page_header_without_a_menu_is_kept(tmp_path):
    # SYNTHETIC: no <main>; the page-level header holds the bill's title, not a menu
    page = """<html><body><header><h1>SENATE BILL 5</h1></header>
    <p>AN ACT Relating to parks.</p><footer>Passed by the Senate March 1, 2021.</footer>
    </body></html>"""
    p = tmp_path / "page.html"
    p.write_text(page)
    assert " ".join(tokenize(read(p)).words) == (
        "senate bill 5 an act relating to parks passed by the senate march 1 2021"
    )


def test_rcw_pages_without_the_wa_rule_read_down_to_the_law(corpus, tmp_path):
    # the RCW pages' div#contentWrapper rule switched off: the generic rules (<main>, nav,
    # breadcrumbs, hidden-print, the site footer) leave the same law text plus at most the
    # chapter pager line
    for src in sorted((corpus / "html-samples").glob("rcw-section_*.html"))[:6]:
        law = tokenize(read(src)).words
        p = tmp_path / src.name
        p.write_bytes(src.read_bytes().replace(b"contentWrapper", b"cw"))
        generic = tokenize(read(p)).words
        assert generic[-len(law) :] == law, src.name
        assert len(generic) - len(law) <= 12, generic[: len(generic) - len(law)]
