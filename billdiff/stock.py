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

from .memo import Memo

_W = r"(?: \w+)"  # one more word
# a state's name: one or two words (never "Illinois represented", "Michigan enact")
_STATE = r"\w+(?: (?!(?:represented|in|as|do|enacts?|hereby)\b)\w+)?"
_DATE = (
    r"(?:(?:on |after |before )?(?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december) \d{1,2} \d{4}|immediately|"
    r"on the date of (?:the )?enactment of this act|upon enactment|\d+ days after\w*(?: \w+){0,8}?"
    r" (?:enactment|adjournment|approval)(?: of this act)?)"
)

# clauses that close a long title: "creating a new section and providing an effective date"
_CITE = r"\w+ \d+ \d+\w*"  # RCW 43.386.010 reads "43 386 010"
_CLAUSE = (
    r"(?:creating (?:a )?new sections?|providing (?:an? )?(?:contingent )?(?:effective|expiration)"
    r" dates?|declaring an emergency|prescribing penalties|making (?:an )?appropriations?"
    # the long title's list of what the bill does to the code (WA): "amending RCW 9A.44.060",
    # "adding a new section to chapter 43.330 RCW", "adding a new chapter to Title 43 RCW"
    r"|(?:reenacting and )?(?:amending|repealing|reenacting|decodifying) (?:rcw )?"
    + _CITE
    + r"(?: (?:and )?"
    + _CITE
    + r")*"
    r"|adding (?:a )?new (?:sections?|chapters?) to (?:chapter \w+ \d+|title \w+) rcw)"
)

PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "enacting-clause",
        r"(?:and )?be it (?:further )?enacted by the (?:senate and house of representatives of the "
        r"united states of america in congress assembled|legislature of (?:the state of )?"
        + _STATE
        + r"|legislative assembly of (?:the state of )?"
        + _STATE
        + r"|people of the state of "
        + _STATE
        + r"(?: represented in (?:senate and assembly|the general assembly))?"
        r"|general assembly of (?:the (?:state|commonwealth) of )?"
        + _STATE
        # New Jersey; Connecticut, Massachusetts, New Hampshire
        + r"|senate and general assembly of the state of "
        + _STATE
        + r"|senate and house of representatives(?: of the (?:state|commonwealth) of "
        + _STATE
        + r")? in general (?:assembly|court) (?:convened|assembled|met)"
        r"(?: and by the authority of the same)?"
        r"|council of the district of columbia)(?: as follows)?"
        r"|and be it further enacted(?: that)?"
        r"|the people of the state of " + _STATE + r"(?: represented in senate and assembly)?"
        r" do enact as follows|the people of the state of " + _STATE + r" enact"
        r"|(?:it is )?(?:hereby )?enacted by the general assembly(?: of the state of "
        + _STATE
        + r")?(?: as follows)?"
        r"|the general assembly of (?:the commonwealth of )?" + _STATE + r" (?:hereby )?enacts"
        r"(?: as follows)?",
    ),
    (
        "severability",
        r"(?:if any (?:(?:provision|section|subsection|paragraph|sentence|clause|phrase|word|part"
        r"|portion|item)s?(?: or)? ){1,8}of this (?:act|chapter|section|title|article|ordinance)"
        r"(?: or (?:its|the) application(?: thereof)?(?: of (?:the|such) provision)?"
        r" to any (?:person|individual|entity)(?: or circumstances?)?)?"
        r" (?:is|are|shall be|shall for any reason be) (?:for any reason )?(?:held|declared|found"
        r"|adjudged|determined)(?: by (?:a|any) court of competent jurisdiction)?(?: to be)?"
        r" (?:invalid|unconstitutional|void|unenforceable)(?: or (?:invalid|unconstitutional|void"
        r"|unenforceable))?(?: by (?:a|any) court of competent jurisdiction)?(?: \w+){0,40}?"
        # the usual ending first: the clause then reads to its end
        r" (?:(?:shall|does) not affect other provisions or applications of (?:the|this) (?:act"
        r"|chapter) (?:which|that) can be given effect without the invalid provision or"
        r" application(?: and)?(?: to this end)?(?: the provisions of this (?:act|chapter) are"
        r" (?:declared to be )?severable)?|not (?:be )?affected(?: thereby)?"
        r"|not affect the validity of the remaining (?:portions|provisions)(?: of this (?:act"
        r"|chapter))?(?: thereof)?|not affect\w*"
        r"|(?:remain|continue) in (?:full )?(?:force|effect)(?: and effect)?|severable))"
        r"|the provisions of this (?:act|chapter|title) are (?:declared to be )?severable"
        r"(?: under section 1 31 of the statute on statutes)?"
        # the WA form cut where two states' endings part ("… is not affected" / "shall not be
        # affected"): the passage holds all but the ending
        r"|(?:if any provision of this (?:act|chapter|section|rule) )?(?:or its application to "
        r"any person or circumstance is held invalid )?the remainder of the (?:act|chapter|"
        r"section|rule|title) or the application of the provision to other persons or "
        r"circumstances(?: is not affected| shall not be affected)?"
        # Montana's form
        r"|if a part of this act is invalid(?: in one or more of its applications)? (?:all valid"
        r" parts that are severable from the invalid part remain in effect|the part remains in"
        r" effect in all valid applications that are severable from the invalid applications)",
    ),
    (
        "effective-date",
        r"(?:except (?:for )?(?:as otherwise (?:expressly )?provided in this act|sections? \d+"
        r"(?: (?:and|through|to) \d+)*(?: of this act)?) )?"
        r"(?:this (?:act|section|chapter|title)|the amendments? made by this (?:act|section)|"
        r"sections? \d+(?: (?:and|through|to) \d+)*(?: of this act)?) (?:shall )?"
        r"(?:(?:takes?|become|becomes) (?:effect|effective)|is effective)"
        # Kansas, Oklahoma: "take effect and be in force from and after its publication in the
        # statute book"
        r"(?: and be in (?:full )?force)?(?: (?:from and after|on and after|upon|on|after) (?:its"
        r" |the date of its )?(?:publication in the (?:statute book|official state paper|\w+"
        r" register)|passage(?: and approval)?(?: by the governor)?|approval by the governor"
        r"|becoming (?:a )?law|final passage))?"
        # Alabama: "on the first day of the third month following its passage and approval by
        # the Governor, or its otherwise becoming law"
        r"(?: on the first day of the \w+ month following its passage and approval by the"
        r" governor(?: or its otherwise becoming (?:a )?law)?)?"
        # New York: "on the ninetieth day after it shall have become a law"
        r"(?: on the (?:\w+ ){1,3}day after it shall have become a law)?"
        r"(?: (?:on|upon|immediately|in|after|"
        r"the|date|of|enactment|this|act|\d+|days|\d{4}|january|february|march|april|may|june|"
        r"july|august|september|october|november|december|following|adjournment|session|at|"
        r"which|it|is|was|enacted|passage|approval|by|governor)){0,14}",
    ),
    (
        # WA: "This section expires June 30, 2022." (a task force's sunset)
        "expiration-date",
        r"(?:this (?:act|section|subsection|chapter)|sections? \d+(?: (?:and|through|to) \d+)*"
        r"(?: of this act)?) (?:expires|expire)(?: on)? " + _DATE,
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
        # federal: "… Act of 1974 (29 U.S.C. 1052) is amended by adding at the end the following"
        "amended-to-read",
        r"(?:(?:section|title|paragraph|subsection)(?: \w+){0,12}? )?(?:is|are) (?:further )?"
        r"(?:hereby )?amended(?: in \w+ \w+)? by(?: (?:adding at the end(?: thereof)?(?: the "
        r"following(?: new (?:section|sections|subsection|paragraph|subparagraph|sentence))?)?"
        r"|striking|inserting))?",
    ),
    (
        # federal grant formula: "shall submit an application to the Secretary at such time, in
        # such manner, and containing such information as the Secretary may require"
        "application-formula",
        r"(?:(?:\w+ ){0,7}?(?:that|who) (?:desires|seeks|wishes) to "
        r"(?:receive|apply for|obtain) an? (?:grant|contract|cooperative agreement|loan|award)"
        r"(?: \w+){0,8}? )?shall submit (?:an application|to the \w+(?: \w+){0,3}? an application)"
        r"(?: to the (?:secretary|administrator|director|attorney general)(?: of \w+(?: \w+)?)?)?"
        r" at such time(?: and)? in such manner(?: and)? (?:containing|accompanied by) such "
        r"(?:other )?information(?: and assurances)? as the (?:secretary|administrator|director"
        r"|attorney general)(?: of \w+(?: \w+)?)?(?: may (?:reasonably )?require)?",
    ),
    (
        "new-section-added",
        r"a new (?:section|chapter|subsection) is (?:hereby )?added to (?:chapter|title)"
        r"(?: \w+){1,6}? to read as follows",
    ),
    (
        # the formula only: the act's name is not stock (two bills sharing it adopt one act)
        "short-title",
        r"(?:(?:this|the) (?:act|title|chapter|subchapter|article)(?: \w+){0,3}?|sections? \d+"
        r"(?: (?:and|through|to) \d+)*(?: of this act)?) (?:may|shall) be (?:cited|known)"
        r"(?: and (?:may be )?cited)? as(?: the)?",
    ),
    (
        "repealer",
        r"all (?:other )?(?:acts|laws) (?:and|or) parts of (?:acts|laws)(?: and \w+ \w+)?"
        r" (?:in conflict|inconsistent) (?:herewith|with (?:the provisions of )?this act)"
        r" (?:are|be|shall be)(?: and the same are)? (?:hereby )?repealed"
        r"(?: to the extent of (?:such|the) (?:conflict|inconsistency))?"
        r"|the following acts or parts of acts are (?:each )?(?:hereby )?repealed",
    ),
    (
        # WA's task-force formulas: who appoints the legislative members, who is reimbursed
        "task-force-formula",
        r"(?:\w+ )?the president of the senate shall appoint one member from each of the two "
        r"largest caucuses of the senate(?: \w+)? the speaker of the house of representatives "
        r"shall appoint one member from each of the two largest caucuses of the house of "
        r"representatives"
        r"|(?:legislative members of the (?:task force|work group|committee|council) )?(?:are )?"
        r"reimbursed for travel expenses in accordance with rcw 44 04 120(?: nonlegislative "
        r"members are not entitled to be reimbursed for travel expenses if they are elected "
        r"officials or are participating on behalf of an employer governmental entity or other "
        r"organization(?: any reimbursement for other nonlegislative members is subject to "
        r"chapter 43 03 rcw)?)?",
    ),
    (
        # WA's notice that a contingent effective date has come
        "effective-date-notice",
        r"(?:(?:the )?\w+(?: \w+){0,6}? (?:must|shall) provide (?:written )?)?notice of the "
        r"effective date of sections? \d+(?: (?:and|through) \d+)* of this act to affected "
        r"parties the chief clerk of the house of representatives the secretary of the senate "
        r"the office of the code reviser and others as deemed appropriate by the"
        r"(?: \w+(?: \w+){0,4}?)?(?=$| )",
    ),
    (
        # WA's standard paragraph applying the Consumer Protection Act (chapter 19.86 RCW)
        "consumer-protection-act",
        r"(?:(?:for actions brought by the attorney general to enforce this (?:section|chapter|"
        r"act) )?a violation of this (?:section|chapter|act) )?is not reasonable in relation to the "
        r"development and preservation of business and is an unfair or deceptive act in trade or "
        r"commerce and an unfair method of competition for (?:the )?purposes? of applying the "
        r"consumer protection act chapter 19 86 rcw"
        r"|(?:\w+ )?the attorney general may bring an action in the name of the state or as "
        r"parens patriae on behalf of persons residing in the state to enforce this "
        r"(?:section|chapter|act)(?: for actions brought by the attorney general to enforce this "
        r"(?:section|chapter|act))?"
        r"|(?:for )?(?:actions )?brought by the attorney general to enforce this (?:section|"
        r"chapter|act)(?: a violation of this (?:section|chapter|act)(?: is)?)?"
        r"|the legislature finds that the practices covered by this (?:section|chapter|act) are matters "
        r"vitally affecting the public interest for the purpose of applying the consumer "
        r"protection act chapter 19 86 rcw",
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
        # drafting number and bill number over the session line: "H-0243.1 HOUSE BILL 1002"
        r"(?:[hs] \d{4} \d{1,2} )?(?:(?:engrossed|reengrossed|second|third|substitute) )*"
        r"(?:house|senate) (?:joint )?(?:bill|resolution|memorial) \d+(?= state of washington)|"
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
        r"| effective date| severability)?(?: rcw)?"
        # a passage that ends where two bills number their next section differently
        r"|new section sec(?:tion)?"
        r"|short title|effective date|severability|repealer",
    ),
    ("", r"(?:and )?for other purposes"),
    # a federal citation: "Act of 1974 (29 U.S.C. 1051 et seq.)"
    ("", r"(?:act(?: of \d{4})? )?\d+ u s c \d+\w*(?: note)?(?: et seq)?"),
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
    "reviser consumer patriae remainder caucuses reimbursed enact enacted enacts provision provisions severable effect effective necessary amended added "
    "cited known void definitions legislature read referred chapter repealed invalid expires "
    "application".split()
)
_COMPILED: list = []  # PATTERNS compiled on first use: 14 ms a compare may not need


def _compiled() -> list:
    if not _COMPILED:
        _COMPILED.extend(
            (name, re.compile(r"(?<!\S)(?:" + rx + r")(?!\S)")) for name, rx in PATTERNS
        )
    return _COMPILED


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
    for name, rx in _compiled():
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
    words = tuple(words)
    if not words or _ANCHORS.isdisjoint(words):
        return ""  # every named pattern needs one of these words: most passages stop here
    return _STOCK_MEMO[words]  # one search meets the same clause in many candidates


def _stock_phrase(words: tuple[str, ...]) -> str:
    covered, named = stock_cover(words)
    uncovered = len(words) - sum(covered)
    if not named or uncovered > max(2, int(0.15 * len(words))):
        return ""
    return "+".join(sorted(named, key=lambda n: (-named[n], n)))


_STOCK_MEMO = Memo(_stock_phrase, 1 << 14)


# --- scraping junk: text that is not law at all ----------------------------------------------
# Words that make a short line law rather than a menu item
_LEGAL = frozenset(
    "shall must may means mean section sections sec subsection act acts chapter title article "
    "enacted enact amended amend repealed provided pursuant thereof herein hereby whereas "
    "resolved definitions purpose findings intent rcw".split()
)
_SENTENCE_PUNCT = re.compile(r"[.;:,?!()§\[\]]")
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d{1,4}")
_NUMERIC_WORD = re.compile(r"\b\d\w*")  # a \w+ word that starts with a digit


def menu_item(item: str) -> bool:
    """A navigation label: 1-4 words starting with a capital, no digits, no sentence
    punctuation, no legal word ("Home", "Contact us", "Bill Search")."""
    if not item[:1].isupper() or _SENTENCE_PUNCT.search(item):
        return False  # the cheap tests first: most lines of a bill fail one of them
    words = _WORD.findall(item)
    return (
        0 < len(words) <= 4
        and not any(ch.isdigit() for ch in item)
        and _LEGAL.isdisjoint(w.lower() for w in words)
    )


def menu_line(line: str) -> bool:
    """A line of a site menu: one short label (1-3 words), or ``|``-separated labels."""
    line = line.strip()
    if "|" in line:
        items = [x.strip() for x in line.split("|")]
        distinct = len({x.lower() for x in items}) == len(items)  # a table row repeats cells
        return len(items) >= 2 and distinct and all(menu_item(x) for x in items)
    return menu_item(line) and len(_WORD.findall(line)) <= 3


def menu_lines(lines: list[str]) -> list[bool]:
    """``menu_line`` of each line, but for the rows of a table: two ``|`` lines in a row
    (blank lines aside) are a table (a header over its rows), not a menu."""
    flags = [menu_line(ln) for ln in lines]
    seen = [i for i, ln in enumerate(lines) if ln.strip()]
    for i, j in zip(seen, seen[1:], strict=False):
        if "|" in lines[i] and "|" in lines[j]:
            flags[i] = flags[j] = False
    return flags


def _longest_count_up(nums: list[int]) -> int:
    best = cur = 1 if nums else 0
    for x, y in zip(nums, nums[1:], strict=False):
        cur = cur + 1 if y == x + 1 else 1
        best = max(best, cur)
    return best


def junk_kind(text: str) -> str:
    """What kind of scraping junk the original text of a passage is, or '' when it is not.

    ``'line-numbers'``: nearly all its words are numbers counting up (a column of printed line
    numbers, "1 2 3 … 24"); ``'navigation'``: three quarters of its words lie on site-menu
    lines (one short label, or ``Home | Search | Contact`` labels; not table rows), and there
    are at least three such lines. Law text fails both: its lines are long and hold sentence
    punctuation or legal words.
    """
    words = _WORD.findall(text)
    if not words:
        return ""
    # a cheap count first: law text is mostly not numbers, so most passages stop here
    if len(_NUMERIC_WORD.findall(text)) >= 0.85 * len(words):
        nums = [int(w) for w in words if _NUMBER.fullmatch(w)]
        if len(nums) >= 0.85 * len(words) and _longest_count_up(nums) >= 5:
            return "line-numbers"
    lines = text.splitlines()
    if "|" not in text and len(lines) < len(words) / 4:
        return ""  # menu lines without "|" hold 3 words at most: too few lines for 3/4
    flags = menu_lines(lines)
    on_menu = sum(len(_WORD.findall(ln)) for ln, f in zip(lines, flags, strict=True) if f)
    if sum(flags) >= 3 and on_menu >= 0.75 * len(words):
        return "navigation"
    return ""
