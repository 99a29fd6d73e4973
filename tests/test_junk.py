"""Scraping junk that is not law: printed line numbers, print-driver lines, page legends and
site menus in plain text (``ingest.text``), and ``stock.junk_kind`` for a passage's text.

Texts marked synthetic are written here; the real ones are read from ../shared/corpus."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from billdiff.ingest import read, read_bytes
from billdiff.ingest.text import _LEGEND, junk_lines, line_numbers, print_junk
from billdiff.normalize import tokenize
from billdiff.stock import junk_kind

# synthetic: a short bill body
BODY = [
    "AN ACT Relating to the retention of records; and amending RCW 1.2.3.",
    "BE IT ENACTED BY THE LEGISLATURE OF THE STATE OF WASHINGTON:",
    "Sec. 1. RCW 1.2.3 and 2019 c 1 s 1 are each amended to read as follows:",
    "(1) Each agency shall keep its records for six years.",
    "(2) The following records are exempt:",
    "1. drafts;",
    "2. notes;",
    "3. copies.",
    "Sec. 2. This act takes effect July 1, 2021.",
]


def words(text: str) -> list[str]:
    return list(tokenize(read_bytes(text.encode(), name="x.txt")).words)


def check_offsets(doc) -> None:
    t = tokenize(doc)
    for s in doc.skip:
        assert 0 <= s.start < s.end <= len(doc.text)
    for a, b in zip(t.starts, t.ends, strict=True):
        assert not any(s.start < b and a < s.end for s in doc.skip), doc.text[a:b]


BILL_WORDS = words("\n".join(BODY) + "\n")


def wrapped(body: list[str], style: str) -> str:
    """synthetic: the body under a site header, with printed line numbers, over a footer"""
    head = [
        "Skip to main content",
        "Home",
        "Bills",
        "Committees",
        "Search | Contact | Donate",
        "Microsoft Word - HB1234.docx",
        "Printed on 3/4/2021 10:12 AM",
        "",
    ]
    lines = []
    for n, ln in enumerate(body, 1):
        lines += [str(n), ln] if style == "own-line" else [f"{n}  {ln}"] if style else [ln]
    foot = ["", "Page 1 of 1", "Back to top", "About", "Privacy Policy", "Accessibility"]
    return "\n".join(head + lines + foot) + "\n"


@pytest.mark.parametrize("style", ["", "own-line", "line-start"])
def test_site_menus_print_lines_and_line_numbers_leave_the_bill_word_for_word(style):
    text = wrapped(BODY, style)
    doc = read_bytes(text.encode(), name="x.txt")
    assert list(tokenize(doc).words) == BILL_WORDS
    check_offsets(doc)
    kinds = {s.kind for s in doc.skip}
    assert "furniture" in kinds
    assert ("line-number" in kinds) == bool(style)


def test_crlf_lines_too():
    text = wrapped(BODY, "line-start").replace("\n", "\r\n")
    doc = read_bytes(text.encode(), name="x.txt")
    assert list(tokenize(doc).words) == BILL_WORDS
    check_offsets(doc)


def test_a_column_of_line_numbers_and_a_row_of_them():
    # synthetic: pdftotext dumps the margin column as its own block, or as one line
    col = "\n".join(str(i) for i in range(1, 25))
    row = " ".join(str(i) for i in range(1, 25))
    for junk in (col, row):
        doc = read_bytes((f"{junk}\n" + "\n".join(BODY) + "\n").encode(), name="x.txt")
        assert list(tokenize(doc).words) == BILL_WORDS
        check_offsets(doc)


def test_numbered_lists_short_runs_and_section_numbers_are_kept():
    # synthetic
    text = (
        "1. The first item;\n2. the second;\n3. the third;\n4. the fourth;\n5. the fifth;\n"
        "6) sixth;\n7) seventh;\n8) eighth;\n9) ninth;\n10) tenth.\n"
        "1 Short run\n2 of numbered\n3 lines only\n4 four long.\n"
        "Section 1. Title.\nSection 2. Scope.\nSection 3. Terms.\nSection 4. Rules.\n"
        "Section 5. Fees.\n"
        "21 | and under | 5.00%\n22 | 5.24%\n23 | 5.50%\n24 | 5.77%\n25 | 6.07%\n"
    )
    assert line_numbers(text) == []
    assert words(text) == re.findall(r"\w+", text.lower())


def test_a_run_restarts_on_each_page():
    # synthetic: two printed pages, numbered 1-6 each
    page = [f"{i}  line {chr(96 + i)} of the page" for i in range(1, 7)]
    text = "\n".join(page + ["Page 1 of 2"] + page) + "\n"
    spans = line_numbers(text)
    assert len(spans) == 12 and all(text[s.start : s.end].isdigit() for s in spans)


def test_print_driver_lines():
    for line in (
        "Microsoft Word - HB1234.docx",
        "Microsoft Word - 2021-HB-0123.doc",
        "Printed on 3/4/2021 10:12 AM",
        "Page 3 of 12",
        "%%[ Page: 1 ]%%",
        "%%[ ProductName: Distiller ]%%",
        "Acrobat Distiller 10.1.16 (Windows)",
        "Job Options: Standard.joboptions",
        "3/4/21, 10:12 AM",
        "https://legislature.example.gov/bills/hb1234 1/5",
    ):
        assert print_junk(line), line
    for line in (
        "Page 3 of the report must be signed.",
        "(c) Printed matter distributed by an agency;",
        "Microsoft Word is a product",
        "Job options for veterans",
        "3 Printed on recycled paper",
    ):
        assert not print_junk(line), line


def test_a_menu_in_the_middle_of_law_or_a_list_ending_the_text_is_kept():
    # synthetic: short capitalised lines inside the law, and a list that ends the text
    text = (
        "The court may impose a disposition under option A, B, or C.\n"
        "OR\nOPTION D\nMANIFEST INJUSTICE\n"
        "If the court determines that a disposition would be unjust, it may impose another.\n"
        "The following industries are included:\nPaper mills or products\n"
        "Photographic film\nPlastic products\nPrinting or publishing\nShoes\n"
    )
    assert junk_lines(text) == []


def test_real_texts_lose_only_page_legends(corpus):
    # every real .txt: no line numbers; the only junk lines are page legends (Maryland's
    # "EXPLANATION: CAPITALS INDICATE MATTER ADDED TO EXISTING LAW.", Colorado's "Capital
    # letters or bold & italic numbers indicate new material …")
    legends = 0
    for path in sorted(corpus.rglob("*.txt")):
        text = read(path).text
        assert line_numbers(text) == [], path
        for s in junk_lines(text):
            assert _LEGEND.match(text, s.start), (path, text[s.start : s.end])
            legends += 1
    assert legends >= 4  # MD SB 192, SB 182, HB 338; CO SB22-113


def test_real_statutes_have_no_junk(corpus):
    # the RCW/WAC background: lists, tables and age columns are law, not menus or line numbers
    n = 0
    for name in ("rcw-sections.jsonl.gz", "wac-sections.jsonl.gz"):
        with gzip.open(corpus / "background" / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                text = json.loads(line).get("text") or ""
                assert junk_lines(text) == [] and line_numbers(text) == [], text[:200]
                n += 1
    assert n > 50_000


# --- junk_kind: the original text of a passage --------------------------------------------
def test_junk_kind_names_line_numbers_and_menus():
    # synthetic
    assert junk_kind(" ".join(str(i) for i in range(1, 25))) == "line-numbers"
    assert junk_kind("\n".join(str(i) for i in range(3, 20))) == "line-numbers"
    menu = "Home\nBills\nSearch | Contact | Donate\nAbout us\nFind a bill\nMy account\n"
    assert junk_kind(menu) == "navigation"
    assert junk_kind("Home | Legislators | Committees | Bills | Session Laws\nSearch\nHelp") == (
        "navigation"
    )


def test_junk_kind_leaves_law_alone():
    # synthetic
    for text in (
        "\n".join(BODY),
        "(1) Each agency shall keep its records\nfor six years, and\n(2) publish them.",
        "Sec. 1. 2. 3. 4. 5. This act takes effect July 1, 2021.",
        "Scientific Name | Common Name\nAmbloplites rupestris | rock bass\n"
        "Coregonus clupeaformis | lake white fish\nEsox lucius | northern pike",
        "OR\nOPTION D\nMANIFEST INJUSTICE\nIf the court determines that a disposition under "
        "option A, B, or C would effectuate a manifest injustice",
    ):
        assert junk_kind(text) == "", text
    assert junk_kind("") == ""


def test_junk_kind_finds_nothing_in_real_bills(corpus):
    # every 12-word window of every real text (the shortest passage the aligner reports)
    for path in sorted(corpus.rglob("*")):
        if path.suffix not in (".txt", ".htm", ".html") or path.name == "README.md":
            continue
        doc = read(path)
        t = tokenize(doc)
        for i in range(0, max(1, len(t.starts) - 12), 4):
            j = min(len(t.starts), i + 12) - 1
            assert junk_kind(doc.text[t.starts[i] : t.ends[j]]) == "", (path, i)
