"""compare() on real bills from ../shared/corpus, and `billdiff compare` through the real
entry point. Expected figures were derived by reading the bills (versions of one bill share
most of their text; unrelated bills share only formulas), not copied from billdiff's output."""

from __future__ import annotations

import json
import re
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

import billdiff
from billdiff.ingest import read
from billdiff.model import Document, Metadata, PairReport
from billdiff.normalize import tokenize
from billdiff.pairwise import compare, compare_docs
from billdiff.report.json_ import SCHEMA, pair_to_dict
from billdiff.settings import Settings

ANSI = re.compile(rb"\x1b\[")


def fr(corpus: Path, stem: str, ext: str = "txt") -> Path:
    return corpus / "facial-recognition" / f"{stem}.{ext}"


def us(corpus: Path, stem: str, ext: str = "txt") -> Path:
    return corpus / "us-congress" / f"{stem}.{ext}"


# ------------------------------------------------------------------------------ library


def test_sb6280_introduced_vs_substitute(corpus):
    """The substitute keeps most of the introduced bill, reworded in places and extended."""
    r = compare(fr(corpus, "wa-2020-sb6280-introduced"), fr(corpus, "wa-2020-sb6280-substitute"))
    assert isinstance(r, PairReport)
    assert len(r.passages) >= 10
    assert r.coverage_a >= 0.9 and r.coverage_b >= 0.8
    assert r.longest >= 500
    assert any(op.tag != "equal" for p in r.passages for op in p.ops)  # edits found inside
    assert any(p.a_section for p in r.passages)  # section labels from the section marks
    with pytest.raises(FrozenInstanceError):
        r.coverage_a = 0.0  # type: ignore[misc]


def test_offsets_point_at_the_words_in_the_original_text(corpus):
    r = compare(fr(corpus, "wa-2020-sb6280-introduced"), fr(corpus, "wa-2020-sb6280-substitute"))
    for p in r.passages:
        for o in p.ops:
            if o.tag != "equal":
                continue
            for k in range(0, o.a_end - o.a_start, 7):
                ia, ib = o.a_start + k, o.b_start + k
                wa = r.a_doc.text[r.a_tokens.starts[ia] : r.a_tokens.ends[ia]]
                wb = r.b_doc.text[r.b_tokens.starts[ib] : r.b_tokens.ends[ib]]
                assert re.sub(r"\W", "", wa).lower() == re.sub(r"\W", "", wb).lower()
        assert r.a_doc.text[p.a_char_start : p.a_char_end].strip()


def test_hr2008_introduced_vs_engrossed(corpus):
    """The engrossed text keeps the introduced section 2 word for word."""
    r = compare(us(corpus, "us-117-hr2008-ih"), us(corpus, "us-117-hr2008-eh"))
    assert r.coverage_b >= 0.9
    assert any(p.identity == 1.0 and p.a_words >= 80 for p in r.passages)


def test_pdf_and_text_of_the_same_version_align_fully(corpus):
    a = us(corpus, "us-116-hr2002-ih", "pdf")
    if not a.exists():
        pytest.skip("no PDF in the corpus")
    r = compare(a, us(corpus, "us-116-hr2002-ih"))
    assert r.coverage_a >= 0.98 and r.coverage_b >= 0.98


def test_unrelated_bills_share_only_stock_phrases(corpus):
    # a Taiwan security bill and a water-pollution bill: the enacting clause at most
    r = compare(us(corpus, "us-116-hr2002-ih"), us(corpus, "us-117-hr2008-ih"))
    assert all(p.is_boilerplate for p in r.passages), [p.stock_phrase for p in r.passages]
    assert r.substantive == ()
    # a US bill and a Washington bill share nothing at all
    r = compare(us(corpus, "us-117-hr2008-ih"), fr(corpus, "wa-2020-sb6280-introduced"))
    assert r.passages == () and r.coverage_a == r.coverage_b == 0.0


def test_compare_docs_reuses_tokens_and_coverage_is_a_union(corpus):
    da = read(str(fr(corpus, "wa-2020-sb6280-engrossed-substitute")))
    db = read(str(fr(corpus, "wa-2020-sb6280-rcw43.386-codified")))
    ta, tb = tokenize(da), tokenize(db)
    r = compare_docs(da, db, ta, tb, settings=Settings(min_words=15))
    assert r.a_tokens is ta and r.settings["min_words"] == 15
    marked = set()
    for p in r.passages:
        marked.update(range(p.a_start, p.a_end))
    assert r.coverage_a == pytest.approx(len(marked) / len(ta))
    assert r.coverage_a >= 0.5  # the codified law is the enacted bill


def test_public_api_compare_accepts_documents():
    # synthetic bill-like text
    body = (
        "Each agency using a facial recognition service shall publish an annual report "
        "describing the number of requests received and granted during the year."
    )
    da = Document(body, Metadata(id="synthetic-a"))
    db = Document("Preamble words here. " + body, Metadata(id="synthetic-b"))
    r = billdiff.compare(da, db)
    assert len(r.passages) == 1 and r.coverage_a == 1.0 and r.coverage_b < 1.0


def test_json_schema(corpus):
    r = compare(fr(corpus, "wa-2020-sb6280-introduced"), fr(corpus, "wa-2020-sb6280-substitute"))
    d = pair_to_dict(r)
    assert d["schema"] == SCHEMA == "billdiff.compare/1"
    assert d["tool"]["version"] == billdiff.__version__
    assert d["settings"]["min_words"] == 12
    for side in ("a", "b"):
        assert len(d[side]["sha256"]) == 64 and d[side]["source"]
        assert d[side]["words"] == getattr(r, side).words
    assert d["summary"]["passages"] == len(d["passages"]) == len(r.passages)
    for p, q in zip(d["passages"], r.passages, strict=True):
        assert p["a"]["words"] == [q.a_start, q.a_end]
        assert p["b"]["chars"] == [q.b_char_start, q.b_char_end]
        assert p["ops"][0][0] == "equal" and p["ops"][0][1] == q.a_start
    json.dumps(d)  # plain data


# ------------------------------------------------------------------------------ CLI


def test_cli_terminal_side_by_side_without_colour(cli, corpus):
    r = cli(
        "compare",
        str(fr(corpus, "wa-2020-sb6280-introduced")),
        str(fr(corpus, "wa-2020-sb6280-substitute")),
        "--width",
        "140",
        env={"NO_COLOR": "1"},
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert not ANSI.search(r.stdout)
    assert "words ·" in out and "found in B" in out and "found in A" in out
    assert re.search(r"^#1 ", out, re.M) and "identical" in out
    # word-level differences readable without colour
    assert re.search(r"\[~[^~]+~\]|\[-[^-]+-\]", out) and re.search(
        r"\{~[^~]+~\}|\{\+[^+]+\+\}", out
    )
    assert max(len(line) for line in out.splitlines()) <= 140
    assert "Sec. " in out  # section labels


def test_cli_narrow_terminal_shows_inline_diff(cli, corpus):
    r = cli(
        "compare",
        str(us(corpus, "us-117-hr2008-ih")),
        str(us(corpus, "us-117-hr2008-eh")),
        "--width",
        "70",
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert not ANSI.search(r.stdout)  # piped: no colour
    assert max(len(line) for line in out.splitlines()) <= 70
    assert re.search(r"^A · words \d", out, re.M) and re.search(r"^B · words \d", out, re.M)


def test_cli_json(cli, corpus):
    r = cli(
        "compare",
        str(us(corpus, "us-116-hr2002-ih")),
        str(us(corpus, "us-116-hr2002-eh")),
        "--json",
        "--min-words",
        "20",
    )
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["schema"] == "billdiff.compare/1" and d["settings"]["min_words"] == 20
    assert all(min(p["a"]["word_count"], p["b"]["word_count"]) >= 20 for p in d["passages"])
    assert d["a"]["coverage"] > 0.9
    again = cli(
        "compare",
        str(us(corpus, "us-116-hr2002-ih")),
        str(us(corpus, "us-116-hr2002-eh")),
        "--json",
        "--min-words",
        "20",
    )
    assert again.stdout == r.stdout  # deterministic: same input, same bytes


def test_cli_nothing_shared(cli, corpus):
    r = cli(
        "compare",
        str(us(corpus, "us-117-hr2008-ih")),
        str(fr(corpus, "wa-2020-sb6280-introduced")),
        "--min-words",
        "15",
    )
    assert r.returncode == 0
    assert "no shared passage of 15 or more words" in r.stdout.decode()


def test_cli_missing_file_is_one_line_exit_2(cli, tmp_path):
    r = cli("compare", str(tmp_path / "nope.txt"), str(tmp_path / "nope2.txt"))
    assert r.returncode == 2
    err = r.stderr.decode().strip()
    assert err.startswith("error: ") and "nope.txt" in err and len(err.splitlines()) == 1


def test_cli_bad_setting_is_one_line_exit_2(cli, corpus):
    r = cli(
        "compare",
        str(us(corpus, "us-117-hr2008-ih")),
        str(us(corpus, "us-117-hr2008-eh")),
        "--min-words",
        "1",
    )
    assert r.returncode == 2 and r.stderr.decode().startswith("error: min_words")


# ------------------------------------------------------------------------------ rendering


def _render(report, width: int) -> str:
    import io

    from rich.console import Console

    from billdiff.report.terminal import print_pair

    con = Console(file=io.StringIO(), width=width, no_color=True, highlight=False)
    print_pair(con, report)
    return con.file.getvalue()


def _synthetic_pair():
    # synthetic bill-like sentences: a changed number, a deleted and an inserted word
    a = (
        "Sec. 1. Each agency using a facial recognition service shall file a report with the "
        "legislative authority within ninety days of the effective date of this act and "
        "annually thereafter, and shall post the report on its public web site."
    )
    b = (
        "Sec. 7. Each agency using a facial recognition service shall file a report with the "
        "legislative authority within thirty days of the effective date of this act and "
        "thereafter, and shall post the report publicly on its public web site."
    )
    return compare(Document(a, Metadata(id="synthetic-a")), Document(b, Metadata(id="synthetic-b")))


def test_rendering_marks_changes_with_text_markers():
    r = _synthetic_pair()
    assert len(r.passages) == 1
    wide = _render(r, 120)
    assert "[~ninety~]" in wide and "{~thirty~}" in wide
    assert "[-annually-]" in wide and "{+publicly+}" in wide
    # "Sec. 1." / "Sec. 7." stay outside: 38 of A's 40 words are in the passage
    assert "synthetic-a" in wide and "95.0% of them found in B" in wide
    narrow = _render(r, 60)
    assert "[-ninety-]{+thirty+}" in narrow.replace("\n  ", " ")
    assert max(len(line) for line in narrow.splitlines()) <= 60
    assert _render(r, 120) == wide  # same input, same output


def test_cli_url_answered_by_mirror_offline(cli, corpus, tmp_path):
    url = "https://www.govinfo.gov/content/pkg/BILLS-117hr2008ih/pdf/BILLS-117hr2008ih.pdf"
    eh = us(corpus, "us-117-hr2008-eh")
    mirror = str(corpus / "us-congress")
    env = {"BILLDIFF_CACHE_DIR": str(tmp_path / "cache")}  # an empty cache
    r = cli("compare", url, str(eh), "--offline", "--mirror", mirror, "--json", env=env)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["a"]["source"] == url and d["b"]["coverage"] >= 0.9
    # offline without a mirror copy: one line, exit 2
    r = cli("compare", url, str(eh), "--offline", "--json", env=env)
    assert r.returncode == 2 and r.stderr.decode().startswith("error: ")
    assert len(r.stderr.decode().strip().splitlines()) == 1
