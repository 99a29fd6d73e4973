"""Evidence of one pair → a typed, directed (or not), explained edge.

Order of the questions (the first that answers decides):

1. same bill (state, legislature, chamber, number) → ``version-of``, in legislative order;
2. same legislature, other chamber, near-identical bodies → ``companion-of``;
3. one side *is* a codified section the other amends → ``copied-from`` (law → bill);
4. substantive reuse ≥ ``min_shared_words`` (or, between two states, one unbroken shared
   run of at least ``LONG_RUN`` x ``min_words`` words with ``SHORT_SHARE`` of
   ``min_shared_words`` in all: a whole sentence or definition taken word for word) → ``copied-from`` (direction by
   dates — a date known to the month or year only is that whole span, and orders an edge
   only when the spans do not overlap — else by containment, never from a partial copy) or
   ``shares-source-with`` (introduced too close together for either to have copied the
   other, or no way to tell the direction);
5. only existing-law text both amend → ``amends-same-law``;
6. only common text → ``boilerplate-only``; anything less → no edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..model import PairReport
from ..plural import count
from ..settings import Settings
from .bills import BillInfo, before, describe
from .evidence import Evidence

COMPANION_MIN = 0.8  # both bodies at least this much shared → companions
SAME_TIME_DAYS = 14  # introduced this close together: neither could copy the other's text
CONTAINMENT_MARGIN = 0.25  # coverage asymmetry needed to orient by containment
LONG_RUN = 2  # x min_words: one verbatim run this long is specific enough to be a copy …
SHORT_SHARE = 0.75  # … when the pair shares at least this share of min_shared_words in all


@dataclass
class Draft:
    """A mutable edge while the graph is built (frozen into LineageEdge at the end)."""

    source: int  # corpus index (or, for inferred ancestors, a negative number)
    target: int
    type: str
    directed: bool
    confidence: float
    shared_words: int
    coverage_source: float
    coverage_target: float
    passages: int
    reason: str
    direction_basis: str = ""
    reduced: bool = False
    report: PairReport | None = None
    ev: Evidence | None = field(default=None, repr=False)


def strength(words: int, settings: Settings) -> float:
    """0..1, 0.63 at min_shared_words, 0.95 at three times as many."""
    return 1.0 - math.exp(-words / max(settings.min_shared_words, 1))


def arrow_names(a: BillInfo, b: BillInfo) -> tuple[str, str]:
    """Shortest names that tell a and b apart: states, else bills, else full names."""
    if a.state and b.state and a.state != b.state:
        return a.state, b.state
    if a.key != b.key:
        return (
            f"{a.chamber} {a.number}".strip() or a.name,
            f"{b.chamber} {b.number}".strip() or b.name,
        )
    na, wa = describe(a)
    nb, wb = describe(b)
    return f"{na} ({wa})", f"{nb} ({wb})"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _draft(
    ev: Evidence,
    src_is_i: bool,
    type_: str,
    directed: bool,
    conf: float,
    reason: str,
    basis: str = "",
    passages=None,
) -> Draft:
    ps = ev.subst if passages is None else passages
    cov_i, cov_j = ev.coverage("i", ps), ev.coverage("j", ps)
    s, t = (ev.i, ev.j) if src_is_i else (ev.j, ev.i)
    cs, ct = (cov_i, cov_j) if src_is_i else (cov_j, cov_i)
    wi, wj = round(cov_i * ev.words_i), round(cov_j * ev.words_j)
    words = (wj if src_is_i else wi) if directed else min(wi, wj)
    return Draft(
        s,
        t,
        type_,
        directed,
        round(min(max(conf, 0.0), 1.0), 4),
        words,
        cs,
        ct,
        len(ps),
        reason,
        basis,
        report=ev.report,
        ev=ev,
    )


def _reuse_sentence(
    t: BillInfo, s: BillInfo, words: int, cov_t: float, k: int, t_words: int = 0
) -> str:
    if t_words:
        words = round(cov_t * t_words)
    tn, tw = describe(t)
    sn, sw = describe(s)
    return (
        f"{tn} ({tw}) reuses {words} words ({_pct(cov_t)}) of {sn} ({sw}) "
        f"in {k} passage{'s' if k != 1 else ''}"
    )


def classify(ev: Evidence, info: list[BillInfo], *, settings: Settings) -> Draft | None:
    a, b = info[ev.i], info[ev.j]
    lawwords = min(
        round(ev.coverage("i", ev.law) * ev.words_i), round(ev.coverage("j", ev.law) * ev.words_j)
    )
    if a.key is not None and a.key == b.key:
        return _version(ev, a, b)
    both = ev.subst + ev.law
    cov_i, cov_j = ev.coverage("i", both), ev.coverage("j", both)
    if (
        a.key
        and b.key
        and a.state == b.state
        and a.legislature == b.legislature
        and a.house != b.house
        and min(cov_i, cov_j) >= COMPANION_MIN
    ):
        first = _earlier(a, b, ev)
        s, t = (a, b) if first else (b, a)
        sn, sw = describe(s)
        tn, tw = describe(t)
        reason = (
            f"{sn} ({sw}) and {tn} ({tw}) are companion bills: same legislature "
            f"({a.legislature}), one per chamber, {_pct(min(cov_i, cov_j))}–"
            f"{_pct(max(cov_i, cov_j))} of their text in common"
        )
        return _draft(ev, first, "companion-of", False, min(cov_i, cov_j), reason, "", both)
    words = ev.shared_words
    distinct = ev.distinct_words() if words >= settings.min_shared_words else words
    if ev.quoted and words >= settings.min_words:
        # one side is the codified section the other amends: the law came first
        src_is_i = ev.quoted_from_i
        s, t = (a, b) if src_is_i else (b, a)
        cov_t = ev.coverage("j" if src_is_i else "i")
        reason = (
            _reuse_sentence(
                t, s, words, cov_t, len(ev.subst), ev.words_j if src_is_i else ev.words_i
            )
            + f"; it amends {', '.join('RCW ' + c for c in ev.quoted)} and quotes "
            f"the law, so the edge runs {arrow_names(s, t)[0]} → {arrow_names(s, t)[1]}"
        )
        return _draft(
            ev,
            src_is_i,
            "copied-from",
            True,
            strength(words, settings),
            reason,
            "dates" if s.date and t.date else "version-order",
        )
    if distinct >= settings.min_shared_words or (
        a.state != b.state and _long_run(ev, ev.distinct_words(), settings)
    ):
        return _reuse(ev, a, b, words, settings)
    if lawwords >= settings.min_words:
        cites = ", ".join("RCW " + c if c[0].isdigit() and "." in c else c for c in ev.law_cites)
        an, aw = describe(a)
        bn, bw = describe(b)
        reason = (
            f"{an} ({aw}) and {bn} ({bw}) both amend {cites} and so quote its "
            f"existing text ({lawwords} words in {count(len(ev.law), 'passage')}); "
            f"that is not copying" + (f" (other shared text: {words} words)" if words else "")
        )
        conf = lawwords / max(lawwords + words, 1)
        return _draft(ev, _earlier(a, b, ev), "amends-same-law", False, conf, reason, "", ev.law)
    if ev.boiler and not ev.subst and not ev.law:
        bw_ = min(
            round(ev.coverage("i", ev.boiler) * ev.words_i),
            round(ev.coverage("j", ev.boiler) * ev.words_j),
        )
        an, aw = describe(a)
        bn, bw = describe(b)
        stock = sorted({p.stock_phrase for p in ev.boiler if p.stock_phrase})
        what = f" ({', '.join(stock)})" if stock else ""
        reason = (
            f"{an} ({aw}) and {bn} ({bw}) share only common text{what}: {bw_} words "
            f"in {count(len(ev.boiler), 'passage')} found across the corpus; not lineage"
        )
        share = sum(p.boilerplate_share for p in ev.boiler) / len(ev.boiler)
        return _draft(
            ev,
            _earlier(a, b, ev),
            "boilerplate-only",
            False,
            max(share, 0.5),
            reason,
            "",
            ev.boiler,
        )
    return None


def longest_run(ev: Evidence) -> int:
    """Words of the longest substantive passage (on the shorter side)."""
    return max((min(p.a_end - p.a_start, p.b_end - p.b_start) for p in ev.subst), default=0)


def _long_run(ev: Evidence, words: int, settings: Settings) -> bool:
    """A sentence or definition taken whole: one run of LONG_RUN x min_words words, and
    SHORT_SHARE of min_shared_words shared in all (a short law copied into a long one).
    Used across states only: within one jurisdiction long standard formulas repeat (a
    federal grant-application sentence is 35 words)."""
    return (
        longest_run(ev) >= LONG_RUN * settings.min_words
        and words >= SHORT_SHARE * settings.min_shared_words
    )


def _earlier(a: BillInfo, b: BillInfo, ev: Evidence) -> bool:
    """True when a (document i) comes first: date, then session year, then id order."""
    if a.date and b.date and a.date != b.date:
        return a.date < b.date
    order = before(a, b)
    if order is not None:
        return order
    if a.year and b.year and a.year != b.year:
        return a.year < b.year
    return True


def _version(ev: Evidence, a: BillInfo, b: BillInfo) -> Draft:
    ka = (a.rank, a.date.toordinal() if a.date else 10**9)
    kb = (b.rank, b.date.toordinal() if b.date else 10**9)
    src_is_i = ka <= kb
    s, t = (a, b) if src_is_i else (b, a)
    both = ev.subst + ev.law
    cov_t = ev.coverage("j" if src_is_i else "i", both)
    sn, sw = describe(s)
    tn, tw = describe(t)
    if s.rank != t.rank:
        basis, how = "version-order", "legislative order"
    elif s.date and t.date and s.date != t.date:
        basis, how = "dates", "date order (same stage)"
    else:
        basis, how = "", "no order known: two copies of one version"
    words = round(cov_t * (ev.words_j if src_is_i else ev.words_i))
    reason = (
        f"{tn} ({tw}) is a version of {sn} ({sw}): same bill, {how}; "
        f"{words} words ({_pct(cov_t)}) of it in {count(len(both), 'passage')} shared"
    )
    conf = 1.0 if words else 0.8
    return _draft(ev, src_is_i, "version-of", True, conf, reason, basis, both)


def _reuse(ev: Evidence, a: BillInfo, b: BillInfo, words: int, settings: Settings) -> Draft:
    cov_i, cov_j = ev.coverage("i"), ev.coverage("j")
    k = len(ev.subst)
    days = abs((a.date - b.date).days) if a.date and b.date else None
    st = strength(words, settings)
    order = before(a, b, SAME_TIME_DAYS)
    if order is not None:
        # exact dates more than SAME_TIME_DAYS apart, or partial dates (a month, a year,
        # the session's years) whose spans do not overlap
        src_is_i = order
        s, t = (a, b) if src_is_i else (b, a)
        x, y = arrow_names(s, t)
        exact = days is not None
        later = "it is later" if exact else f"its date ({t.when}) is later than {s.when}"
        reason = (
            _reuse_sentence(
                t, s, words, cov_j if src_is_i else cov_i, k, ev.words_j if src_is_i else ev.words_i
            )
            + f"; {later}, so the edge runs {x} → {y}"
        )
        return _draft(ev, src_is_i, "copied-from", True, st if exact else 0.9 * st, reason, "dates")
    if days is not None:
        why = f"introduced {days} days apart"
    elif a.span and b.span:
        why = f"dates {a.when} and {b.when} overlap"
    else:
        why = "dates unknown"
    if a.partial or b.partial:
        why += " and one text is a partial copy, so containment cannot tell"
    elif abs(cov_i - cov_j) >= CONTAINMENT_MARGIN:
        src_is_i = cov_i > cov_j  # the more fully contained text is the source
        s, t = (a, b) if src_is_i else (b, a)
        x, y = arrow_names(s, t)
        cs, ct = (cov_i, cov_j) if src_is_i else (cov_j, cov_i)
        reason = (
            _reuse_sentence(t, s, words, ct, k, ev.words_j if src_is_i else ev.words_i)
            + f"; {why}, but {_pct(cs)} of {x} is in {y} against {_pct(ct)} the "
            f"other way, so by containment the edge runs {x} → {y}"
        )
        return _draft(ev, src_is_i, "copied-from", True, 0.6 * st, reason, "containment")
    an, aw = describe(a)
    bn, bw = describe(b)
    reason = (
        f"{an} ({aw}) and {bn} ({bw}) share {words} words in {count(k, 'passage')} "
        f"({_pct(cov_i)} / {_pct(cov_j)}); {why}"
        + ("" if a.partial or b.partial else " and neither contains the other")
        + ", so neither is taken to have copied the other: they likely share a source"
    )
    return _draft(ev, _earlier(a, b, ev), "shares-source-with", False, 0.7 * st, reason)
