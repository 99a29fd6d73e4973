"""Stock legislative phrases: text every bill carries, whose reuse says nothing of copying.

``stock_phrase(words)`` names the stock phrase(s) a passage consists of — ``''`` when the
passage is substantive. A passage is stock when nearly all its words (all but
``max(2, 15%)``) lie inside matches of the patterns below. Patterns run over the normalised
words (lower case, punctuation-free) joined by single spaces, so "Sec. 8. RCW 43.386.901"
reads "sec 8 rcw 43 386 901". Section numbers and headings are glue: they count as covered
but do not name a passage on their own.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

_W = r"(?: \w+)"  # one more word
_STATE = r"\w+(?: \w+)?"
_DATE = (
    r"(?:(?:on |after |before )?(?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december) \d{1,2} \d{4}|immediately|"
    r"on the date of (?:the )?enactment of this act|upon enactment|\d+ days after\w*(?: \w+){0,8}?"
    r" (?:enactment|adjournment|approval)(?: of this act)?)"
)

# clauses that close a long title: "creating a new section and providing an effective date"
_CLAUSE = (
    r"(?:creating (?:a )?new sections?|providing (?:an? )?(?:contingent )?(?:effective|expiration)"
    r" dates?|declaring an emergency|prescribing penalties|making (?:an )?appropriations?)"
)

PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "enacting-clause",
        r"be it (?:further )?enacted by the (?:senate and house of representatives of the united "
        r"states of america in congress assembled|legislature of (?:the state of )?"
        + _STATE
        + r"|people of the state of "
        + _STATE
        + r"(?: represented in senate and assembly)?"
        r"|general assembly of (?:the (?:state|commonwealth) of )?" + _STATE + r")(?: as follows)?"
        r"|the people of the state of " + _STATE + r" do enact as follows",
    ),
    (
        "severability",
        r"(?:if any (?:provision|section|part|clause)(?: or \w+)? of this (?:act|chapter|section|"
        r"title|article)(?: or (?:its|the) application(?: thereof)?(?: of (?:the|such) provision)?"
        r" to any (?:person|individual|entity)(?: or circumstance)?)? (?:is|shall be) (?:held|"
        r"declared|found|adjudged)(?: to be)? (?:invalid|unconstitutional)(?: or (?:invalid|"
        r"unconstitutional|unenforceable))?(?: by a court of competent jurisdiction)?(?: \w+){0,40}?"
        r" (?:not (?:be )?affected|not affect\w*|(?:remain|continue) in (?:full )?(?:force|effect)"
        r"(?: and effect)?|severable))"
        r"|the provisions of this (?:act|chapter|title) are severable",
    ),
    (
        "effective-date",
        r"(?:this (?:act|section|chapter|title)|the amendments? made by this (?:act|section)|"
        r"sections? \d+(?: (?:and|through|to) \d+)*(?: of this act)?) (?:shall )?"
        r"(?:takes?|become|becomes) (?:effect|effective)(?: (?:on|upon|immediately|in|after|"
        r"the|date|of|enactment|this|act|\d+|days|\d{4}|january|february|march|april|may|june|"
        r"july|august|september|october|november|december|following|adjournment|session|at|"
        r"which|it|is|was|enacted|passage|approval|by|governor)){0,14}",
    ),
    (
        "emergency-clause",
        r"(?:(?:this act|sections?(?: \d+| and| through)+ of this act) (?:is|are) )?necessary for the "
        r"immediate preservation of the public peace health or safety or support of the state "
        r"government and its existing public institutions(?: and (?:takes?|shall take) effect"
        r"(?: \w+){0,6})?",
    ),
    (
        "amended-to-read",
        r"(?:(?:rcw|section|sections|title|chapter|subsection|paragraph)(?: \w+){0,24}? )?"
        r"(?:is|are) (?:each )?(?:hereby )?(?:reenacted and )?amended to read as follows",
    ),
    (
        "new-section-added",
        r"a new (?:section|chapter|subsection) is (?:hereby )?added to (?:chapter|title)"
        r"(?: \w+){1,6}? to read as follows",
    ),
    (
        "short-title",
        r"(?:this|the) (?:act|title|chapter|subchapter)(?: \w+){0,3}? may be cited as"
        r"(?:(?: \w+){1,14}? act(?: of \d{4})?| the)?",
    ),
    (
        "null-and-void",
        r"if specific funding for the purposes of this act(?: \w+){0,40}? this act is null and void",
    ),
    (
        "definitions-clause",
        r"the definitions in this (?:section|subsection|chapter|act)(?: and \w+ \w+)? apply "
        r"throughout this (?:section|subsection|chapter|act|title)(?: and \w+ \w+)? unless the "
        r"context clearly requires otherwise",
    ),
    (
        "codification",
        r"(?:sections? \d+(?: (?:and|through) \d+)* of this act|this act) (?:constitutes?|is|are)"
        r" a new chapter in title \d+(?: \w+)?(?: rcw)?",
    ),
    (
        "bill-header",  # session line, sponsors, first reading, committee referral (WA, US)
        r"state of washington \d+(?:st|nd|rd|th) legislature \d{4}(?: \d+(?:st|nd|rd|th))? "
        r"(?:regular|special|extraordinary) session"
        r"|by (?:representatives?|senators?|senate|house|request)(?: \w+){0,30}?"
        r"(?= prefiled| read first time)"
        r"|(?:prefiled \d+ \d+ \d+ )?read first time \d+ \d+ \d+"
        r"(?: referred to committee on(?: \w+){0,6}?(?= an act|$))?"
        r"|referred to committee on(?: \w+){0,6}?(?= an act|$)"
        r"|(?:introduced the following bill )?which was referred to the committee on"
        r"(?: \w+){0,12}?(?= a bill| an act|$)",
    ),
    # glue, counted as covered but naming nothing: section numbers and stock headings, the
    # clauses that end a long title, stock openers
    (
        "",
        r"(?:new section )?sec(?:tion)? \d+(?: \w)?(?: short title| definitions| findings"
        r"| effective date| severability)?(?: rcw)?",
    ),
    ("", r"(?:and )?for other purposes"),
    (
        "",
        r"(?:and )?" + _CLAUSE + r"(?: (?:and )?" + _CLAUSE + r")*",
    ),
    (
        "",
        r"an act relating to(?: the)?|the legislature (?:hereby )?finds(?: and declares)? that"
        r"|(?:rcw )?to read as follows",
    ),
)
# words of which every named pattern contains at least one
_ANCHORS = frozenset(
    "enact enacted provision provisions severable effect effective necessary amended added cited "
    "void definitions legislature read referred chapter".split()
)
_COMPILED = tuple((name, re.compile(r"(?<!\S)(?:" + rx + r")(?!\S)")) for name, rx in PATTERNS)


def stock_cover(words) -> tuple[list[bool], dict[str, int]]:
    """Which words lie inside stock-pattern matches, and how many per named pattern."""
    words = list(words)
    text = " ".join(words)
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    covered = [False] * len(words)
    named: dict[str, int] = {}
    for name, rx in _COMPILED:
        for m in rx.finditer(text):
            lo = bisect_left(starts, m.start())
            hi = bisect_right(starts, m.end() - 1)
            for k in range(lo, hi):
                covered[k] = True
            if name and hi > lo:
                named[name] = named.get(name, 0) + hi - lo
    return covered, named


def stock_phrase(words) -> str:
    """Name(s) of the stock phrase(s) making up ``words`` ('+'-joined), or '' if substantive."""
    words = list(words)
    if not words:
        return ""
    if _ANCHORS.isdisjoint(words):
        return ""  # every named pattern needs one of these words: most passages stop here
    covered, named = stock_cover(words)
    uncovered = len(words) - sum(covered)
    if not named or uncovered > max(2, int(0.15 * len(words))):
        return ""
    return "+".join(sorted(named, key=lambda n: (-named[n], n)))
