"""compare() on Washington bills whose relations the corpus README documents: companion bills
with identical bodies, a section reused verbatim in another bill, independently drafted
same-topic bills, unrelated bills."""

from __future__ import annotations

from pathlib import Path

import pytest

from billdiff.pairwise import compare


def wa(corpus: Path, stem: str, ext: str = "txt") -> Path:
    return corpus / "wa-bills" / f"{stem}.{ext}"


@pytest.mark.parametrize("ext", ["txt", "htm"])
def test_companion_bills_share_their_whole_body(corpus, ext):
    # HB 1071 / SB 5064 (2019, attorney-general request): identical bodies, headers differ
    r = compare(
        wa(corpus, "wa-2019-hb1071-introduced", ext), wa(corpus, "wa-2019-sb5064-introduced", ext)
    )
    assert r.coverage_a >= 0.95 and r.coverage_b >= 0.95
    body = max(r.passages, key=lambda p: p.a_words)
    assert body.a_words >= 0.9 * r.a.words and body.identity >= 0.99
    assert not body.is_boilerplate


def test_section_reused_verbatim_in_another_bill(corpus):
    # HB 1002's single section reappears verbatim as SB 5649 sec. 3
    r = compare(wa(corpus, "wa-2019-hb1002-introduced"), wa(corpus, "wa-2019-sb5649-introduced"))
    sub = r.substantive
    assert sub and max(p.identity for p in sub) == 1.0
    assert max(p.a_words for p in sub) >= 60
    assert r.coverage_b < 0.2  # SB 5649 is much longer than the reused section
    assert r.coverage_a > 5 * r.coverage_b


def test_unrelated_bills_share_only_the_enacting_clause(corpus):
    # HB 1002 (sex offenses, RCW 9A.44.060) and HB 1205 (plastic carryout bags)
    r = compare(wa(corpus, "wa-2019-hb1002-introduced"), wa(corpus, "wa-2019-hb1205-introduced"))
    assert r.substantive == ()
    assert all(p.stock_phrase for p in r.passages)


def test_independently_drafted_bills_share_little(corpus):
    # HB 1196 / SB 5139 (permanent daylight saving time), drafted independently
    r = compare(wa(corpus, "wa-2019-hb1196-introduced"), wa(corpus, "wa-2019-sb5139-introduced"))
    assert r.coverage_a < 0.3 and r.coverage_b < 0.3
    assert any(p.is_boilerplate for p in r.passages)
