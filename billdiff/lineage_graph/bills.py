"""What a document's metadata says about its bill: identity, chamber, version order, date.

Sidecars and manifests spell these facts loosely ("ESSB 6280", "2SHB 1654", "H.R. 2002",
"substitute bill (drafting number S-5562.4)", "rfs (referred-in-senate)", "2020 regular
session (66th Legislature)"), so everything here is tolerant parsing with a documented
fallback: when a fact cannot be read, it is left empty and lineage does not use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..model import Metadata

# Washington-style prefixes: E (engrossed), 2/3 (second/third), S (substitute) before the
# chamber letters; the chamber keeps its own letters (HB, SB, HJR …).
_WA_BILL = re.compile(
    r"\b(?P<e>E)?(?P<lvl>[23])?(?P<s>S)?(?P<ch>HB|SB|HJR|SJR|HJM|SJM|HCR|SCR|HR|SR)\s*"
    r"(?P<num>\d+)\b(?!-\d)"
)
# Federal: H.R. 2002, S. 123, H.J.Res. 5 …
_US_BILL = re.compile(
    r"\b(?P<ch>H\.?\s?R\.?|S\.|H\.?\s?J\.?\s?Res\.?|S\.?\s?J\.?\s?Res\.?|H\.?\s?Con\.?\s?Res\.?|"
    r"S\.?\s?Con\.?\s?Res\.?)\s*(?P<num>\d+)\b",
    re.I,
)
# Anything else: letters, then a number ("AB 2261", "H 492", "SB22-113", "HB0338").
_ANY_BILL = re.compile(r"\b(?P<ch>[A-Z][A-Za-z.]{0,5})\s*(?P<num>\d+(?:[.-]\d+[A-Z]?)*)\b")

_LEGISLATURE = re.compile(
    r"\b(\d{1,3})(?:st|nd|rd|th)\s+(Legislature|Congress|General Assembly)", re.I
)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# a date known to the month or the year only: '2020-02', '2023' (the whole value)
_PARTIAL = re.compile(r"^\s*(1[89]\d\d|20\d\d)(?:-(\d{2}))?\s*$")
# a copy that holds part of its document only: containment says nothing about direction
_PARTIAL_COPY = re.compile(r"\bpartial\b|\bopening only\b|\bexcerpt\b|\bincomplete\b", re.I)

# Legislative order of a version. Ties (two committee versions) are broken by date.
INTRODUCED, COMMITTEE, ENGROSSED, PASSED, SESSION_LAW, CODIFIED = 0, 10, 100, 200, 300, 400
DRAFT = -10  # a drafting office's draft, before the bill is introduced
# The engrossed bill as received/referred in the other chamber (GPO rfs, rds, rfh, rdh) comes
# after engrossment: 116 H.R. 2002 eh is dated 2019-05-07 and its rfs 2019-05-08.
SECOND_CHAMBER = 150
_US_CODES = {
    **dict.fromkeys(("ih", "is", "iph", "ips", "pch", "pcs"), INTRODUCED),
    **dict.fromkeys(("rfs", "rfh", "rds", "rdh"), SECOND_CHAMBER),
    **dict.fromkeys(
        (
            "rh",
            "rs",
            "rcs",
            "rch",
            "rih",
            "ris",
            "cph",
            "cps",
            "ath",
            "ats",
            "sc",
            "rth",
            "rts",
            "hds",
            "sas",
            "fph",
            "fps",
            "lth",
            "lts",
            "oph",
            "ops",
            "pap",
            "pwah",
            "rah",
            "ras",
            "renr",
            "res",
            "rft",
            "rft",
        ),
        COMMITTEE,
    ),
    **dict.fromkeys(("eh", "es", "eph", "eps", "ehr", "ehs", "eah", "eas", "rfs_e"), ENGROSSED),
    **dict.fromkeys(("enr",), PASSED),
    **dict.fromkeys(("pl", "pvtl", "publ"), SESSION_LAW),
}
_WORD_RANKS = (  # first matching phrase wins (most final first)
    ("codified", CODIFIED),
    ("session law", SESSION_LAW),
    ("chaptered", SESSION_LAW),
    ("enacted", SESSION_LAW),
    ("public law", SESSION_LAW),
    ("passed legislature", PASSED),
    ("enrolled", PASSED),
    ("passed both", PASSED),
    ("engrossed", ENGROSSED),
    ("third substitute", COMMITTEE + 2),
    ("second substitute", COMMITTEE + 1),
    ("substitute", COMMITTEE),
    ("amended", COMMITTEE),
    ("reported", COMMITTEE),
    ("referred", COMMITTEE),
    ("introduced", INTRODUCED),
    ("prefiled", INTRODUCED),
    ("first reader", INTRODUCED),
    ("draft", DRAFT),
)


@dataclass(frozen=True)
class BillInfo:
    """Parsed facts of one document (all empty when unknown)."""

    state: str  # "WA", "US", "CA" …
    legislature: str  # "66th Legislature", "116th Congress", or a year
    chamber: str  # "HB", "SB", "HR", "S", "AB" …
    number: str  # "6280"
    rank: int  # legislative order of this version (INTRODUCED … CODIFIED)
    version_name: str  # short: "introduced", "ESSB", "rfs", "codified" …
    date: date | None
    year: int | None = None  # session year, a coarse date when the exact one is missing
    name: str = ""  # the bill as printed on this version: 'WA ESSB 6280', 'US HR 2002'
    version_shown: bool = False  # the name already says which version ('ESSB')
    # the days the document's date may fall on: (d, d) for an exact date, the whole month or
    # year for '2020-02' or '2023', the session's years when only the session is known
    span: tuple[date, date] | None = None
    partial: bool = False  # the copy holds part of the document only

    @property
    def when(self) -> str:
        """'2020-01-14', '2023' (year only), '2020-02' (month only) or ''."""
        if self.date:
            return self.date.isoformat()
        if self.span:
            lo, hi = self.span
            if (lo.year, lo.month) == (hi.year, hi.month):
                return f"{lo.year}-{lo.month:02d}"
            return str(lo.year) if lo.year == hi.year else f"{lo.year}-{hi.year}"
        return ""

    @property
    def key(self) -> tuple[str, str, str, str] | None:
        """Identity of the bill across its versions, or None when the bill is unknown."""
        if not (self.chamber and self.number):
            return None
        return (self.state, self.legislature, self.chamber, self.number)

    @property
    def house(self) -> str:
        """'H' or 'S' (or the chamber letters when neither)."""
        c = self.chamber.upper()
        if c.startswith(("H", "A")):  # House, Assembly
            return "H"
        if c.startswith("S"):
            return "S"
        return c

    @property
    def short(self) -> str:
        """'WA SB 6280' — the bill, without its version."""
        bill = f"{self.chamber} {self.number}".strip() if self.number else ""
        return " ".join(p for p in (self.state, bill) if p)


def parse_date(value: str) -> date | None:
    """The first ISO date (YYYY-MM-DD) in ``value``, or None."""
    m = _ISO.search(value or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def date_span(value: str) -> tuple[date, date] | None:
    """The days a date may mean: an ISO date itself; 'YYYY-MM' its month; 'YYYY' its year."""
    d = parse_date(value)
    if d:
        return d, d
    m = _PARTIAL.match(value or "")
    if not m:
        return None
    y = int(m.group(1))
    if m.group(2):
        mo = int(m.group(2))
        if not 1 <= mo <= 12:
            return None
        nxt = date(y + (mo == 12), mo % 12 + 1, 1)
        return date(y, mo, 1), date.fromordinal(nxt.toordinal() - 1)
    return date(y, 1, 1), date(y, 12, 31)


def before(a: BillInfo, b: BillInfo, gap_days: int = 0) -> bool | None:
    """True when a is surely earlier than b (by more than ``gap_days``), False when b is
    surely earlier than a, None when their date spans overlap (or one is unknown)."""
    if not (a.span and b.span):
        return None
    if (b.span[0] - a.span[1]).days > gap_days:
        return True
    if (a.span[0] - b.span[1]).days > gap_days:
        return False
    return None


def _state(meta: Metadata) -> str:
    s = (meta.state or "").strip()
    if not s:
        return ""
    head = s.split()[0].strip("(),").upper()
    return "US" if head in ("US", "U.S.", "USA", "FEDERAL") else head


def _legislature(meta: Metadata) -> str:
    m = _LEGISLATURE.search(meta.session or "")
    if m:
        return f"{int(m.group(1))} {m.group(2).lower()}"
    y = _YEAR.search(meta.session or "")
    if y:
        return y.group(1)
    d = parse_date(meta.date)
    return str(d.year) if d else ""


def _rank(meta: Metadata, wa: re.Match | None) -> tuple[int, str]:
    v = (meta.version or "").strip().lower()
    code = re.match(r"[a-z_]+", v)
    if code and code.group() in _US_CODES:
        return _US_CODES[code.group()], code.group()
    word = next(((r, ph) for ph, r in _WORD_RANKS if ph in v), None)
    if (
        wa
        and (wa.group("e") or wa.group("s") or wa.group("lvl"))
        and (word is None or word[0] < PASSED)
    ):
        # the bill's own prefix (ESSB, 2SHB …) is more precise than a loose word
        lvl = {"2": 1, "3": 2}.get(wa.group("lvl") or "", 0)
        rank = (COMMITTEE + lvl) if wa.group("s") else INTRODUCED
        if wa.group("e"):
            rank = ENGROSSED + rank
        return rank, wa.group(0).split()[0]
    if word:
        return word
    return INTRODUCED, v.split()[0] if v else ""


def bill_info(meta: Metadata) -> BillInfo:
    state = _state(meta)
    raw = meta.bill or ""
    wa = _WA_BILL.search(raw)
    chamber = number = ""
    if wa:
        chamber, number = wa.group("ch"), wa.group("num")
    elif us := _US_BILL.search(raw):
        chamber = re.sub(r"[\s.]", "", us.group("ch")).upper()
        number = us.group("num")
    elif other := _ANY_BILL.search(raw):
        chamber = re.sub(r"[\s.]", "", other.group("ch")).upper()
        number = other.group("num").lstrip("0") or "0"
    if number.isdigit():
        number = number.lstrip("0") or "0"
    rank, vname = _rank(meta, wa)
    d = parse_date(meta.date)
    span = date_span(meta.date)
    years = [int(x) for x in _YEAR.findall(meta.session or "")]
    if span is None and years:  # only the session is known: any day of its years
        span = (date(min(years), 1, 1), date(max(years), 12, 31))
    # the document's own (partial) date first: a '2019-2020 regular session' bill of 2020
    year = span[0].year if span and span[0].year == span[1].year else (years[0] if years else None)
    partial = bool(_PARTIAL_COPY.search(f"{meta.version} {meta.id}"))
    shown = bool(wa and (wa.group("e") or wa.group("s") or wa.group("lvl")))
    if wa:
        name = f"{state} {wa.group(0)}".strip()
    else:
        name = " ".join(p for p in (state, f"{chamber} {number}".strip()) if p)
    return BillInfo(
        state,
        _legislature(meta),
        chamber,
        number,
        rank,
        vname,
        d,
        year,
        name or meta.id or meta.source,
        shown,
        span,
        partial,
    )


def describe(info: BillInfo) -> tuple[str, str]:
    """('WA ESSB 6280', '2020-02-19') or ('US HR 2002', 'rfs 2019-05-08') for reasons."""
    d = info.when or "date unknown"
    v = "" if info.version_shown else info.version_name
    return info.name, f"{v} {d}".strip()
