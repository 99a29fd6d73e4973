"""The issue's "done" check on real inputs: index the 27 federal bills and the ~51,700
Washington statute sections of ../shared/corpus (JSON Lines), then search with one version of
a bill (its PDF, which the index does not hold) and find its other versions first, with
passages. Also: a statute section a bill amends is found from the bill."""

from __future__ import annotations

import re

import pytest

from billdiff.index import Index

pytestmark = pytest.mark.slow  # indexes 51,700 statute sections (about 1 minute)

VERSIONED = ["us-116-hr2002", "us-117-hr2008"]  # the federal bills with several versions


@pytest.fixture(scope="module")
def real_index(corpus, tmp_path_factory):
    db = tmp_path_factory.mktemp("real") / "index.sqlite"
    with Index(db) as ix:
        res = ix.add(
            [
                str(corpus / "us-congress"),
                str(corpus / "background" / "rcw-sections.jsonl.gz"),
                str(corpus / "background" / "wac-sections.jsonl.gz"),
            ]
        )
    assert not res.failed, res.failed[:3]
    return db, res


def test_everything_went_in(real_index, corpus):
    db, res = real_index
    with Index(db, create=False) as ix:
        st = ix.stats()
    federal = len(list((corpus / "us-congress").glob("*.txt")))
    assert federal == 27
    assert st["documents"] == len(res.added) == federal + 26_222 + 25_525
    assert st["runs"] == {"lsh": 1, "df": 1}  # a bulk load ends merged


@pytest.mark.parametrize("bill", VERSIONED)
def test_one_version_finds_the_other_versions_first(real_index, corpus, bill):
    db, _ = real_index
    versions = sorted(p.stem for p in (corpus / "us-congress").glob(f"{bill}-*.txt"))
    assert len(versions) >= 3
    with Index(db, create=False) as ix:
        for v in versions:
            res = ix.search(str(corpus / "us-congress" / f"{v}.pdf"), top=len(versions) + 2)
            ids = [h.doc.meta.id for h in res.hits]
            first = ids[: len(versions)]
            assert sorted(first) == versions, (v, ids)
            assert first[0] == v  # its own text (from the .txt) before the other versions
            for h in res.hits[: len(versions)]:
                assert h.report.passages and h.report.longest >= 50
                assert h.substantive


def test_a_bill_finds_the_statute_section_it_amends(real_index, corpus):
    """wa-2019-hb1002 amends RCW 9A.44.060 ("is amended to read as follows"): the section is
    among its hits, with a long shared passage."""
    db, _ = real_index
    src = corpus / "wa-bills" / "wa-2019-hb1002-introduced.txt"
    if not src.exists():
        pytest.skip(f"{src.name} not in the corpus")
    m = re.search(r"RCW\s+(9A\.44\.060)", src.read_text(encoding="utf-8", errors="replace"))
    assert m, "the bill names the section it amends"
    with Index(db, create=False) as ix:
        res = ix.search(str(src), top=5)
    hit = next((h for h in res.hits if h.doc.meta.id.startswith("RCW 9A.44.060")), None)
    assert hit is not None, [h.doc.meta.id for h in res.hits]
    assert hit.report.longest >= 40
