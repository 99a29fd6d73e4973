"""Existing law that two bills both quote because both amend it — not one copying the other.

``LawSpans.of(doc)``: the character spans of a document that amend a cited statute section
("RCW x.y.z and … are each amended to read as follows:", "Section … is amended to read as
follows") or *are* one (a codified "RCW x.y.z" section). Lineage sorts an edge's passages
with it (``amends-same-law``); search names such passages ``amended-law``
(``mark_amended_law``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from .model import Document, PairReport

_CITE = r"\d+[A-Z]?\.\d+[A-Z]?\.\d+[A-Za-z]?"
_AMEND = re.compile(
    rf"(?:RCW\s+(?P<rcw>{_CITE})\s+and\s+[^\n]{{0,400}}?|"
    r"(?:Section|§)\s+(?P<gen>\d+\w*[.\-]\d[\w.\-]*)[^\n]{0,200}?)"
    r"\b(?:is|are)\s+(?:hereby\s+)?(?:each\s+)?amended\s+to\s+read\s+as\s+follows",
    re.I,
)
_CODIFIED = re.compile(rf"^[ \t]*RCW[ \t]+(?P<cite>{_CITE})[ \t]*$", re.M)
_ENACTING = re.compile(r"\bbe\s+it\s+(?:further\s+)?enacted\b", re.I)
_NEXT_SECTION = re.compile(
    r"^[ \t]*(?:NEW SECTION\.|Sec\.[ \t]+\d+\.|SECTION[ \t]+\d+\.|"
    r"SEC\.[ \t]+\d+\.|PART[ \t]+[IVXL\d]+|RCW[ \t]+\d)",
    re.M,
)


@dataclass(frozen=True)
class LawSpans:
    """Character spans of a document that amend a cited section, or that *are* one."""

    amend: tuple[tuple[int, int, str], ...]
    codified: tuple[tuple[int, int, str], ...]
    body_start: int = 0  # where the enacting clause starts; before it is the bill's header

    @staticmethod
    def of(doc: Document) -> LawSpans:
        text = doc.text
        heads = [m.start() for m in _NEXT_SECTION.finditer(text)]

        def end_after(pos: int) -> int:
            k = bisect.bisect_right(heads, pos)
            return heads[k] if k < len(heads) else len(text)

        amend = tuple(
            (m.start(), end_after(m.end()), _norm(m.group("rcw") or m.group("gen")))
            for m in _AMEND.finditer(text)
        )
        codified = tuple(
            (m.start(), end_after(m.end()), _norm(m.group("cite")))
            for m in _CODIFIED.finditer(text)
        )
        enact = _ENACTING.search(text)
        return LawSpans(amend, codified, enact.start() if enact else 0)

    @staticmethod
    def cite_at(spans, pos: int) -> str:
        for s, e, c in spans:
            if s <= pos < e:
                return c
        return ""


def _norm(cite: str) -> str:
    return cite.rstrip(".").upper()


def mark_amended_law(rep: PairReport, law_q: LawSpans) -> PairReport:
    """Passages that lie, in both bills, inside sections amending the same statute section
    ("RCW 28A.210.090 and … are each amended to read as follows:") are the existing law both
    quote, not one copying the other: named 'amended-law' (never substantive), as lineage's
    amends-same-law does — unless the passage holds the same *new* (underlined) words on
    both sides (``SHARED_AMENDMENT`` or more): then the amendment itself was copied."""
    if not law_q.amend or rep.b_doc is None:
        return rep
    law_h = LawSpans.of(rep.b_doc)
    if not law_h.amend:
        return rep
    ps = []
    for p in rep.passages:
        if not p.stock_phrase:
            n, cites = _in_same_law(rep, p, law_q, law_h)
            # one section quoted alike by two bills amending it is the law they both quote; the
            # same text run on across several amended sections is one bill's text copied
            # (companions) — as is the same new (underlined) wording
            if n >= 0.8 * p.identical_words and len(cites) == 1:
                if _new_words_shared(rep, p) < SHARED_AMENDMENT:
                    p = replace(p, stock_phrase="amended-law")
        ps.append(p)
    return replace(rep, passages=tuple(ps))


def _in_same_law(rep: PairReport, p, law_q: LawSpans, law_h: LawSpans) -> tuple[int, set]:
    """Identical words of the passage lying, in both bills, in sections that amend the same
    statute section, and the sections cited."""
    ta, tb = rep.a_tokens, rep.b_tokens
    n, cites = 0, set()
    for o in p.ops:
        if o.tag != "equal":
            continue
        for i in range(0, o.a_end - o.a_start):
            ca = LawSpans.cite_at(law_q.amend, ta.starts[o.a_start + i])
            if ca and ca == LawSpans.cite_at(law_h.amend, tb.starts[o.b_start + i]):
                n += 1
                cites.add(ca)
    return n, cites


# identical inserted (underlined) words a passage must share to count as a copied amendment
SHARED_AMENDMENT = 5


def _new_words_shared(rep: PairReport, p) -> int:
    """Identical words of the passage that are inserted (new) matter in both bills."""
    ta, tb = rep.a_tokens, rep.b_tokens
    ins_a = sorted((m.start, m.end) for m in rep.a_doc.marks if m.kind == "inserted")
    ins_b = sorted((m.start, m.end) for m in rep.b_doc.marks if m.kind == "inserted")
    if not ins_a or not ins_b or ta is None or tb is None:
        return 0

    def inside(spans, starts, pos) -> bool:
        k = bisect.bisect_right(starts, pos) - 1
        return k >= 0 and pos < spans[k][1]

    sa, sb = [s for s, _ in ins_a], [s for s, _ in ins_b]
    n = 0
    for o in p.ops:
        if o.tag == "equal":
            for i in range(o.a_end - o.a_start):
                ca, cb = ta.starts[o.a_start + i], tb.starts[o.b_start + i]
                n += inside(ins_a, sa, ca) and inside(ins_b, sb, cb)
    return n
