"""Stock legislative phrases. The phrases are the generic formulas every bill uses (quoted
from no particular bill); the substantive sentence is synthetic."""

from __future__ import annotations

import re

import pytest

from billdiff.stock import stock_cover, stock_phrase


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
        ("(6) This section expires January 1, 2022. NEW SECTION. Sec.", "expiration-date"),
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


# --- other states' formulas -------------------------------------------------------------------
# Synthetic: each string is the published standard formula of a state (or the common form of a
# clause), written here because no bill of that state is in ../shared/corpus.
@pytest.mark.parametrize(
    "text,name",
    [
        # the common severability clause (uniform acts, Kansas, Texas, ...)
        (
            "If any provision of this act or its application to any person or circumstance is "
            "held invalid, the invalidity does not affect other provisions or applications of the "
            "act which can be given effect without the invalid provision or application, and to "
            "this end the provisions of this act are severable.",
            "severability",
        ),
        (
            "Sec. 14. If any provision of this act or the application thereof to any person or "
            "circumstance is held invalid, the invalidity shall not affect other provisions or "
            "applications of the act which can be given effect without the invalid provision or "
            "application and, to this end, the provisions of this act are severable.",
            "severability",
        ),
        (
            "If any provision of this Act or its application to any person or circumstance is "
            "held invalid, the invalidity does not affect other provisions or applications of "
            "this Act that can be given effect without the invalid provision or application, and "
            "to this end the provisions of this Act are declared to be severable.",
            "severability",
        ),
        (
            "If any section, subsection, sentence, clause, phrase or portion of this act is for "
            "any reason held invalid or unconstitutional by any court of competent jurisdiction, "
            "such portion shall be deemed a separate, distinct and independent provision and such "
            "holding shall not affect the validity of the remaining portions thereof.",
            "severability",
        ),
        (
            "Section 97. Severability. The provisions of this Act are severable under Section "
            "1.31 of the Statute on Statutes.",
            "severability",
        ),
        # Kansas and Oklahoma
        (
            "Sec. 9. This act shall take effect and be in force from and after its publication "
            "in the statute book.",
            "effective-date",
        ),
        (
            "This act shall take effect and be in force from and after its publication in the "
            "Kansas register.",
            "effective-date",
        ),
        (
            "This act shall take effect and be in force from and after its publication in the "
            "official state paper.",
            "effective-date",
        ),
        (
            "This act shall take effect and be in full force from and after its passage and "
            "approval.",
            "effective-date",
        ),
        ("Section 99. Effective date. This Act takes effect upon becoming law.", "effective-date"),
        (
            "This act shall take effect on the ninetieth day after it shall have become a law.",
            "effective-date",
        ),
        (
            "Except as otherwise expressly provided in this act, this act shall take effect "
            "July 1, 2021.",
            "effective-date",
        ),
        ("Section 5. This act takes effect upon passage.", "effective-date"),
        ("This Act shall become effective on July 1, 2022.", "effective-date"),
        ("Sections 1 through 9 of this act take effect January 1, 2022.", "effective-date"),
        # enacting clauses
        (
            "BE IT ENACTED by the Senate and General Assembly of the State of New Jersey:",
            "enacting-clause",
        ),
        (
            "Be it enacted by the People of the State of Illinois, represented in the General "
            "Assembly:",
            "enacting-clause",
        ),
        (
            "Be it enacted by the Senate and House of Representatives in General Assembly "
            "convened:",
            "enacting-clause",
        ),
        (
            "Be it enacted by the Senate and House of Representatives in General Court "
            "assembled, and by the authority of the same, as follows:",
            "enacting-clause",
        ),
        (
            "Be it Enacted by the Senate and House of Representatives in General Court convened:",
            "enacting-clause",
        ),
        (
            "The People of the State of New York, represented in Senate and Assembly, do enact "
            "as follows:",
            "enacting-clause",
        ),
        (
            "The General Assembly of the Commonwealth of Pennsylvania hereby enacts as follows:",
            "enacting-clause",
        ),
        ("The General Assembly of North Carolina enacts:", "enacting-clause"),
        ("The People of the State of Michigan enact:", "enacting-clause"),
        (
            "It is hereby enacted by the General Assembly of the State of Vermont:",
            "enacting-clause",
        ),
        ("BE IT ENACTED BY THE LEGISLATIVE ASSEMBLY OF NORTH DAKOTA:", "enacting-clause"),
        # repealers
        (
            "All laws and parts of laws in conflict with this act are hereby repealed.",
            "repealer",
        ),
        ("All laws or parts of laws in conflict with this Act are repealed.", "repealer"),
    ],
)
def test_other_states_formulas_are_named_and_wholly_covered(text, name):
    words = w(text)
    assert stock_phrase(words) == name
    covered, _ = stock_cover(words)
    # the formula is covered to its end, not just within the 15% tolerance
    assert sum(not c for c in covered) <= 1, [
        x for x, c in zip(words, covered, strict=True) if not c
    ]


def test_a_short_title_names_the_act_and_the_name_is_not_stock():
    # synthetic: the formula is stock, the act's name is not (two bills sharing the name of
    # the act adopt one act: that is the evidence we look for)
    assert stock_phrase(w("Section 1. Short title. This act may be cited as the")) == "short-title"
    named = w("Section 1. Short title. This act may be cited as the Facial Recognition Act.")
    assert stock_phrase(named) == ""
    covered, _ = stock_cover(named)
    assert [x for x, c in zip(named, covered, strict=True) if not c] == [
        "facial",
        "recognition",
        "act",
    ]


def test_a_substantive_sentence_after_a_new_formula_stays_substantive():
    # synthetic
    text = (
        "All laws and parts of laws in conflict with this act are hereby repealed. The "
        "department shall publish each request for a facial recognition service on its website."
    )
    assert stock_phrase(w(text)) == ""


def _real_words(path, pattern):
    """The tokenizer's words of the first match of ``pattern`` in a real corpus text."""
    from billdiff.ingest import read
    from billdiff.normalize import tokenize

    doc = read(path)
    m = re.search(pattern, doc.text, re.S)
    assert m, pattern
    t = tokenize(doc)
    return [x for x, s in zip(t.words, t.starts, strict=True) if m.start() <= s < m.end()]


@pytest.mark.parametrize(
    "stem,pattern,name",
    [
        # Montana's severability form
        (
            "other-states/montana-2023-sb397",
            r"Section 13\. Severability\..*?from the invalid applications\.",
            "severability",
        ),
        (
            "other-states/montana-2023-sb397",
            r"Section 16\. Effective date\..*?passage and approval\.",
            "effective-date",
        ),
        (
            "other-states/alabama-2022-sb56",
            r"Section 3\. This act shall become effective.*?otherwise becoming law\.",
            "effective-date",
        ),
        (
            "other-states/maryland-2024-sb182",
            r"SECTION 2\. AND BE IT FURTHER ENACTED, That this Act shall take effect\s+October 1, "
            r"2024\.",
            "effective-date+enacting-clause",
        ),
        # an effective-date clause with a section list and a full date
        (
            "facial-recognition/wa-2020-sb6280-rcw43.386-codified",
            r"Sections 1 through 9 and 11 through 13 of this act take effect July 1, 2021\.",
            "effective-date",
        ),
        (
            "wa-bills/wa-2019-hb1196-introduced",
            r"NEW SECTION\.\s+Sec\. \d+\.\s+The following acts or parts of acts are each repealed:",
            "repealer",
        ),
        (
            "us-congress/us-116-hr2002-ih",
            r"SECTION 1\. SHORT TITLE\.\s+This Act may be cited as the",
            "short-title",
        ),
        # federal formulas: the grant application, "… (29 U.S.C. 1052) is amended by adding …"
        (
            "us-congress/us-116-hr2005-ih",
            r"An eligible entity that desires to receive a\s+grant under this section shall "
            r"submit an application to the Secretary\s+of Labor at such time, in such manner, and "
            r"accompanied by such\s+information as the Secretary",
            "application-formula",
        ),
        (
            "us-congress/us-116-hr2005-ih",
            r"Act of 1974 \(29 U\.S\.C\. 1052\) is amended by adding at the end\s+the following",
            "amended-to-read",
        ),
    ],
)
def test_real_formulas_of_other_states(corpus, stem, pattern, name):
    assert stock_phrase(_real_words(corpus / f"{stem}.txt", pattern)) == name


def test_a_real_short_title_with_its_name_is_substantive(corpus):
    words = _real_words(
        corpus / "us-congress/us-116-hr2002-ih.txt",
        r"SECTION 1\. SHORT TITLE\.\s+This Act may be cited as the ``Taiwan Assurance Act of "
        r"2019''\.",
    )
    assert stock_phrase(words) == ""


@pytest.mark.parametrize(
    "text, name",
    [
        # synthetic long-title endings running into the enacting clause (WA form)
        (
            "adding a new chapter to title 43 rcw creating a new section and providing an "
            "effective date be it enacted by the legislature of the state of washington new "
            "section sec 1",
            "enacting-clause",
        ),
        (
            "amending rcw 28a 210 080 and 28a 210 090 and adding a new section to chapter 28a "
            "210 rcw be it enacted by the legislature of the state of washington",
            "enacting-clause",
        ),
    ],
)
def test_long_title_glue_before_the_enacting_clause(text, name):
    assert stock_phrase(text.split()) == name


@pytest.mark.parametrize(
    "text",
    [
        # WA's Consumer Protection Act enforcement formulas, as passages cut them (synthetic
        # word lists of the published formula)
        "2 the attorney general may bring an action in the name of the state or as parens "
        "patriae on behalf of persons residing in the state to enforce this chapter for actions "
        "brought by the attorney general to enforce this chapter",
        "brought by the attorney general to enforce this chapter a violation of this chapter is",
        "is not reasonable in relation to the development and preservation of business and is an "
        "unfair or deceptive act in trade or commerce and an unfair method of competition for "
        "purposes of applying the consumer protection act chapter 19 86 rcw",
    ],
)
def test_consumer_protection_act_formulas_and_their_pieces(text):
    assert stock_phrase(text.split()) == "consumer-protection-act"


@pytest.mark.parametrize(
    "text, name",
    [
        # synthetic word lists of published formulas, cut where two texts part
        (
            "if any provision of this act or its application to any person or circumstance is "
            "held invalid the remainder of the act or the application of the provision to other "
            "persons or circumstances",
            "severability",
        ),
        (
            "the president of the senate shall appoint one member from each of the two largest "
            "caucuses of the senate ii the speaker of the house of representatives shall appoint "
            "one member from each of the two largest caucuses of the house of representatives",
            "task-force-formula",
        ),
    ],
)
def test_formulas_cut_where_two_texts_part(text, name):
    assert stock_phrase(text.split()) == name


def test_washington_formulas_in_the_real_bills(corpus):
    """WA's contingent-effective-date notice and Consumer Protection Act paragraph, read from
    the real bills that carry them, are stock."""
    import re

    found = {"effective-date-notice": 0, "consumer-protection-act": 0}
    for path in sorted((corpus / "wa-bills").glob("*.txt")):
        words = re.findall(r"[a-z0-9]+", path.read_text(encoding="utf-8").lower())
        _, named = stock_cover(words)
        for k in found:
            found[k] += named.get(k, 0) >= 30
    assert found["effective-date-notice"] >= 2 and found["consumer-protection-act"] >= 6


def test_a_passage_cut_before_the_next_section_number_ends_in_glue(corpus):
    """SB 6280 and SB 5104 number their sections differently, so a shared stretch stops at
    "NEW SECTION. Sec." before the numbers: those words are glue, and the task force's
    "This section expires <date>" is a formula, while its report duty stays substantive."""
    from billdiff.pairwise import compare

    fr = corpus / "facial-recognition"
    r = compare(fr / "wa-2020-sb6280-introduced.txt", fr / "wa-2021-sb5104-introduced.txt")
    tails = [
        r.a_tokens.words[p.a_start : p.a_end]
        for p in r.passages
        if r.a_tokens.words[p.a_end - 3 : p.a_end] == ("new", "section", "sec")
    ]
    assert tails
    for words in tails:
        covered, named = stock_cover(words)
        assert all(covered[-3:])
        if "expires" in words:
            assert named.get("expiration-date")
            assert not stock_phrase(words)  # "shall report its findings ..." is not stock
