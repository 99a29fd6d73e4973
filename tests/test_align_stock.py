"""Stock legislative phrases. The phrases are the generic formulas every bill uses (quoted
from no particular bill); the substantive sentence is synthetic."""

from __future__ import annotations

import re

import pytest

from billdiff.stock import stock_phrase


def w(s: str) -> list[str]:
    return re.findall(r"\w+", s.lower())


@pytest.mark.parametrize(
    "text,name",
    [
        (
            "Be it enacted by the Senate and House of Representatives of the United States of "
            "America in Congress assembled,",
            "enacting-clause",
        ),
        (
            "BE IT ENACTED BY THE LEGISLATURE OF THE STATE OF WASHINGTON: NEW SECTION. Sec. 1.",
            "enacting-clause",
        ),
        (
            "NEW SECTION. Sec. 14. If any provision of this act or its application to any person or "
            "circumstance is held invalid, the remainder of the act or the application of the "
            "provision to other persons or circumstances is not affected.",
            "severability",
        ),
        (
            "Sec. 8. RCW 43.386.901 and 2020 c 257 s 14 are each amended to read as follows:",
            "amended-to-read",
        ),
        (
            "NEW SECTION. Sec. 3. A new section is added to chapter 43.386 RCW to read as follows:",
            "new-section-added",
        ),
        ("NEW SECTION. Sec. 12. This act takes effect July 1, 2021.", "effective-date"),
        (
            "This act is necessary for the immediate preservation of the public peace, health, or "
            "safety, or support of the state government and its existing public institutions, and "
            "takes effect immediately.",
            "emergency-clause",
        ),
        (
            "If specific funding for the purposes of this act, referencing this act by bill or "
            "chapter number, is not provided by June 30, 2020, in the omnibus appropriations act, "
            "this act is null and void.",
            "null-and-void",
        ),
    ],
)
def test_stock_formulas_are_named(text, name):
    assert stock_phrase(w(text)) == name


@pytest.mark.parametrize(
    "text,name",
    [
        (
            "Sec. 2. The definitions in this section apply throughout this chapter unless the "
            "context clearly requires otherwise.",
            "definitions-clause",
        ),
        # a synthetic Washington cover block: session line, sponsors, first reading, committee
        (
            "State of Washington 66th Legislature 2019 Regular Session By Representatives Doe "
            "and Roe Prefiled 12/05/18. Read first time 01/14/19. Referred to Committee on "
            "Public Safety. AN ACT Relating to",
            "bill-header",
        ),
        (
            "creating a new section, and providing an effective date. BE IT ENACTED BY THE "
            "LEGISLATURE OF THE STATE OF WASHINGTON:",
            "enacting-clause",
        ),
        ("The people of the State of California do enact as follows:", "enacting-clause"),
        ("Be It Enacted by the Legislature of Alabama:", "enacting-clause"),
        ("SECTION 1. BE IT ENACTED BY THE GENERAL ASSEMBLY OF MARYLAND, That", "enacting-clause"),
        (
            "NEW SECTION. Sec. 9. Sections 1 through 6 of this act constitute a new chapter in "
            "Title 70 RCW.",
            "codification",
        ),
    ],
)
def test_more_stock_formulas(text, name):
    assert stock_phrase(w(text)) == name


def test_several_formulas_in_a_row_name_all_of_them():
    text = (
        "and for other purposes. Be it enacted by the Senate and House of Representatives "
        "of the United States of America in Congress assembled, SECTION 1. SHORT TITLE. "
        "This Act may be cited as the"
    )
    assert stock_phrase(w(text)) == "enacting-clause+short-title"


def test_substantive_text_is_not_stock():
    # synthetic sentence
    assert (
        stock_phrase(
            w(
                "A state or local government agency using a facial recognition "
                "service must produce an accountability report before use"
            )
        )
        == ""
    )
    # a stock formula followed by substance is substantive
    text = (
        "This act takes effect July 1, 2021. Each agency shall publish the number of "
        "facial recognition requests it received and the number it granted each year."
    )
    assert stock_phrase(w(text)) == ""
    assert stock_phrase([]) == ""
