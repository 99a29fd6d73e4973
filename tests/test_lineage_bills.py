"""Reading bill identity and version order from loosely written metadata."""

from __future__ import annotations

import pytest

from billdiff.lineage_graph.bills import (
    CODIFIED,
    COMMITTEE,
    ENGROSSED,
    INTRODUCED,
    PASSED,
    SECOND_CHAMBER,
    SESSION_LAW,
    bill_info,
)
from billdiff.model import Metadata


def info(**kw):
    return bill_info(Metadata(**kw))


@pytest.mark.parametrize(
    "bill,version,chamber,number,rank",
    [
        (
            "SB 6280",
            "introduced (original bill, drafting number S-5171.2)",
            "SB",
            "6280",
            INTRODUCED,
        ),
        ("SSB 6280", "substitute bill (drafting number S-5562.4)", "SB", "6280", COMMITTEE),
        ("2SHB 1654", "second substitute (House Appropriations)", "HB", "1654", COMMITTEE + 1),
        ("ESSB 6280", "engrossed substitute bill", "SB", "6280", ENGROSSED + COMMITTEE),
        ("E2SHB 2311", "engrossed second substitute", "HB", "2311", ENGROSSED + COMMITTEE + 1),
        ("SB 6280 (enacted as ESSB 6280)", "codified statute", "SB", "6280", CODIFIED),
        ("H.R. 2002", "ih (introduced-in-house)", "HR", "2002", INTRODUCED),
        ("H.R. 2002", "rfs (referred-in-senate)", "HR", "2002", SECOND_CHAMBER),
        ("H.R. 2002", "eh (engrossed-in-house)", "HR", "2002", ENGROSSED),
        ("H.R. 2002", "enr", "HR", "2002", PASSED),
        ("AB 2261", "Amended in Assembly", "AB", "2261", COMMITTEE),
        ("AB 2261", "Chaptered", "AB", "2261", SESSION_LAW),
        ("HB0338", "first reader", "HB", "338", INTRODUCED),
        ("SB22-113", "introduced", "SB", "22-113", INTRODUCED),
        ("RCW 43.386", "codified", "RCW", "43.386", CODIFIED),
    ],
)
def test_bill_and_version(bill, version, chamber, number, rank):
    b = info(
        state="WA", session="2020 regular session (66th Legislature)", bill=bill, version=version
    )
    assert (b.chamber, b.number, b.rank) == (chamber, number, rank)


def test_versions_of_one_bill_share_a_key_across_the_biennium():
    a = info(
        state="WA",
        session="2019 regular session (66th Legislature), biennium 2019-20",
        bill="SB 5376",
    )
    b = info(state="WA", session="2020 regular session (66th Legislature)", bill="2SSB 5376")
    c = info(state="WA", session="2021-22 (67th Legislature), 2021 regular session", bill="SB 5376")
    assert a.key == b.key != c.key
    assert (a.year, c.year) == (2019, 2021)


def test_unknown_bill_has_no_key_and_houses_are_read():
    assert info(title="A model act").key is None
    assert info(state="US (federal)", session="116th Congress", bill="H.R. 1").state == "US"
    assert info(bill="HB 1").house == "H" and info(bill="SB 1").house == "S"
    assert info(bill="AB 1").house == "H"
    assert info(date="2020-01-14 (first reading)").date.isoformat() == "2020-01-14"


def test_partial_dates_are_spans_and_order_only_when_apart():
    from datetime import date

    from billdiff.lineage_graph.bills import DRAFT, before

    year = info(state="MT", bill="SB 397", version="enrolled", date="2023")
    month = info(state="CA", bill="AB 2261", version="introduced", date="2020-02")
    day = info(state="WA", bill="SB 6280", version="introduced", date="2020-01-14")
    assert year.date is None and year.when == "2023" and year.year == 2023
    assert year.span == (date(2023, 1, 1), date(2023, 12, 31))
    assert month.span == (date(2020, 2, 1), date(2020, 2, 29)) and month.when == "2020-02"
    assert before(day, year) is True and before(year, day) is False
    assert before(day, month) is True  # 2020-01-14 is before any day of February 2020
    assert before(day, month, gap_days=30) is None  # … but not by more than 30 days
    same_year = info(state="CA", bill="AB 2261", version="amended", date="2020")
    assert before(day, same_year) is None  # the order cannot be told
    # only the session known: its years; a two-year session spans both
    sess = info(state="CA", bill="AB 2261", session="2019-2020 regular session")
    assert sess.span == (date(2019, 1, 1), date(2020, 12, 31)) and before(day, sess) is None
    assert info(bill="SB 397", version="draft LC0067").rank == DRAFT < INTRODUCED
    assert info(bill="SB 1", version="opening only (partial)").partial
    assert not info(bill="SB 1", version="introduced").partial
